#include "proto/sasl.hpp"

#include <openssl/crypto.h>

#include <array>
#include <ostream>

#include "proto/error.hpp"

namespace ehlo::proto::sasl {

namespace {

constexpr std::array<std::string_view, 21> messages{
    "",
    "the client cancelled the exchange with \"*\"",
    "a line that is not base64",
    "an authentication line longer than the limit",
    "an initial response to a mechanism in which the server speaks first",
    "a PLAIN message with fewer than two NULs",
    "a PLAIN message with more than two NULs",
    "a PLAIN message with an empty authcid or password",
    "a PLAIN message that is not UTF-8",
    "a LOGIN user name that is empty, or a LOGIN field holding NUL",
    "a CRAM-MD5 response that is not a user name, a space and a digest",
    "a CRAM-MD5 digest that is not 32 hex digits",
    "a CRAM-MD5 digest in upper-case hex",
    "an XOAUTH2 message that is not user=NAME ^A auth=Bearer TOKEN ^A ^A",
    "the credentials were rejected",
    "a response after the exchange ended",
    "a challenge the mechanism has no answer for",
    "credentials that this mechanism's message cannot carry",
    "the server rejected the XOAUTH2 token",
    "HMAC-MD5 is not available from OpenSSL",
    "a SASL mechanism this library does not implement",
};
const table_category category{"ehlo.sasl", messages};

constexpr std::array<std::string_view, 4> names{"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2"};

bool iequal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

void wipe(std::string& s) noexcept {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

const std::error_category& error_category() noexcept { return category; }
std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), category}; }

std::string_view name(mechanism m) noexcept {
  const auto i = static_cast<std::size_t>(m);
  return i < names.size() ? names[i] : std::string_view{};
}

std::optional<mechanism> parse_mechanism(std::string_view text) noexcept {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (iequal(text, names[i])) return static_cast<mechanism>(i);
  return std::nullopt;
}

std::ostream& operator<<(std::ostream& os, mechanism m) { return os << name(m); }

std::ostream& operator<<(std::ostream& os, status s) {
  constexpr std::array<std::string_view, 4> text{"more", "done", "cancelled", "failed"};
  const auto i = static_cast<std::size_t>(s);
  return os << (i < text.size() ? text[i] : std::string_view{"?"});
}

std::ostream& operator<<(std::ostream& os, const step& s) {
  os << '{' << s.state;
  if (s.send) os << " send \"" << redacted(s.line) << '"';
  if (s.ec) os << " (" << s.ec.message() << ')';
  return os << '}';
}

void credentials::wipe() noexcept {
  sasl::wipe(authzid);
  sasl::wipe(authcid);
  sasl::wipe(password);
  sasl::wipe(digest);
  sasl::wipe(token);
}

std::ostream& operator<<(std::ostream& os, const credentials& c) {
  return os << "{authzid \"" << c.authzid << "\", authcid \"" << c.authcid << "\", password " << c.password.size()
            << " bytes, digest " << c.digest.size() << " bytes, token " << c.token.size() << " bytes}";
}

std::string redacted(std::string_view line) {
  if (line.empty() || line == "*") return std::string(line);
  // "AUTH" SP mechanism [SP initial-response]: the verb and the name are not secret.
  if (line.size() >= 5 && iequal(line.substr(0, 5), "AUTH ")) {
    const auto space = line.find(' ', 5);
    if (space == std::string_view::npos) return std::string(line);
    return std::string(line.substr(0, space)) + " [redacted]";
  }
  return "[redacted]";
}

std::string to_string(const server_reply& r) {
  std::string out = std::to_string(r.code);
  if (!r.enhanced.empty()) (out += ' ') += r.enhanced;
  if (!r.text.empty()) (out += ' ') += r.text;
  return out;
}

const server_reply& reply_for(std::error_code ec) noexcept {
  if (!ec) return replies::authenticated;
  if (ec.category() != category) return replies::temporary_failure;
  switch (static_cast<error>(ec.value())) {
    case error::cancelled:
      return replies::cancelled;
    case error::bad_base64:
      return replies::cannot_decode;
    case error::line_too_long:
      return replies::line_too_long;
    case error::initial_response_not_allowed:
      return replies::client_spoke_first;
    case error::unknown_mechanism:
      return replies::unknown_mechanism;
    case error::hmac_unavailable:
      return replies::temporary_failure;
    default:
      return replies::invalid_credentials;
  }
}

const server_reply& reply_for(const step& s) noexcept {
  switch (s.state) {
    case status::more:
      return replies::challenge;
    case status::done:
      return replies::authenticated;
    case status::cancelled:
      return replies::cancelled;
    case status::failed:
      break;
  }
  return s.ec ? reply_for(s.ec) : replies::invalid_credentials;
}

}  // namespace ehlo::proto::sasl
