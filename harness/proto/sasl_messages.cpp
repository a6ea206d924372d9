#include "proto/sasl_messages.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "proto/syntax_chars.hpp"

namespace ehlo::proto::sasl {

namespace {

verdict refuse(error e, const rule& r, std::string_view what) noexcept { return {e, &r, what}; }

constexpr char ctrl_a = '\x01';

}  // namespace

verdict parse_plain(std::string_view message, plain_fields& out, const plain_options& opt) noexcept {
  const auto first = message.find('\0');
  if (first == std::string_view::npos)
    return refuse(error::plain_too_few_fields, rules::sasl_plain, "no NUL in the message");
  const auto second = message.find('\0', first + 1);
  if (second == std::string_view::npos)
    return refuse(error::plain_too_few_fields, rules::sasl_plain, "one NUL in the message");
  if (message.find('\0', second + 1) != std::string_view::npos)
    return refuse(error::plain_too_many_fields, rules::sasl_plain, "more than two NULs in the message");
  const plain_fields f{message.substr(0, first), message.substr(first + 1, second - first - 1),
                       message.substr(second + 1)};
  if (f.authcid.empty()) return refuse(error::plain_empty_field, rules::sasl_plain, "an empty authcid");
  if (f.password.empty()) return refuse(error::plain_empty_field, rules::sasl_plain, "an empty password");
  verdict v;
  if (!is_utf8(message)) {
    v = refuse(error::plain_not_utf8, rules::sasl_plain, "a message that is not UTF-8");
    if (!opt.allow_non_utf8) return v;
    v.ec = {};
  }
  out = f;
  return v;
}

std::string make_plain(std::string_view authzid, std::string_view authcid, std::string_view password) {
  std::string m;
  m.reserve(authzid.size() + authcid.size() + password.size() + 2);
  ((((m += authzid) += '\0') += authcid) += '\0') += password;
  return m;
}

verdict check_login_user(std::string_view user) noexcept {
  if (user.empty()) return refuse(error::login_malformed, rules::sasl_login, "an empty user name");
  if (user.find('\0') != std::string_view::npos)
    return refuse(error::login_malformed, rules::sasl_login, "a NUL in the user name");
  return {};
}

verdict check_login_password(std::string_view password) noexcept {
  if (password.find('\0') != std::string_view::npos)
    return refuse(error::login_malformed, rules::sasl_login, "a NUL in the password");
  return {};
}

verdict parse_xoauth2(std::string_view message, xoauth2_fields& out) noexcept {
  constexpr std::string_view user_key = "user=";
  constexpr std::string_view auth_key = "auth=Bearer ";
  constexpr std::string_view end = "\x01\x01";
  const auto bad = [](std::string_view what) { return refuse(error::xoauth2_malformed, rules::sasl_xoauth2, what); };
  if (!message.starts_with(user_key)) return bad("no user= at the start");
  message.remove_prefix(user_key.size());
  const auto user_end = message.find(ctrl_a);
  if (user_end == std::string_view::npos) return bad("no ^A after the user");
  const auto user = message.substr(0, user_end);
  if (user.empty()) return bad("an empty user");
  if (user.find('\0') != std::string_view::npos) return bad("a NUL in the user");
  message.remove_prefix(user_end + 1);
  if (!message.starts_with(auth_key)) return bad("no auth=Bearer after the user");
  message.remove_prefix(auth_key.size());
  const auto token_end = message.find(ctrl_a);
  if (token_end == std::string_view::npos) return bad("no ^A^A at the end");
  const auto token = message.substr(0, token_end);
  if (message.substr(token_end) != end) return bad("more than ^A^A after the token");
  if (token.empty()) return bad("an empty token");
  if (!is_bearer_token(token)) return bad("a token that is not an RFC 6750 b64token");
  out = {user, token};
  return {};
}

std::string make_xoauth2(std::string_view user, std::string_view token) {
  std::string m;
  m.reserve(user.size() + token.size() + 20);
  ((((m += "user=") += user) += "\x01"
                                "auth=Bearer ") += token) += "\x01\x01";
  return m;
}

bool is_bearer_token(std::string_view s) noexcept {
  const auto is_token_char = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~' || c == '+' || c == '/';
  };
  const auto body = std::find_if_not(s.begin(), s.end(), is_token_char);
  if (body == s.begin()) return false;
  return std::all_of(body, s.end(), [](char c) { return c == '='; });
}

bool is_utf8(std::string_view s) noexcept {
  while (!s.empty()) {
    const std::size_t n = static_cast<unsigned char>(s.front()) < 0x80 ? 1 : syntax::utf8_sequence(s);
    if (n == 0) return false;
    s.remove_prefix(n);
  }
  return true;
}

bool secrets_equal(std::string_view a, std::string_view b) noexcept {
  std::array<unsigned char, EVP_MAX_MD_SIZE> ha{};
  std::array<unsigned char, EVP_MAX_MD_SIZE> hb{};
  unsigned int na = 0;
  unsigned int nb = 0;
  const bool hashed = EVP_Digest(a.data(), a.size(), ha.data(), &na, EVP_sha256(), nullptr) == 1 &&
                      EVP_Digest(b.data(), b.size(), hb.data(), &nb, EVP_sha256(), nullptr) == 1 && na == nb;
  if (!hashed) {
    // Without a digest, fall back to a compare that still does not stop at the first difference.
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
  }
  // Equal hashes of different inputs would need a SHA-256 collision; the size check closes even that.
  const bool same_hash = CRYPTO_memcmp(ha.data(), hb.data(), na) == 0;
  const bool same_size = a.size() == b.size();
  return same_hash && same_size;
}

}  // namespace ehlo::proto::sasl
