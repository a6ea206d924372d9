// Character classes of the SMTP command grammar (RFC 5321 §4.1.2, the atext
// of RFC 5322 §3.2.3, RFC 6531's UTF-8 additions) and ASCII case helpers,
// shared by the path, parameter and command parsers. Internal to proto/.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ehlo::proto::syntax {

constexpr bool is_alpha(unsigned char c) noexcept { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alnum(unsigned char c) noexcept { return is_alpha(c) || is_digit(c); }
constexpr bool is_hex(unsigned char c) noexcept { return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
constexpr char to_upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

/// ASCII case-insensitive equality; `upper` must be written in upper case.
constexpr bool iequals(std::string_view s, std::string_view upper) noexcept {
  if (s.size() != upper.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (to_upper(s[i]) != upper[i]) return false;
  return true;
}
constexpr bool istarts_with(std::string_view s, std::string_view upper) noexcept {
  return s.size() >= upper.size() && iequals(s.substr(0, upper.size()), upper);
}

/// A space-separated word of `s` equal to `upper`, in any case.
constexpr bool has_word(std::string_view s, std::string_view upper) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t space = s.find(' ', i);
    const std::size_t end = space == std::string_view::npos ? s.size() : space;
    if (iequals(s.substr(i, end - i), upper)) return true;
    i = end + 1;
  }
  return false;
}

/// s.substr(pos, n) without the bounds check and its exception path, for the
/// parsers' hot loops; pos <= s.size() is the caller's promise.
constexpr std::string_view slice(std::string_view s, std::size_t pos, std::size_t n = std::string_view::npos) noexcept {
  const std::size_t left = s.size() - pos;
  return {s.data() + pos, n < left ? n : left};
}

enum char_class : std::uint8_t {
  atext = 1,        ///< RFC 5322 atext: a Dot-string's atoms
  qtext = 2,        ///< RFC 5321 qtextSMTP: %d32-33 / %d35-91 / %d93-126
  esmtp_value = 4,  ///< %d33-60 / %d62-126
  xchar = 8,        ///< RFC 3461: "!".."~" but "+" and "="
  dcontent = 16,    ///< %d33-90 / %d94-126: a general address literal's content
  base64 = 32,      ///< the base64 alphabet without "="
};

constexpr std::array<std::uint8_t, 256> make_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 33; c <= 126; ++c) {
    std::uint8_t v = 0;
    const bool special = std::string_view("()<>[]:;@\\,.\"").find(static_cast<char>(c)) != std::string_view::npos;
    if (!special) v |= atext;
    if (c != '"' && c != '\\') v |= qtext;
    if (c != '=') v |= esmtp_value;
    if (c != '+' && c != '=') v |= xchar;
    if (c != '[' && c != '\\' && c != ']') v |= dcontent;
    if (is_alnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') v |= base64;
    t[static_cast<std::size_t>(c)] = v;
  }
  t[' '] = qtext;
  return t;
}
inline constexpr std::array<std::uint8_t, 256> classes = make_classes();

constexpr bool has(char c, char_class k) noexcept { return (classes[static_cast<unsigned char>(c)] & k) != 0; }

/// Length of the well-formed UTF-8 sequence of a non-ASCII character at the
/// start of s (RFC 3629: no overlongs, no surrogates, at most U+10FFFF), or 0.
constexpr std::size_t utf8_sequence(std::string_view s) noexcept {
  if (s.empty()) return 0;
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  std::size_t n = 0;
  unsigned char lo = 0x80;
  unsigned char hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (std::size_t i = 2; i < n; ++i)
    if (b(i) < 0x80 || b(i) > 0xbf) return 0;
  return n;
}

/// Appends code point `cp` (at most U+10FFFF, not a surrogate: the caller's
/// to check) as UTF-8.
inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

/// A TCP port written in decimal, 0 to 65535, at most 5 digits. Leading zeros
/// ("00025") only when allowed: HOST:PORT takes them, the PROXY protocol's
/// ports may not have them.
constexpr bool parse_port(std::string_view s, std::uint16_t& port, bool leading_zeros) noexcept {
  if (s.empty() || s.size() > 5 || (!leading_zeros && s.size() > 1 && s.front() == '0')) return false;
  unsigned value = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace ehlo::proto::syntax
