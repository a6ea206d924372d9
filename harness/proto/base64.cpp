#include "proto/base64.hpp"

#include <array>
#include <cstdint>

#include "proto/error.hpp"

namespace ehlo::proto::base64 {

namespace {

constexpr std::array<std::string_view, 6> messages{
    "",
    "a character outside the base64 alphabet",
    "misplaced or missing '=' padding",
    "base64 input does not end on a whole quantum",
    "non-zero bits after the last byte of base64",
    "the client cancelled the exchange with \"*\"",
};
const table_category category{"ehlo.base64", messages};

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t invalid = 0xff;
constexpr std::uint8_t pad = 0xfe;
constexpr std::uint8_t space = 0xfd;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = invalid;
  for (std::uint8_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
  t['='] = pad;
  t[' '] = t['\t'] = t['\r'] = t['\n'] = space;
  return t;
}
constexpr auto decode_table = make_decode_table();

}  // namespace

const std::error_category& error_category() noexcept { return category; }
std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), category}; }

std::size_t encode(std::string_view in, char* out) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t n = in.size();
  char* o = out;
  for (; n >= 3; n -= 3, p += 3) {
    const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o++ = alphabet[v & 63];
  }
  if (n > 0) {
    const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (n == 2 ? std::uint32_t{p[1]} << 8 : 0);
    *o++ = alphabet[v >> 18];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = n == 2 ? alphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
  }
  return static_cast<std::size_t>(o - out);
}

std::string encode(std::string_view in) {
  std::string out(encoded_size(in.size()), '\0');
  encode(in, out.data());
  return out;
}

std::string encode_lines(std::string_view in, std::size_t columns) {
  columns = columns < 4 ? 4 : columns / 4 * 4;
  const std::size_t bytes_per_line = columns / 4 * 3;
  std::string out;
  out.reserve(encoded_size(in.size()) + (in.size() / bytes_per_line + 1) * 2);
  while (!in.empty()) {
    const auto chunk = in.substr(0, bytes_per_line);
    const std::size_t at = out.size();
    out.resize(at + encoded_size(chunk.size()));
    encode(chunk, out.data() + at);
    out += "\r\n";
    in.remove_prefix(chunk.size());
  }
  return out;
}

std::size_t decode(std::string_view in, char* out, std::error_code& ec, const decode_options& opt) noexcept {
  ec = {};
  std::uint32_t acc = 0;
  int have = 0;  // data sextets of the current quantum
  int pads = 0;  // '=' of the current quantum
  char* o = out;
  const auto fail = [&](error e) {
    ec = e;
    return static_cast<std::size_t>(o - out);
  };
  for (const char ch : in) {
    const std::uint8_t v = decode_table[static_cast<unsigned char>(ch)];
    if (v == space && opt.allow_whitespace) continue;
    if (v == space || v == invalid) return fail(error::bad_character);
    if (v == pad) {
      // '=' fills only the last one or two places of a quantum with two or three data sextets.
      if (have < 2 || have + ++pads > 4) return fail(error::bad_padding);
      continue;
    }
    if (pads != 0) return fail(error::bad_padding);  // data after padding
    acc = (acc << 6) | v;
    if (++have == 4) {
      *o++ = static_cast<char>(acc >> 16);
      *o++ = static_cast<char>(acc >> 8);
      *o++ = static_cast<char>(acc);
      have = 0;
      acc = 0;
    }
  }
  if (have == 0) return static_cast<std::size_t>(o - out);
  if (have == 1) return fail(error::truncated);  // six bits make no byte
  if (pads == 0 && !opt.allow_missing_padding) return fail(error::truncated);
  if (pads != 0 && have + pads != 4) return fail(error::bad_padding);
  // A final quantum of two sextets carries one byte and 4 unused bits; of three, two bytes and 2 bits.
  const int unused = have == 2 ? 4 : 2;
  if ((acc & ((1u << unused) - 1)) != 0 && !opt.allow_non_zero_trailing_bits)
    return fail(error::non_zero_trailing_bits);
  acc >>= unused;
  if (have == 3) *o++ = static_cast<char>(acc >> 8);
  *o++ = static_cast<char>(acc);
  return static_cast<std::size_t>(o - out);
}

std::string decode(std::string_view in, std::error_code& ec, const decode_options& opt) {
  std::string out(decoded_size_bound(in.size()), '\0');
  out.resize(decode(in, out.data(), ec, opt));
  return out;
}

std::string encode_sasl(std::string_view in) { return in.empty() ? std::string("=") : encode(in); }

std::string decode_sasl(std::string_view line, std::error_code& ec) {
  if (line == "*") {
    ec = error::cancelled;
    return {};
  }
  if (line == "=") {
    ec = {};
    return {};
  }
  return decode(line, ec);
}

}  // namespace ehlo::proto::base64
