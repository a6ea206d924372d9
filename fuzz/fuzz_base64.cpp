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
#include "proto/base64.hpp"
#include "proto/base64_kernels.hpp"
#include "proto/error.hpp"

namespace {

namespace b64 = ehlo::proto::base64;
using b64::detail::kernel;

struct result {
  std::string bytes;
  std::error_code ec;
  std::size_t at = 0;
  bool operator==(const result&) const = default;
};

// Buffers of exactly the promised sizes, so ASan catches a kernel that reads
// or writes past them.
result decode_with(kernel k, std::string_view in, const b64::decode_options& opt) {
  const std::vector<char> input(in.begin(), in.end());
  std::vector<char> out(b64::decoded_size_max(in.size()));
  result r;
  const std::size_t n = b64::detail::decode(k, {input.data(), input.size()}, out.data(), r.ec, opt, r.at);
  FUZZ_CHECK(n <= out.size());
  if (!r.ec && in.find_first_of(" \t\r\n") == std::string_view::npos) FUZZ_CHECK(n == b64::decoded_size(in));
  r.bytes.assign(out.data(), n);
  return r;
}

std::string encode_with(kernel k, std::string_view in) {
  const std::vector<char> input(in.begin(), in.end());
  std::vector<char> out(b64::encoded_size(in.size()));
  FUZZ_CHECK(b64::detail::encode(k, {input.data(), input.size()}, out.data()) == out.size());
  return {out.data(), out.size()};
}

result stream(std::string_view in, const b64::decode_options& opt, std::uint8_t seed) {
  std::string out;
  b64::decoder::settings s;
  s.options = opt;
  s.max_quantum_span = std::numeric_limits<std::size_t>::max();  // decode() has no such limit
  b64::decoder d(out, s);
  std::string buf;
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
  return {out, ec, ec ? static_cast<std::size_t>(d.error_offset()) : 0};
}

bool is_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// y "="^p with y letters only; p is set.
bool in_domain(std::string_view s, std::size_t& p) {
  p = 0;
  while (p < 2 && p < s.size() && s[s.size() - 1 - p] == '=') ++p;
  for (std::size_t i = 0; i + p < s.size(); ++i)
    if (!is_letter(s[i])) return false;
  return true;
}

void differential_block(std::string_view in) {
  std::size_t p = 0;
  if (!in_domain(in, p)) return;
  std::vector<unsigned char> theirs(in.size() / 4 * 3 + 3);
  const int n =
      EVP_DecodeBlock(theirs.data(), reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  const result ours = decode_with(kernel::scalar, in, {});
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

void differential_update(std::string_view in) {
  std::string skeleton;
  for (const char c : in)
    if (!is_space(c)) skeleton += c;
  std::size_t p = 0;
  if (!in_domain(skeleton, p)) return;
  std::vector<unsigned char> theirs(in.size() + 80);
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  FUZZ_CHECK(ctx != nullptr);
  EVP_DecodeInit(ctx);
  int len = 0;
  int last = 0;
  const int r = EVP_DecodeUpdate(ctx, theirs.data(), &len, reinterpret_cast<const unsigned char*>(in.data()),
                                 static_cast<int>(in.size()));
  const bool ok = r >= 0 && EVP_DecodeFinal(ctx, theirs.data() + len, &last) == 1;
  EVP_ENCODE_CTX_free(ctx);
  const result lenient =
      decode_with(kernel::scalar, in, {.allow_whitespace = true, .allow_non_zero_trailing_bits = true});
  FUZZ_CHECK(ok == !lenient.ec);
  if (ok)
    FUZZ_CHECK(lenient.bytes ==
               std::string_view(reinterpret_cast<const char*>(theirs.data()), static_cast<std::size_t>(len + last)));
  if (!decode_with(kernel::scalar, in, {.allow_whitespace = true}).ec) FUZZ_CHECK(ok);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::uint8_t flags = size > 0 ? data[0] : 0;
  const std::uint8_t seed = size > 1 ? data[1] : 0;
  const std::string_view payload =
      size > 2 ? std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2) : std::string_view{};
  const b64::decode_options opt{.allow_whitespace = (flags & 1) != 0,
                                .allow_missing_padding = (flags & 2) != 0,
                                .allow_non_zero_trailing_bits = (flags & 4) != 0};

  // 1. Round trips, every kernel.
  const std::string coded = encode_with(kernel::scalar, payload);
  FUZZ_CHECK(coded.size() == b64::encoded_size(payload.size()));
  for (const auto k : b64::detail::all_kernels) {
    if (!b64::detail::supported(k)) continue;
    FUZZ_CHECK(encode_with(k, payload) == coded);
    FUZZ_CHECK(decode_with(k, coded, {}) == (result{std::string(payload), {}, 0}));
  }
  std::error_code ec;
  FUZZ_CHECK(b64::decode(b64::encode_lines(payload), ec, {.allow_whitespace = true}) == payload);
  FUZZ_CHECK(!ec);

  // 2, 3. The payload as base64: every kernel agrees with scalar.
  const result want = decode_with(kernel::scalar, payload, opt);
  for (const auto k : b64::detail::all_kernels)
    if (b64::detail::supported(k) && k != kernel::scalar) FUZZ_CHECK(decode_with(k, payload, opt) == want);

  // 4. The streaming decoder, in pieces.
  FUZZ_CHECK(stream(payload, opt, seed) == want);

  // 5. OpenSSL, where it defines the same thing.
  differential_block(payload);
  differential_update(payload);
  return 0;
}
