#include "proto/base64.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

#include "proto/base64_kernels.hpp"
#include "proto/error.hpp"

namespace ehlo::proto::base64 {

namespace {

constexpr std::array<std::string_view, 8> messages{
    "",
    "a character outside the base64 alphabet",
    "misplaced or missing '=' padding",
    "base64 input does not end on a whole quantum",
    "non-zero bits after the last byte of base64",
    "the client cancelled the exchange with \"*\"",
    "a base64 quantum spread over too many bytes of whitespace",
    "decoded base64 output passed its size limit",
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

// A whole quantum at once: the sextet of character k of a quantum, already
// shifted into its place in the 24 bits; bit 24 marks a character that is not
// in the alphabet, so OR-ing the four lookups validates them all.
constexpr std::uint32_t not_alphabet = 1u << 24;
constexpr std::array<std::array<std::uint32_t, 256>, 4> make_quantum_tables() {
  std::array<std::array<std::uint32_t, 256>, 4> t{};
  for (int k = 0; k < 4; ++k)
    for (int c = 0; c < 256; ++c) {
      const std::uint8_t v = decode_table[static_cast<std::size_t>(c)];
      t[static_cast<std::size_t>(k)][static_cast<std::size_t>(c)] =
          v < 64 ? std::uint32_t{v} << (18 - 6 * k) : not_alphabet;
    }
  return t;
}
constexpr auto quantum_tables = make_quantum_tables();

// Two letters for each 12-bit value: half a quantum per lookup.
constexpr std::array<std::array<char, 2>, 4096> make_pair_table() {
  std::array<std::array<char, 2>, 4096> t{};
  for (std::size_t v = 0; v < 4096; ++v) t[v] = {alphabet[v >> 6], alphabet[v & 63]};
  return t;
}
constexpr auto pair_table = make_pair_table();

std::size_t encode_scalar(const unsigned char* p, std::size_t n, char* out) noexcept {
  char* o = out;
  for (; n >= 3; n -= 3, p += 3, o += 4) {
    const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
    std::memcpy(o, pair_table[v >> 12].data(), 2);
    std::memcpy(o + 2, pair_table[v & 0xfff].data(), 2);
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

using encode_blocks = std::size_t (*)(const unsigned char*, std::size_t, char*) noexcept;
using decode_blocks = std::size_t (*)(const char*, std::size_t, char*, std::size_t*) noexcept;

encode_blocks encoder_of(detail::kernel k) noexcept {
  switch (k) {
    case detail::kernel::avx2:
      return detail::encode_avx2;
    case detail::kernel::avx512vbmi:
      return detail::encode_avx512vbmi;
    case detail::kernel::scalar:
      break;
  }
  return nullptr;
}
decode_blocks decoder_of(detail::kernel k) noexcept {
  switch (k) {
    case detail::kernel::avx2:
      return detail::decode_avx2;
    case detail::kernel::avx512vbmi:
      return detail::decode_avx512vbmi;
    case detail::kernel::scalar:
      break;
  }
  return nullptr;
}

detail::kernel pick_best() noexcept {
  for (auto k : {detail::kernel::avx512vbmi, detail::kernel::avx2})
    if (detail::supported(k)) return k;
  return detail::kernel::scalar;
}

}  // namespace

const std::error_category& error_category() noexcept { return category; }
std::error_code make_error_code(error e) noexcept { return {static_cast<int>(e), category}; }

namespace detail {

std::string_view name(kernel k) noexcept {
  switch (k) {
    case kernel::scalar:
      return "scalar";
    case kernel::avx2:
      return "avx2";
    case kernel::avx512vbmi:
      return "avx512vbmi";
  }
  return "?";
}

bool supported(kernel k) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  switch (k) {
    case kernel::scalar:
      return true;
    case kernel::avx2:
      return __builtin_cpu_supports("avx2");
    case kernel::avx512vbmi:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vbmi");
  }
  return false;
#else
  return k == kernel::scalar;
#endif
}

kernel best() noexcept {
  static const kernel k = pick_best();
  return k;
}

std::size_t encode(kernel k, std::string_view in, char* out) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t done = 0;
  if (const auto blocks = encoder_of(k)) done = blocks(p, in.size(), out);
  return done / 3 * 4 + encode_scalar(p + done, in.size() - done, out + done / 3 * 4);
}

// The state machine is the reference; the fast paths only ever start from an
// empty quantum and consume whole quanta of alphabet characters, where every
// character does exactly what the state machine would (append its sextet; the
// fourth emits three bytes and empties the quantum again). So the errors, the
// error positions and every leniency are the state machine's, whichever
// kernel ran. After a block that a fast path refused, the byte-wise machine
// runs at least past the refused byte before a fast path is tried again.
run_result run(kernel k, std::string_view in, char* out, quantum& q, const decode_options& opt, std::size_t max_span,
               std::size_t span_before) noexcept {
  constexpr std::size_t never = std::numeric_limits<std::size_t>::max();
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  const decode_blocks blocks = decoder_of(k);
  run_result r;
  r.settled = q.settled() ? 0 : never;
  std::size_t i = 0;
  std::size_t o = 0;
  std::size_t blocks_from = 0;  // a block kernel refused a byte before here
  while (i < n) {
    if (q.empty()) {
      if (blocks != nullptr && i >= blocks_from) {
        std::size_t bad = 0;
        const std::size_t took = blocks(in.data() + i, n - i, out + o, &bad);
        blocks_from = i + bad + 1;
        i += took;
        o += took / 4 * 3;
      }
      for (; n - i >= 4; i += 4, o += 3) {
        const std::uint32_t v = quantum_tables[0][p[i]] | quantum_tables[1][p[i + 1]] | quantum_tables[2][p[i + 2]] |
                                quantum_tables[3][p[i + 3]];
        if (v & not_alphabet) break;
        out[o] = static_cast<char>(v >> 16);
        out[o + 1] = static_cast<char>(v >> 8);
        out[o + 2] = static_cast<char>(v);
      }
      r.settled = i;
      if (i == n) break;
    }
    if (!q.settled()) {
      // The quantum began right after the last settled point (or before in).
      const std::size_t span = (r.settled == never ? span_before + i : i - r.settled) + 1;
      if (span > max_span) {
        r.failed = error::quantum_too_long;
        r.stop = i;
        r.written = o;
        return r;
      }
    }
    const std::uint8_t v = decode_table[p[i]];
    if (v == space && opt.allow_whitespace) {
      if (q.settled()) r.settled = i + 1;
      ++i;
      continue;
    }
    error e{};
    if (v == space || v == invalid) {
      e = error::bad_character;
    } else if (v == pad) {
      // '=' fills only the last one or two places of a quantum with two or three data sextets.
      if (q.have < 2 || q.have + ++q.pads > 4) e = error::bad_padding;
    } else if (q.pads != 0) {
      e = error::bad_padding;  // data after padding
    } else {
      q.acc = (q.acc << 6) | v;
      if (++q.have == 4) {
        out[o++] = static_cast<char>(q.acc >> 16);
        out[o++] = static_cast<char>(q.acc >> 8);
        out[o++] = static_cast<char>(q.acc);
        q = {};
      }
    }
    if (e != error{}) {
      r.failed = e;
      r.stop = i;
      r.written = o;
      return r;
    }
    ++i;
    if (q.settled()) r.settled = i;
  }
  r.stop = n;
  r.written = o;
  return r;
}

std::size_t end(quantum& q, char* out, error& e, const decode_options& opt) noexcept {
  e = {};
  if (q.have == 0) return 0;
  if (q.have == 1) {
    e = error::truncated;  // six bits make no byte
    return 0;
  }
  if (q.pads == 0 && !opt.allow_missing_padding) {
    e = error::truncated;
    return 0;
  }
  if (q.pads != 0 && q.have + q.pads != 4) {
    e = error::bad_padding;
    return 0;
  }
  // A final quantum of two sextets carries one byte and 4 unused bits; of three, two bytes and 2 bits.
  const unsigned unused = q.have == 2 ? 4 : 2;
  if ((q.acc & ((1u << unused) - 1)) != 0 && !opt.allow_non_zero_trailing_bits) {
    e = error::non_zero_trailing_bits;
    return 0;
  }
  const std::uint32_t bits = q.acc >> unused;
  std::size_t o = 0;
  if (q.have == 3) out[o++] = static_cast<char>(bits >> 8);
  out[o++] = static_cast<char>(bits);
  q = {};
  return o;
}

std::size_t decode(kernel k, std::string_view in, char* out, std::error_code& ec, const decode_options& opt,
                   std::size_t& error_at) noexcept {
  ec = {};
  error_at = 0;
  quantum q;
  const run_result r = run(k, in, out, q, opt);
  if (r.failed != error{}) {
    ec = r.failed;
    error_at = r.stop;
    return r.written;
  }
  error e{};
  const std::size_t last = end(q, out + r.written, e, opt);
  if (e != error{}) {
    ec = e;
    error_at = in.size();
  }
  return r.written + last;
}

}  // namespace detail

std::size_t decoded_size(std::string_view in) noexcept {
  std::size_t n = in.size();
  for (int i = 0; i < 2 && n > 0 && in[n - 1] == '='; ++i) --n;
  return n * 3 / 4;
}

std::size_t encode(std::string_view in, char* out) noexcept { return detail::encode(detail::best(), in, out); }

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
  std::size_t error_at = 0;
  return detail::decode(detail::best(), in, out, ec, opt, error_at);
}

std::size_t decode(std::string_view in, char* out, std::error_code& ec, const decode_options& opt,
                   std::size_t& error_at) noexcept {
  return detail::decode(detail::best(), in, out, ec, opt, error_at);
}

std::string decode(std::string_view in, std::error_code& ec, const decode_options& opt) {
  std::string out(decoded_size_max(in.size()), '\0');
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

// The streaming decoder runs the same state machine from the quantum at its
// consumed point. Output is emitted only when a quantum completes, which
// leaves it settled, so everything written so far belongs to the consumed
// part and nothing has to be taken back when a put() stops short.
std::size_t decoder::fail(error e, std::uint64_t offset, std::error_code& ec) {
  error_ = e;
  error_offset_ = offset;
  ec = error_;
  return 0;
}

std::size_t decoder::put(std::string_view in, std::error_code& ec) {
  constexpr std::size_t never = std::numeric_limits<std::size_t>::max();
  if (error_) {
    ec = error_;
    return 0;
  }
  // Resume where the last call stopped scanning, if the caller passed those bytes again.
  std::size_t from = 0;
  detail::quantum q{acc_, have_, pads_};
  if (scanned_ != 0 && scanned_ <= in.size()) {
    from = scanned_;
    q = {scan_acc_, scan_have_, scan_pads_};
  }
  const std::string_view fresh = in.substr(from);
  const detail::quantum before = q;
  const std::size_t at = out_->size();
  out_->resize(at + decoded_size_max(fresh.size()) + 3);
  const std::size_t max_span = std::max<std::size_t>(settings_.max_quantum_span, 4);
  const auto r = detail::run(detail::best(), fresh, out_->data() + at, q, settings_.options, max_span, from);
  if (written_ + r.written > settings_.max_output) {
    // Find the character whose quantum passed the limit, one at a time: this
    // happens once per stream, and the error must not depend on how the input
    // was split.
    const std::size_t room = static_cast<std::size_t>(settings_.max_output - written_);
    std::size_t j = 0;
    std::size_t count = 0;
    char scratch[4];
    for (q = before; j < fresh.size(); ++j) {
      count += detail::run(detail::kernel::scalar, fresh.substr(j, 1), scratch, q, settings_.options).written;
      if (count > room) break;
    }
    out_->resize(at + room);
    written_ = settings_.max_output;
    return fail(error::too_large, consumed_ + from + j, ec);
  }
  out_->resize(at + r.written);
  written_ += r.written;
  const std::size_t consumed = r.settled == never ? 0 : from + r.settled;
  if (r.failed != error{}) {
    consumed_ += consumed;
    fail(r.failed, consumed_ + (from + r.stop - consumed), ec);
    return consumed;
  }
  if (r.settled != never) {
    // Past a settled point the quantum is empty, unless it is the final padded
    // one and nothing but (allowed) whitespace has followed it.
    if (consumed == in.size())
      acc_ = q.acc, have_ = q.have, pads_ = q.pads;
    else
      acc_ = 0, have_ = 0, pads_ = 0;
  }
  consumed_ += consumed;
  const std::size_t left = in.size() - consumed;
  scanned_ = left;
  scan_acc_ = q.acc, scan_have_ = q.have, scan_pads_ = q.pads;
  ec = left == 0 ? std::error_code{} : make_error_code(proto::error::need_more);
  return consumed;
}

void decoder::finish(std::error_code& ec) {
  if (error_) {
    ec = error_;
    return;
  }
  detail::quantum q =
      scanned_ != 0 ? detail::quantum{scan_acc_, scan_have_, scan_pads_} : detail::quantum{acc_, have_, pads_};
  const std::uint64_t stream_end = consumed_ + scanned_;
  char last[2];
  error e{};
  const std::size_t n = detail::end(q, last, e, settings_.options);
  if (e != error{}) {
    fail(e, stream_end, ec);
    return;
  }
  if (written_ + n > settings_.max_output) {
    out_->append(last, static_cast<std::size_t>(settings_.max_output - written_));
    written_ = settings_.max_output;
    fail(error::too_large, stream_end, ec);
    return;
  }
  out_->append(last, n);
  written_ += n;
  consumed_ = stream_end;
  acc_ = 0, have_ = 0, pads_ = 0;
  scanned_ = 0;
  ec = {};
}

void decoder::reset() noexcept {
  error_ = {};
  consumed_ = written_ = error_offset_ = 0;
  acc_ = scan_acc_ = 0;
  have_ = scan_have_ = pads_ = scan_pads_ = 0;
  scanned_ = 0;
}

}  // namespace ehlo::proto::base64
