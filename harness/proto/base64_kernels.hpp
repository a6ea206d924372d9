// The implementations behind base64's encode and decode, one per instruction
// set, and the decoder's state machine they share.
//
// Internal: the public API (base64.hpp) picks the best kernel this CPU runs.
// Tests, benchmarks and fuzz targets name a kernel explicitly so each path is
// checked against the scalar one, which is the reference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "proto/base64.hpp"

namespace ehlo::proto::base64::detail {

enum class kernel : std::uint8_t {
  scalar,      ///< portable C++; the reference
  avx2,        ///< 32 characters per step
  avx512vbmi,  ///< 64 characters per step (AVX-512 F, BW and VBMI)
};

inline constexpr kernel all_kernels[] = {kernel::scalar, kernel::avx2, kernel::avx512vbmi};

std::string_view name(kernel k) noexcept;
/// Whether this CPU (and OS) runs k; scalar always.
bool supported(kernel k) noexcept;
/// The fastest supported kernel, chosen once.
kernel best() noexcept;

/// The decoder between two characters: the sextets of the quantum in progress
/// and how many '=' followed them. A quantum is "settled" when nothing of it
/// is pending: none begun, or a final quantum completed by its padding.
struct quantum {
  std::uint32_t acc = 0;
  std::uint8_t have = 0;  ///< data sextets, 0..3
  std::uint8_t pads = 0;  ///< '=' seen, 0..2

  bool empty() const noexcept { return have == 0 && pads == 0; }
  bool settled() const noexcept { return have == 0 || (pads != 0 && have + pads == 4); }
};

/// What run() did with its input.
struct run_result {
  std::size_t written = 0;  ///< bytes of output
  std::size_t settled = 0;  ///< characters up to the last point the quantum was settled
  std::size_t stop = 0;     ///< on error: index of the offending character; else the input size
  error failed{};           ///< 0 when every character was taken
};

/// Runs the state machine over in from state q, writing whole quanta to out
/// (which holds decoded_size_max(in.size()) bytes plus whatever q may still
/// emit; SIMD kernels write only inside that). Does not apply the end-of-input
/// rules: see end(). `settled` is SIZE_MAX when q was not settled at the start
/// and never became so.
///
/// A quantum may spread over at most max_span bytes (whitespace between its
/// characters), else error::quantum_too_long at the first byte past it;
/// span_before is how many bytes of the quantum in q came before in.
run_result run(kernel k, std::string_view in, char* out, quantum& q, const decode_options& opt,
               std::size_t max_span = SIZE_MAX, std::size_t span_before = 0) noexcept;

/// The end-of-input rules for the final quantum q: writes its 0..2 bytes.
/// Returns the count, or sets e.
std::size_t end(quantum& q, char* out, error& e, const decode_options& opt) noexcept;

/// encode() and decode() of base64.hpp, with the kernel named.
std::size_t encode(kernel k, std::string_view in, char* out) noexcept;
std::size_t decode(kernel k, std::string_view in, char* out, std::error_code& ec, const decode_options& opt,
                   std::size_t& error_at) noexcept;

// The SIMD block loops. Each handles only whole blocks and leaves the rest to
// the caller; each keeps its loads inside in[0, n) and its stores inside
// out[0, encoded_size(n)) or out[0, decoded_size_max(n)).

/// Encodes whole blocks of 3-byte groups; returns the input bytes taken (a multiple of 3).
std::size_t encode_avx2(const unsigned char* in, std::size_t n, char* out) noexcept;
std::size_t encode_avx512vbmi(const unsigned char* in, std::size_t n, char* out) noexcept;

/// Decodes whole blocks made only of alphabet characters; returns the
/// characters taken (a multiple of 4). *bad is the index in `in` of the first
/// other byte of the block it stopped at, or n when it ran short of input.
std::size_t decode_avx2(const char* in, std::size_t n, char* out, std::size_t* bad) noexcept;
std::size_t decode_avx512vbmi(const char* in, std::size_t n, char* out, std::size_t* bad) noexcept;

}  // namespace ehlo::proto::base64::detail
