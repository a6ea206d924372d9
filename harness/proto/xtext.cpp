#include "proto/xtext.hpp"

#include <array>

#include "proto/error.hpp"

namespace ehlo::proto::xtext {

namespace {

constexpr std::array<std::string_view, 3> messages{
    "",
    "an octet that xtext must hex-encode",
    "\"+\" not followed by two upper-case hex digits",
};
const table_category category{"ehlo.xtext", messages};

constexpr char hex_digits[] = "0123456789ABCDEF";

/// The value of a hex digit, or -1; lower case only when allowed.
constexpr int hex_value(char c, bool lower) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (lower && c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

const std::error_category& error_category() noexcept { return category; }
std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), category}; }

std::size_t encoded_size(std::string_view raw) noexcept {
  std::size_t n = 0;
  for (const char c : raw) n += is_xchar(c) ? 1 : 3;
  return n;
}

std::size_t encode(std::string_view raw, char* out) noexcept {
  char* o = out;
  for (const char c : raw) {
    if (is_xchar(c)) {
      *o++ = c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      *o++ = '+';
      *o++ = hex_digits[u >> 4];
      *o++ = hex_digits[u & 15];
    }
  }
  return static_cast<std::size_t>(o - out);
}

std::string encode(std::string_view raw) {
  std::string out(encoded_size(raw), '\0');
  encode(raw, out.data());
  return out;
}

std::size_t decode(std::string_view x, char* out, std::error_code& ec, const decode_options& opt) noexcept {
  ec = {};
  char* o = out;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const char c = x[i];
    if (is_xchar(c)) {
      *o++ = c;
      continue;
    }
    if (c != '+') {
      ec = error::bad_character;
      break;
    }
    const int hi = i + 1 < x.size() ? hex_value(x[i + 1], opt.allow_lowercase_hex) : -1;
    const int lo = i + 2 < x.size() ? hex_value(x[i + 2], opt.allow_lowercase_hex) : -1;
    if (hi < 0 || lo < 0) {
      ec = error::bad_hexchar;
      break;
    }
    *o++ = static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return static_cast<std::size_t>(o - out);
}

std::size_t validate(std::string_view x, std::error_code& ec, const decode_options& opt) noexcept {
  ec = {};
  for (std::size_t i = 0; i < x.size(); ++i) {
    const char c = x[i];
    if (is_xchar(c)) continue;
    if (c != '+') {
      ec = error::bad_character;
      return i;
    }
    if (i + 2 >= x.size() || hex_value(x[i + 1], opt.allow_lowercase_hex) < 0 ||
        hex_value(x[i + 2], opt.allow_lowercase_hex) < 0) {
      ec = error::bad_hexchar;
      return i;
    }
    i += 2;
  }
  return std::string_view::npos;
}

std::string decode(std::string_view x, std::error_code& ec, const decode_options& opt) {
  std::string out(x.size(), '\0');
  out.resize(decode(x, out.data(), ec, opt));
  return out;
}

}  // namespace ehlo::proto::xtext
