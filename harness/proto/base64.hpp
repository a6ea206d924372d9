// Base64 (RFC 4648 §4) as SMTP uses it: AUTH exchanges (RFC 4954), MIME
// bodies (RFC 2045 §6.8, lines of at most 76 characters).
//
// Decoding is strict by default: only the alphabet, padding to a multiple of
// four, nothing after the padding. Each leniency is a named flag.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace ehlo::proto::base64 {

enum class error {
  bad_character = 1,       ///< a byte outside the alphabet (and outside whitespace, when allowed)
  bad_padding,             ///< '=' where it cannot be, or the wrong number of them
  truncated,               ///< the input does not end on a whole quantum
  non_zero_trailing_bits,  ///< the last quantum's unused bits are not zero (not canonical)
  cancelled,               ///< the SASL response "*": the client cancels the exchange
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(error e) noexcept;

struct decode_options {
  /// Skip SP, HTAB, CR and LF anywhere. MIME bodies are line-wrapped; in an
  /// AUTH response whitespace is a protocol error, so it is off by default.
  bool allow_whitespace = false;
  /// Accept input whose last quantum lacks its '=' padding, as some clients send.
  bool allow_missing_padding = false;
  /// Accept non-zero bits after the last full byte. Dangerous: two different
  /// encodings then decode to the same bytes, which defeats comparisons.
  bool allow_non_zero_trailing_bits = false;
};

/// Exact size of the encoding of n bytes.
constexpr std::size_t encoded_size(std::size_t n) noexcept { return (n + 2) / 3 * 4; }
/// An upper bound on the bytes n characters of base64 decode to.
constexpr std::size_t decoded_size_bound(std::size_t n) noexcept { return (n + 3) / 4 * 3; }

/// Writes encoded_size(in.size()) characters at out; returns that count.
std::size_t encode(std::string_view in, char* out) noexcept;
std::string encode(std::string_view in);

/// MIME's form: lines of at most `columns` characters (a multiple of 4, at
/// least 4), each ended by CRLF, the last one too. Empty input gives "".
std::string encode_lines(std::string_view in, std::size_t columns = 76);

/// Decodes into out, which must hold decoded_size_bound(in.size()) bytes.
/// Returns the bytes written; on error, ec is set and the return value is the
/// number of bytes decoded before the offending character.
std::size_t decode(std::string_view in, char* out, std::error_code& ec, const decode_options& opt = {}) noexcept;
std::string decode(std::string_view in, std::error_code& ec, const decode_options& opt = {});

/// SASL's forms (RFC 4954 §4): an empty response is "=", and "*" cancels.
std::string encode_sasl(std::string_view in);
/// Decodes a SASL response line (without its CRLF); "*" gives error::cancelled.
std::string decode_sasl(std::string_view line, std::error_code& ec);

}  // namespace ehlo::proto::base64

template <>
struct std::is_error_code_enum<ehlo::proto::base64::error> : std::true_type {};
