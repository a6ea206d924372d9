// SASL for SMTP AUTH (RFC 4954): what the client and server machines share.
//
// Four mechanisms: PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login-00),
// CRAM-MD5 (RFC 2195) and XOAUTH2 (Google's). Each side is a small state
// machine with no I/O (sasl_client.hpp, sasl_server.hpp): it is given whole
// lines (SASL lines arrive whole from the command and reply parsers) and
// answers with a `step`: the next line to send, if any, and where the exchange
// stands. The message formats themselves are in sasl_messages.hpp and
// sasl_cram_md5.hpp.
//
// Secrets: a client's responses and a server's credentials hold passwords and
// tokens. Nothing here prints them: `redacted()` renders a line safe to log,
// and credentials print their secrets as a length only.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace ehlo::proto::sasl {

enum class error {
  cancelled = 1,                 ///< the client answered "*" (RFC 4954 §4)
  bad_base64,                    ///< a response or challenge that is not base64
  line_too_long,                 ///< a line longer than the settings allow
  initial_response_not_allowed,  ///< an initial response to a mechanism in which the server speaks first
  plain_too_few_fields,          ///< a PLAIN message with fewer than two NULs
  plain_too_many_fields,         ///< a PLAIN message with more than two NULs
  plain_empty_field,             ///< a PLAIN message with an empty authcid or password
  plain_not_utf8,                ///< a PLAIN message that is not UTF-8
  login_malformed,               ///< a LOGIN user name that is empty, or a field holding NUL
  cram_md5_malformed,            ///< a CRAM-MD5 response that is not "user SP digest"
  cram_md5_bad_digest,           ///< a CRAM-MD5 digest that is not 32 hex digits
  cram_md5_upper_case_digest,    ///< a CRAM-MD5 digest in upper-case hex
  xoauth2_malformed,             ///< an XOAUTH2 message not of the form user=U ^A auth=Bearer T ^A ^A
  credentials_rejected,          ///< the server's caller rejected the credentials
  unexpected_response,           ///< server: a response after the exchange ended
  unexpected_challenge,          ///< client: a challenge the mechanism has no answer for
  unsendable_credentials,        ///< client: these credentials cannot be put in this mechanism's message
  token_rejected,                ///< client: the XOAUTH2 server answered with an error challenge
  hmac_unavailable,              ///< OpenSSL could not compute HMAC-MD5 (a FIPS-only configuration)
  unknown_mechanism,             ///< a mechanism name this library does not implement
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(error e) noexcept;

enum class mechanism : std::uint8_t { plain, login, cram_md5, xoauth2 };

/// The registered name: "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2".
std::string_view name(mechanism m) noexcept;
/// The mechanism of a name, in any case (SMTP servers match the AUTH argument
/// case-insensitively, as they match the verb).
std::optional<mechanism> parse_mechanism(std::string_view text) noexcept;
std::ostream& operator<<(std::ostream& os, mechanism m);

/// Where an exchange stands after a step.
enum class status : std::uint8_t {
  more,       ///< send `line`; the exchange goes on (client: expect a challenge; server: expect a response)
  done,       ///< client: send `line` if `send`, then read the final reply; server: verify the credentials
  cancelled,  ///< the client sent "*": a server answers 501 (replies::cancelled)
  failed,     ///< `ec` says why; a client still sends `line` if `send` ("*", or XOAUTH2's empty answer)
};
std::ostream& operator<<(std::ostream& os, status s);

/// One step of a machine. `line` is a view into the machine, valid until its
/// next call; it carries no CRLF. A client's line is a whole command from
/// start() ("AUTH PLAIN dGVzdA...") and the base64 text of a response after;
/// a server's line is the base64 text of a 334 challenge ("" for "334 ").
struct step {
  status state = status::more;
  bool send = false;  ///< whether `line` is to be sent; it may be empty (an empty response or challenge)
  std::string_view line;
  std::error_code ec;  ///< why, when cancelled or failed

  friend bool operator==(const step&, const step&) = default;
};
/// Prints the state, the error and the line redacted.
std::ostream& operator<<(std::ostream& os, const step& s);

/// What a client authenticates with, and what a server hands back to verify.
/// Only the fields the mechanism uses are set.
struct credentials {
  std::string authzid{};   ///< PLAIN's authorization identity; empty when none
  std::string authcid{};   ///< the user: PLAIN's authcid, LOGIN's and CRAM-MD5's user name, XOAUTH2's user
  std::string password{};  ///< PLAIN and LOGIN; the client's key for CRAM-MD5
  std::string digest{};    ///< CRAM-MD5, server side: the 32 lower-case hex digits the client sent
  std::string token{};     ///< XOAUTH2: the bearer token

  friend bool operator==(const credentials&, const credentials&) = default;
  /// Overwrites every field before clearing it, so freed memory keeps no secret.
  void wipe() noexcept;
};
/// Overwrites a string's bytes before clearing it (OPENSSL_cleanse, which the
/// compiler may not elide), for buffers that held a secret.
void wipe(std::string& s) noexcept;

/// Prints the identities; the password, digest and token only as their lengths.
std::ostream& operator<<(std::ostream& os, const credentials& c);

/// A line safe to print: "*" and "" as they are; "AUTH <mechanism>" keeps
/// those two words and hides any initial response; any other line (a base64
/// response) becomes "[redacted]".
std::string redacted(std::string_view line);

/// A reply a server sends, as RFC 4954 §4 and §6 give them. `enhanced` is
/// empty for 334, which never carries one (RFC 2034 §4).
struct server_reply {
  std::uint16_t code;
  std::string_view enhanced;
  std::string_view text;
};
/// "535 5.7.8 Authentication credentials invalid" (no CRLF). For 334, only "334".
std::string to_string(const server_reply& r);

namespace replies {
// clang-format off
inline constexpr server_reply authenticated        {235, "2.7.0",  "Authentication successful"};
inline constexpr server_reply challenge            {334, "",       ""};
inline constexpr server_reply cannot_decode        {501, "5.5.2",  "Cannot decode the response"};
/// RFC 4954 §4 asks for 501 and names no enhanced code; 5.7.0 is what Postfix sends.
inline constexpr server_reply cancelled            {501, "5.7.0",  "Authentication cancelled"};
inline constexpr server_reply client_spoke_first   {501, "5.7.0",  "Client initiated authentication exchange"};
inline constexpr server_reply line_too_long        {500, "5.5.6",  "Authentication exchange line is too long"};
inline constexpr server_reply invalid_credentials  {535, "5.7.8",  "Authentication credentials invalid"};
inline constexpr server_reply unknown_mechanism    {504, "5.5.4",  "Unrecognized authentication type"};
/// AUTH after a successful AUTH, or inside a mail transaction (RFC 4954 §4).
inline constexpr server_reply bad_sequence         {503, "5.5.1",  "Bad sequence of commands"};
inline constexpr server_reply temporary_failure    {454, "4.7.0",  "Temporary authentication failure"};
inline constexpr server_reply required             {530, "5.7.0",  "Authentication required"};
inline constexpr server_reply too_weak             {534, "5.7.9",  "Authentication mechanism is too weak"};
inline constexpr server_reply encryption_required  {538, "5.7.11", "Encryption required for requested authentication mechanism"};
inline constexpr server_reply password_transition  {432, "4.7.12", "A password transition is needed"};
// clang-format on
}  // namespace replies

/// The reply a server answers an outcome with: success (no error) is 235; a
/// malformed mechanism message is refused authentication data, 535 (RFC 4954
/// §4: "unless a more specific error code ... is appropriate").
const server_reply& reply_for(std::error_code ec) noexcept;
/// The reply for a server step: 334 for more, 235 for done (once the caller
/// verified the credentials), else reply_for(ec).
const server_reply& reply_for(const step& s) noexcept;

}  // namespace ehlo::proto::sasl

template <>
struct std::is_error_code_enum<ehlo::proto::sasl::error> : std::true_type {};
