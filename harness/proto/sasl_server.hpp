// The server side of one SASL exchange (RFC 4954 §4): issues challenges,
// decodes the client's responses strictly, and hands the credentials to the
// caller to verify. No I/O: the session gives it the AUTH command's initial
// response and each response line, and sends what the steps say.
//
//   server s(mechanism::login);
//   step st = s.start(std::nullopt);      // {more, "VXNlcm5hbWU6"}: send "334 VXNlcm5hbWU6"
//   st = s.on_response("dG9t");           // {more, "UGFzc3dvcmQ6"}
//   st = s.on_response("bmVyb24xMg==");   // {done}: s.creds() is {tom, neron12}
//   if (!s.verify(stored_password)) st = s.reject();   // {failed, credentials_rejected}
//   reply_for(st)                         // 235 2.7.0, 334, 501 5.5.2, 535 5.7.8 ...
//
// A failure or a cancel is sticky: on_response() returns it again until
// reset(). A response before start() or after done gets {failed,
// unexpected_response} and changes nothing.
//
// Findings carry offsets into the exchange: the initial response and the
// response lines given so far, each counted with the CRLF that ended it; a
// finding points at the start of the line that broke the rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/finding.hpp"
#include "proto/sasl.hpp"
#include "proto/sasl_messages.hpp"

namespace ehlo::proto::sasl {

struct server_settings {
  /// The longest response line (base64 text, without CRLF) taken: RFC 4954 §4
  /// calls 12288 octets enough for deployed mechanisms. Longer: 500 5.5.6.
  std::size_t max_line = 12288;
  /// CRAM-MD5's challenge is "<" nonce "." timestamp "@" hostname ">". An
  /// empty nonce is drawn from OpenSSL's generator, a missing timestamp is
  /// the current time; give both for a deterministic challenge.
  std::string hostname = "localhost";
  std::string nonce{};
  std::optional<std::uint64_t> timestamp{};
  /// LOGIN's prompts. The draft suggests "User Name" and "Password"; these are
  /// what servers send in practice (and the seed transcripts show).
  std::string login_user_prompt = "Username:";
  std::string login_password_prompt = "Password:";
  /// XOAUTH2's error challenge when reject() is given no detail (Google's form).
  std::string xoauth2_error = R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})";

  /// Take an initial response to LOGIN as the user name, and prompt only for
  /// the password, as Cyrus SASL and Exchange do. Strictly LOGIN is a
  /// mechanism in which the server speaks first, so the initial response gets
  /// 501 (RFC 4954 §4). Dangerous: the harness would pass a client that a
  /// strict server refuses. The finding is recorded either way.
  bool allow_login_initial_response = false;
  /// See cram_md5_options::allow_upper_case_digest.
  bool allow_upper_case_digest = false;
  /// See plain_options::allow_non_utf8.
  bool allow_non_utf8_plain = false;
};

class server {
 public:
  explicit server(mechanism m, server_settings s = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;
  server(server&&) noexcept = default;
  server& operator=(server&&) noexcept = default;

  /// The AUTH command arrived, with its initial response ("=" for an empty
  /// one) or without. The first step: a challenge, or done/failed at once.
  step start(std::optional<std::string_view> initial_response);
  /// The client's next line, without its CRLF.
  step on_response(std::string_view line);
  /// After done, when the credentials did not verify: XOAUTH2 answers with its
  /// error challenge (`detail`, or settings' xoauth2_error) and takes the
  /// client's empty answer before failing; the other mechanisms fail at once.
  step reject(std::string_view detail = {});
  /// After done: whether `secret` (the password; XOAUTH2's token) matches what
  /// the client sent. CRAM-MD5 computes the digest of the challenge under it.
  /// Constant time in the secrets' content.
  bool verify(std::string_view secret) const noexcept;

  /// Back to before start(), same settings; the credentials are wiped.
  void reset();

  mechanism mech() const noexcept { return mech_; }
  status state() const noexcept;
  /// What the client sent; complete once a step is done. Secret: see redacted().
  const credentials& creds() const noexcept { return creds_; }
  /// CRAM-MD5's challenge as sent (before base64); empty for the others.
  std::string_view challenge() const noexcept { return challenge_; }
  const finding_log& findings() const noexcept { return findings_; }

 private:
  enum class phase : std::uint8_t {
    idle,
    want_message,   // PLAIN and XOAUTH2 after the empty challenge, CRAM-MD5 after its challenge
    want_user,      // LOGIN
    want_password,  // LOGIN
    want_ack,       // XOAUTH2 after its error challenge
    done,
    cancelled,
    failed,
  };

  step more(std::string_view challenge_text);
  step fail(error e);
  step fail(const verdict& v);
  step cancel();
  step finish();
  /// Decodes a response (the initial one, or a line) into decoded_; on failure, the step to return.
  std::optional<step> decode(std::string_view line, bool initial);
  step take_message(std::string_view message);
  step take_user(std::string_view user);
  void note(const verdict& v);

  mechanism mech_;
  server_settings settings_;
  phase phase_ = phase::idle;
  error error_{};
  std::string line_;       // the base64 challenge a step's line views
  std::string decoded_;    // the last response, decoded; wiped after use
  std::string challenge_;  // CRAM-MD5
  credentials creds_;
  finding_log findings_;
  std::uint64_t offset_ = 0;       // bytes of the exchange before the current line
  std::uint64_t line_offset_ = 0;  // where the current line starts
};

}  // namespace ehlo::proto::sasl
