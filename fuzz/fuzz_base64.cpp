// dictionary: smtp.dict
//
// base64: the properties encode, decode and the streaming decoder promise.
//
// Input: byte 0 picks the decode options (bits 0-2) and byte 1 seeds the
// split points of the streaming decoder; the rest is the payload, used both
// as bytes to encode and as characters to decode.
//
// Properties:
//   1. decode(encode(x)) == x, and every kernel encodes x to the same text;
//      encode_lines(x) decodes back to x when whitespace is allowed.
//   2. On the payload as base64, every kernel gives the scalar kernel's bytes,
//      error and error position, under the chosen options.
//   3. Bounds: a decode writes at most decoded_size_max(n) bytes, and a
//      successful one of input without whitespace exactly decoded_size(in).
//   4. The streaming decoder, fed the payload in pieces, gives decode()'s
//      bytes, error and error offset.
//   5. Differential against OpenSSL 3.0, on the inputs both define:
//      - EVP_DecodeBlock decodes every group of 4 characters of the
//        64-letter alphabet and reads '=' as the letter 'A' (it keeps the
//        padding's zero bytes in its count and accepts '=' anywhere), trims
//        leading SP/HTAB and trailing whitespace and '-', and checks only that
//        the rest is a multiple of 4. So we compare on D = { y "="^p : y made
//        of alphabet letters only, p <= 2 }: there our strict decode succeeds
//        exactly when OpenSSL does and the p bytes the padding stands for are
//        zero (otherwise our error is non_zero_trailing_bits; when OpenSSL
//        fails, ours is truncated or bad_padding), and then OpenSSL's bytes
//        are ours followed by p zeros.
//      - EVP_DecodeUpdate/Final skip SP, HTAB, CR and LF anywhere, stop at
//        '-' (a PEM boundary), reject data after '=' and a final group short
//        of 4, and never check the padding's bits. So on D_ws = D with any
//        SP/HTAB/CR/LF inserted: ours with allow_whitespace and
//        allow_non_zero_trailing_bits succeeds exactly when OpenSSL does,
//        with the same bytes; ours strict on trailing bits succeeds only if
//        OpenSSL does.
#include <openssl/evp.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "guarded_buffer.hpp"
#include "proto/base64.hpp"
#include "proto/base64_kernels.hpp"
#include "proto/error.hpp"

namespace {

namespace b64 = ehlo::proto::base64;
using b64::detail::kernel;
using ehlo::fuzz::guarded_buffer;

struct result {
  std::string bytes;
  std::error_code ec;
  std::size_t at = 0;
  bool operator==(const result&) const = default;
};

// Storage reused by every run. The kernels see guarded buffers of exactly
// the promised sizes, so ASan catches a kernel that reads or writes past them.
struct scratch {
  guarded_buffer in, out;
  std::string coded, text, stream_out, stream_buf;
  result want, got;
  std::vector<unsigned char> theirs;
  EVP_ENCODE_CTX* ctx = nullptr;
};
scratch& sc() {
  static scratch s;
  return s;
}

EHLO_FUZZ_HARNESS bool has_space(std::string_view in) {
  for (const char c : in)
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return true;
  return false;
}

EHLO_FUZZ_HARNESS void decode_with(kernel k, std::string_view in, const b64::decode_options& opt, result& r) {
  const std::string_view input = sc().in.copy(in);
  const std::size_t max = b64::decoded_size_max(in.size());
  char* out = sc().out.get(max);
  r.ec = {};
  r.at = 0;
  const std::size_t n = b64::detail::decode(k, input, out, r.ec, opt, r.at);
  FUZZ_CHECK(n <= max);
  if (!r.ec && !has_space(in)) FUZZ_CHECK(n == b64::decoded_size(in));
  r.bytes.assign(out, n);
}

EHLO_FUZZ_HARNESS void encode_with(kernel k, std::string_view in, std::string& text) {
  const std::string_view input = sc().in.copy(in);
  const std::size_t size = b64::encoded_size(in.size());
  char* out = sc().out.get(size);
  FUZZ_CHECK(b64::detail::encode(k, input, out) == size);
  text.assign(out, size);
}

EHLO_FUZZ_HARNESS void stream(std::string_view in, const b64::decode_options& opt, std::uint8_t seed, result& r) {
  std::string& out = sc().stream_out;
  out.clear();
  b64::decoder::settings s;
  s.options = opt;
  s.max_quantum_span = std::numeric_limits<std::size_t>::max();  // decode() has no such limit
  b64::decoder d(out, s);
  std::string& buf = sc().stream_buf;
  buf.clear();
  std::error_code ec;
  std::size_t pos = 0;
  std::uint32_t x = seed * 2654435761u + 1;
  while (pos < in.size()) {
    x = x * 1103515245u + 12345u;
    const std::size_t piece = 1 + (x >> 16) % 9;
    buf.append(in.substr(pos, piece));
    pos += piece;
    buf.erase(0, d.put(buf, ec));
    if (ec && !ehlo::proto::is_need_more(ec)) break;
    FUZZ_CHECK(buf.size() < 4 || opt.allow_whitespace);  // only a partial quantum is left over
  }
  if (!ec || ehlo::proto::is_need_more(ec)) d.finish(ec);
  FUZZ_CHECK(out.size() <= b64::decoded_size_max(in.size()));
  r.bytes.assign(out);
  r.ec = ec;
  r.at = ec ? static_cast<std::size_t>(d.error_offset()) : 0;
}

EHLO_FUZZ_HARNESS bool is_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}
EHLO_FUZZ_HARNESS bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// in, less SP/HTAB/CR/LF when skip_space, is y "="^p with y letters only; p is set.
EHLO_FUZZ_HARNESS bool in_domain(std::string_view in, bool skip_space, std::size_t& p) {
  p = 0;
  std::size_t end = in.size();  // in[end, size) holds the p '=' and skipped space
  while (end > 0 && p < 2 && (in[end - 1] == '=' || (skip_space && is_space(in[end - 1])))) p += in[--end] == '=';
  for (std::size_t i = 0; i < end; ++i)
    if (!is_letter(in[i]) && !(skip_space && is_space(in[i]))) return false;
  return true;
}

EHLO_FUZZ_HARNESS void differential_block(std::string_view in) {
  std::size_t p = 0;
  if (!in_domain(in, false, p)) return;
  std::vector<unsigned char>& theirs = sc().theirs;
  theirs.resize(in.size() / 4 * 3 + 3);
  const int n =
      EVP_DecodeBlock(theirs.data(), reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  result& ours = sc().got;
  decode_with(kernel::scalar, in, {}, ours);
  if (n < 0) {
    FUZZ_CHECK(ours.ec == b64::error::truncated || ours.ec == b64::error::bad_padding);
    return;
  }
  const auto len = static_cast<std::size_t>(n);
  FUZZ_CHECK(len >= p);
  bool padding_zero = true;
  for (std::size_t i = len - p; i < len; ++i) padding_zero = padding_zero && theirs[i] == 0;
  if (!padding_zero) {
    FUZZ_CHECK(ours.ec == b64::error::non_zero_trailing_bits);
    return;
  }
  FUZZ_CHECK(!ours.ec);
  FUZZ_CHECK(ours.bytes == std::string_view(reinterpret_cast<const char*>(theirs.data()), len - p));
}

EHLO_FUZZ_HARNESS void differential_update(std::string_view in) {
  std::size_t p = 0;
  if (!in_domain(in, true, p)) return;
  std::vector<unsigned char>& theirs = sc().theirs;
  theirs.resize(in.size() + 80);
  // One context for every run: EVP_DecodeInit resets all of its state.
  EVP_ENCODE_CTX*& ctx = sc().ctx;
  if (ctx == nullptr) ctx = EVP_ENCODE_CTX_new();
  FUZZ_CHECK(ctx != nullptr);
  EVP_DecodeInit(ctx);
  int len = 0;
  int last = 0;
  const int r = EVP_DecodeUpdate(ctx, theirs.data(), &len, reinterpret_cast<const unsigned char*>(in.data()),
                                 static_cast<int>(in.size()));
  const bool ok = r >= 0 && EVP_DecodeFinal(ctx, theirs.data() + len, &last) == 1;
  result& lenient = sc().got;
  decode_with(kernel::scalar, in, {.allow_whitespace = true, .allow_non_zero_trailing_bits = true}, lenient);
  FUZZ_CHECK(ok == !lenient.ec);
  if (ok)
    FUZZ_CHECK(lenient.bytes ==
               std::string_view(reinterpret_cast<const char*>(theirs.data()), static_cast<std::size_t>(len + last)));
  decode_with(kernel::scalar, in, {.allow_whitespace = true}, lenient);
  if (!lenient.ec) FUZZ_CHECK(ok);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" EHLO_FUZZ_HARNESS int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::uint8_t flags = size > 0 ? data[0] : 0;
  const std::uint8_t seed = size > 1 ? data[1] : 0;
  const std::string_view payload =
      size > 2 ? std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2) : std::string_view{};
  const b64::decode_options opt{.allow_whitespace = (flags & 1) != 0,
                                .allow_missing_padding = (flags & 2) != 0,
                                .allow_non_zero_trailing_bits = (flags & 4) != 0};
  scratch& s = sc();

  // 1. Round trips, every kernel.
  encode_with(kernel::scalar, payload, s.coded);
  FUZZ_CHECK(s.coded.size() == b64::encoded_size(payload.size()));
  for (const auto k : b64::detail::all_kernels) {
    if (!b64::detail::supported(k)) continue;
    if (k != kernel::scalar) {  // s.coded is scalar's
      encode_with(k, payload, s.text);
      FUZZ_CHECK(s.text == s.coded);
    }
    decode_with(k, s.coded, {}, s.got);
    FUZZ_CHECK(s.got.bytes == payload && !s.got.ec && s.got.at == 0);
  }
  std::error_code ec;
  FUZZ_CHECK(b64::decode(b64::encode_lines(payload), ec, {.allow_whitespace = true}) == payload);
  FUZZ_CHECK(!ec);

  // 2, 3. The payload as base64: every kernel agrees with scalar.
  decode_with(kernel::scalar, payload, opt, s.want);
  for (const auto k : b64::detail::all_kernels) {
    if (!b64::detail::supported(k) || k == kernel::scalar) continue;
    decode_with(k, payload, opt, s.got);
    FUZZ_CHECK(s.got == s.want);
  }

  // 4. The streaming decoder, in pieces.
  stream(payload, opt, seed, s.got);
  FUZZ_CHECK(s.got == s.want);

  // 5. OpenSSL, where it defines the same thing.
  differential_block(payload);
  differential_update(payload);
  return 0;
}
