// Base64 (RFC 4648 §4) as SMTP uses it: AUTH exchanges (RFC 4954), MIME
// bodies (RFC 2045 §6.8, lines of at most 76 characters).
//
// Decoding is strict by default: only the alphabet, padding to a multiple of
// four, nothing after the padding. Each leniency is a named flag.
//
// encode and decode run SIMD kernels (AVX2, AVX-512 VBMI) when the CPU has
// them and a scalar loop otherwise; all give the same bytes, errors and error
// positions (base64_kernels.hpp; the tests and fuzz_base64 check it).
#pragma once

#include <cstddef>
#include <cstdint>
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
  quantum_too_long,        ///< decoder: one quantum spread over more than max_quantum_span bytes
  too_large,               ///< decoder: the output would pass max_output bytes
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
/// The most bytes n characters can decode to, whatever the options: each
/// character carries at most six bits. Never more than decoded_size_bound(n).
constexpr std::size_t decoded_size_max(std::size_t n) noexcept { return n / 4 * 3 + n % 4 * 3 / 4; }
/// The size a successful decode of `in` has when `in` holds no whitespace: the
/// bits of its characters but the trailing '=' (at most two), in whole bytes.
/// With whitespace it is an upper bound.
std::size_t decoded_size(std::string_view in) noexcept;

/// Writes encoded_size(in.size()) characters at out; returns that count.
std::size_t encode(std::string_view in, char* out) noexcept;
std::string encode(std::string_view in);

/// MIME's form: lines of at most `columns` characters (a multiple of 4, at
/// least 4), each ended by CRLF, the last one too. Empty input gives "".
std::string encode_lines(std::string_view in, std::size_t columns = 76);

/// Decodes into out, which must hold decoded_size_max(in.size()) bytes (so
/// decoded_size_bound's is enough); nothing is written past them. Returns the
/// bytes written; on error, ec is set and the return value is the number of
/// bytes decoded before the offending character.
std::size_t decode(std::string_view in, char* out, std::error_code& ec, const decode_options& opt = {}) noexcept;
/// As above; on error also sets error_at to the index of the offending
/// character, or to in.size() when the input ended too early or its final
/// quantum is wrong (truncated, short of padding, non-zero trailing bits).
std::size_t decode(std::string_view in, char* out, std::error_code& ec, const decode_options& opt,
                   std::size_t& error_at) noexcept;
std::string decode(std::string_view in, std::error_code& ec, const decode_options& opt = {});

/// SASL's forms (RFC 4954 §4): an empty response is "=", and "*" cancels.
std::string encode_sasl(std::string_view in);
/// Decodes a SASL response line (without its CRLF); "*" gives error::cancelled.
std::string decode_sasl(std::string_view line, std::error_code& ec);

/// A streaming decoder in the parser shape, for base64 that arrives in pieces
/// (a MIME body line by line). put() decodes every whole quantum of its input
/// and appends the bytes to the output string given at construction; the
/// characters of a quantum not yet complete stay unconsumed (need_more), and
/// the caller passes them again with more input (they are not rescanned).
/// finish() ends the stream: what put() left unconsumed is the last quantum.
/// The bytes, errors and error offsets are those decode() gives for the
/// concatenated input, however it was split.
class decoder {
 public:
  struct settings {
    decode_options options{};
    /// Bytes one quantum may spread over, whitespace between its characters
    /// included; past it, error::quantum_too_long. Without allow_whitespace a
    /// quantum never spans more than 4. Bounds what put() leaves unconsumed.
    std::size_t max_quantum_span = 1024;
    /// Bytes of output in all; past it, error::too_large.
    std::size_t max_output = std::size_t{64} << 20;
  };

  explicit decoder(std::string& out) : decoder(out, settings{}) {}
  decoder(std::string& out, const settings& s) : out_(&out), settings_(s) {}

  /// Decodes the whole quanta of in and returns the bytes consumed: the input
  /// up to the end of the last whole quantum (and the whitespace after it).
  /// ec is need_more when bytes are left over, success when none are. Errors
  /// are sticky until reset().
  std::size_t put(std::string_view in, std::error_code& ec);
  /// The input has ended. The bytes the last put() left unconsumed (already
  /// scanned: the caller need not pass them) are the final quantum; applies
  /// the end-of-input rules to it and appends its bytes. Call reset() before
  /// decoding another stream.
  void finish(std::error_code& ec);
  /// Starts over with a fresh stream; the output string is left alone.
  void reset() noexcept;

  /// Input bytes consumed since construction or reset().
  std::uint64_t consumed() const noexcept { return consumed_; }
  /// Output bytes appended since construction or reset().
  std::uint64_t written() const noexcept { return written_; }
  /// The stream offset of the byte that caused the error (for an error at the
  /// end of input, the offset of the end).
  std::uint64_t error_offset() const noexcept { return error_offset_; }

 private:
  std::size_t fail(error e, std::uint64_t offset, std::error_code& ec);

  std::string* out_;
  settings settings_;
  std::error_code error_;
  std::uint64_t consumed_ = 0;
  std::uint64_t written_ = 0;
  std::uint64_t error_offset_ = 0;
  // The quantum at the consumed point, and how far past it the last put()
  // already scanned with the quantum there: a grown buffer is not rescanned.
  std::uint32_t acc_ = 0, scan_acc_ = 0;
  std::uint8_t have_ = 0, scan_have_ = 0;
  std::uint8_t pads_ = 0, scan_pads_ = 0;
  std::size_t scanned_ = 0;
};

}  // namespace ehlo::proto::base64

template <>
struct std::is_error_code_enum<ehlo::proto::base64::error> : std::true_type {};
