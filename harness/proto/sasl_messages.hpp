// The messages of PLAIN, LOGIN and XOAUTH2 once base64 is off: building them
// (a client) and checking them (a server). CRAM-MD5's are in sasl_cram_md5.hpp.
//
// A client checks what it builds with the parser a server uses, so the two
// sides agree by construction on which credentials a message can carry.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "proto/rules.hpp"
#include "proto/sasl.hpp"

namespace ehlo::proto::sasl {

/// What checking a message found. A message may break a rule and still be
/// accepted, when a leniency allows it: then `ec` is empty and `broken` is set.
struct verdict {
  std::error_code ec;            ///< why the message is refused; empty when it is accepted
  const rule* broken = nullptr;  ///< the rule the message breaks, if any
  std::string_view what;         ///< what broke it, for a finding; static storage

  bool accepted() const noexcept { return !ec; }
};

// PLAIN (RFC 4616 §2): message = [authzid] NUL authcid NUL passwd; the three
// are UTF-8 without NUL, authcid and passwd not empty.
struct plain_fields {
  std::string_view authzid;  ///< empty when the client sent none
  std::string_view authcid;
  std::string_view password;
};
struct plain_options {
  /// Accept fields that are not UTF-8. Dangerous: the same bytes then name
  /// different users to a backend that decodes them another way (Latin-1,
  /// or a lossy conversion), and logs show what nobody typed.
  bool allow_non_utf8 = false;
};
/// On acceptance out's fields are views into `message`.
verdict parse_plain(std::string_view message, plain_fields& out, const plain_options& opt = {}) noexcept;
/// authzid NUL authcid NUL password, unchecked.
std::string make_plain(std::string_view authzid, std::string_view authcid, std::string_view password);

// LOGIN (draft-murchison-sasl-login-00): two bare answers. A NUL in either
// would cut the string short in a C backend, so neither may hold one.
verdict check_login_user(std::string_view user) noexcept;
verdict check_login_password(std::string_view password) noexcept;

// XOAUTH2 (Google): "user=" user ^A "auth=Bearer " token ^A ^A, where the
// user holds neither ^A nor NUL and the token is an RFC 6750 §2.1 b64token.
struct xoauth2_fields {
  std::string_view user;
  std::string_view token;
};
verdict parse_xoauth2(std::string_view message, xoauth2_fields& out) noexcept;
std::string make_xoauth2(std::string_view user, std::string_view token);

/// RFC 6750 §2.1: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool is_bearer_token(std::string_view s) noexcept;
/// Well-formed UTF-8 (RFC 3629 §4): no overlong forms, no surrogates, nothing past U+10FFFF.
bool is_utf8(std::string_view s) noexcept;
/// Compares two secrets in time that depends on neither's content (SHA-256 of
/// each, compared with CRYPTO_memcmp), so a wrong guess learns nothing from timing.
bool secrets_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace ehlo::proto::sasl
