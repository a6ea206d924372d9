// Every SIMD kernel against the scalar one, which is the reference: the same
// output, the same error and the same error position on the same input.
#include "proto/base64_kernels.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "proto/base64_support.hpp"

namespace b64 = ehlo::proto::base64;
using namespace ehlo::test;

namespace {

const b64::decode_options option_sets[] = {
    {},
    {.allow_whitespace = true},
    {.allow_missing_padding = true},
    {.allow_whitespace = true, .allow_missing_padding = true, .allow_non_zero_trailing_bits = true},
};

std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

}  // namespace

TEST_CASE("base64 kernels: which ones run here") {
  CHECK(b64::detail::supported(kernel::scalar));
  CHECK(b64::detail::supported(b64::detail::best()));
  for (const auto k : b64::detail::all_kernels)
    if (!b64::detail::supported(k)) MESSAGE("kernel not tested on this CPU: " << b64::detail::name(k));
}

TEST_CASE("base64 kernels: encode and decode agree with scalar on random input of every length 0..300") {
  std::mt19937 rng(4648);
  for (std::size_t n = 0; n <= 300; ++n) {
    CAPTURE(n);
    for (int round = 0; round < 3; ++round) {
      const std::string plain = random_bytes(rng, n);
      const std::string coded = encode_with(kernel::scalar, plain);
      REQUIRE(decode_with(kernel::scalar, coded) == ok(plain));
      for (const auto k : kernels()) {
        CAPTURE(b64::detail::name(k));
        CHECK(encode_with(k, plain) == coded);
        CHECK(decode_with(k, coded) == ok(plain));
      }
    }
  }
}

TEST_CASE("base64 kernels: random characters, all options, agree with scalar") {
  // Mostly alphabet with a sprinkling of everything else, so both the fast
  // paths and the state machine run, and every error kind turns up.
  std::mt19937 rng(2045);
  const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t n = 0; n <= 300; ++n) {
    CAPTURE(n);
    for (int round = 0; round < 4; ++round) {
      std::string in(n, 'A');
      const unsigned noise = rng() % 64;  // one in `noise` characters is not from the alphabet
      for (auto& c : in) {
        if (noise != 0 && rng() % (noise + 1) == 0) {
          const char others[] = {'=', ' ', '\r', '\n', '\t', '!', '\0', '\x80', '\xff'};
          c = others[rng() % sizeof others];
        } else {
          c = alphabet[rng() % 64];
        }
      }
      for (const auto& opt : option_sets) {
        const auto want = decode_with(kernel::scalar, in, opt);
        for (const auto k : kernels()) {
          CAPTURE(b64::detail::name(k));
          CHECK(decode_with(k, in, opt) == want);
        }
      }
    }
  }
}

TEST_CASE("base64 kernels: a bad byte at every position agrees with scalar") {
  std::mt19937 rng(76);
  const char bad[] = {'=', ' ', '!', '\x80', '\0'};
  for (const std::size_t n : {1u, 2u, 3u, 34u, 35u, 66u, 67u, 97u, 150u}) {
    CAPTURE(n);
    const std::string coded = encode_with(kernel::scalar, random_bytes(rng, n));
    for (std::size_t p = 0; p < coded.size(); ++p) {
      CAPTURE(p);
      for (const char c : bad) {
        CAPTURE(int(static_cast<unsigned char>(c)));
        std::string in = coded;
        in[p] = c;
        for (const auto& opt : {option_sets[0], option_sets[3]}) {
          const auto want = decode_with(kernel::scalar, in, opt);
          for (const auto k : kernels()) {
            CAPTURE(b64::detail::name(k));
            CHECK(decode_with(k, in, opt) == want);
          }
        }
      }
    }
  }
}

TEST_CASE("base64 kernels: MIME lines, with a line break at every column") {
  std::mt19937 rng(2822);
  const std::string plain = random_bytes(rng, 400);
  for (std::size_t columns = 4; columns <= 80; columns += 4) {
    CAPTURE(columns);
    const std::string lines = b64::encode_lines(plain, columns);
    for (const auto k : kernels()) {
      CAPTURE(b64::detail::name(k));
      CHECK(decode_with(k, lines, {.allow_whitespace = true}) == ok(plain));
      CHECK(decode_with(k, lines) == decode_with(kernel::scalar, lines));
    }
  }
  // Lines whose length is no multiple of 4 split quanta across the break.
  std::string odd;
  const std::string coded = b64::encode(plain);
  for (std::size_t i = 0; i < coded.size(); i += 75) odd += coded.substr(i, 75) + "\r\n";
  for (const auto k : kernels()) {
    CAPTURE(b64::detail::name(k));
    CHECK(decode_with(k, odd, {.allow_whitespace = true}) == ok(plain));
  }
}

TEST_CASE("base64 kernels: the block loops stay inside their buffers") {
  // decode_with and encode_with use buffers of exactly the promised sizes;
  // here the block functions are called directly at every length near their
  // thresholds, where an off-by-one would read or write past them.
  std::mt19937 rng(3548);
  for (std::size_t n = 0; n < 200; ++n) {
    CAPTURE(n);
    const std::string plain = random_bytes(rng, n);
    const std::string coded = encode_with(kernel::scalar, plain);
    for (const auto k : kernels()) {
      if (k == kernel::scalar) continue;
      CAPTURE(b64::detail::name(k));
      const std::vector<unsigned char> in(plain.begin(), plain.end());
      std::vector<char> out(b64::encoded_size(n));
      const auto encode_blocks = k == kernel::avx2 ? b64::detail::encode_avx2 : b64::detail::encode_avx512vbmi;
      const std::size_t took = encode_blocks(in.data(), n, out.data());
      CHECK(took % 3 == 0);
      CHECK(took <= n);
      CHECK(std::string(out.data(), took / 3 * 4) == coded.substr(0, took / 3 * 4));

      const std::vector<char> chars(coded.begin(), coded.end());
      std::vector<char> bytes(b64::decoded_size_max(coded.size()));
      const auto decode_blocks = k == kernel::avx2 ? b64::detail::decode_avx2 : b64::detail::decode_avx512vbmi;
      std::size_t bad = 0;
      const std::size_t used = decode_blocks(chars.data(), chars.size(), bytes.data(), &bad);
      CHECK(used % 4 == 0);
      CHECK(bad == chars.size());
      CHECK(std::string(bytes.data(), used / 4 * 3) == plain.substr(0, used / 4 * 3));
    }
  }
}
