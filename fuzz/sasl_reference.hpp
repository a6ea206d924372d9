// A second, deliberately naive reading of the SASL messages, for fuzz_sasl's
// differential checks: it splits on the separators and decodes code points
// where the library scans once, so the two share no logic. Each function
// returns the error the library must report, or an empty one to accept.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "proto/sasl.hpp"

namespace ehlo::fuzz {

using proto::sasl::error;

inline std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(from, i - from));
      from = i + 1;
    }
  }
  return parts;
}

/// Decodes code points one by one, then asks whether each was encoded in the
/// shortest form and is a scalar value.
inline bool reference_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<std::uint8_t>(s[i]);
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      len = 1;
      cp = b;
    } else if ((b & 0xe0) == 0xc0) {
      len = 2;
      cp = b & 0x1fu;
    } else if ((b & 0xf0) == 0xe0) {
      len = 3;
      cp = b & 0x0fu;
    } else if ((b & 0xf8) == 0xf0) {
      len = 4;
      cp = b & 0x07u;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<std::uint8_t>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3fu);
    }
    const std::size_t shortest = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (len != shortest || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

inline std::error_code reference_plain(std::string_view m, bool allow_non_utf8) {
  const auto parts = split(m, '\0');
  if (parts.size() < 3) return error::plain_too_few_fields;
  if (parts.size() > 3) return error::plain_too_many_fields;
  if (parts[1].empty() || parts[2].empty()) return error::plain_empty_field;
  if (!allow_non_utf8 && !reference_utf8(m)) return error::plain_not_utf8;
  return {};
}

inline std::error_code reference_login_user(std::string_view u) {
  if (u.empty() || split(u, '\0').size() != 1) return error::login_malformed;
  return {};
}

inline std::error_code reference_login_password(std::string_view p) {
  return split(p, '\0').size() == 1 ? std::error_code{} : make_error_code(error::login_malformed);
}

inline std::error_code reference_cram_md5(std::string_view m, bool allow_upper) {
  const auto words = split(m, ' ');
  if (words.size() < 2) return error::cram_md5_malformed;
  const std::string_view digest = words.back();
  const std::string_view user = m.substr(0, m.size() - digest.size() - 1);
  if (user.empty() || split(user, '\0').size() != 1) return error::cram_md5_malformed;
  if (digest.size() != 32 || digest.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos)
    return error::cram_md5_bad_digest;
  if (!allow_upper && digest.find_first_of("ABCDEF") != std::string_view::npos)
    return error::cram_md5_upper_case_digest;
  return {};
}

inline bool reference_bearer(std::string_view t) {
  const auto body = t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
  if (body == 0 || t.empty()) return false;
  if (body == std::string_view::npos) return true;
  return t.find_first_not_of('=', body) == std::string_view::npos;
}

inline std::error_code reference_xoauth2(std::string_view m) {
  const auto parts = split(m, '\x01');
  const bool shape = parts.size() == 4 && parts[2].empty() && parts[3].empty() && parts[0].substr(0, 5) == "user=" &&
                     parts[1].substr(0, 12) == "auth=Bearer ";
  if (!shape) return error::xoauth2_malformed;
  const std::string_view user = parts[0].substr(5);
  if (user.empty() || split(user, '\0').size() != 1) return error::xoauth2_malformed;
  if (!reference_bearer(parts[1].substr(12))) return error::xoauth2_malformed;
  return {};
}

}  // namespace ehlo::fuzz
