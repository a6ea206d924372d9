#include "proto/base64.hpp"

#include <doctest/doctest.h>

#include <string>

#include "proto/base64_support.hpp"

namespace b64 = ehlo::proto::base64;
using namespace ehlo::test;

namespace {

std::string repeat(std::string_view s, std::size_t times) {
  std::string r;
  for (std::size_t i = 0; i < times; ++i) r += s;
  return r;
}

// "QUJD" is "ABC"; 50 of them are long enough for every kernel's blocks.
const std::string abc_coded = repeat("QUJD", 50);
const std::string abc_plain = repeat("ABC", 50);

}  // namespace

TEST_CASE("base64: RFC 4648 §10 test vectors both ways, with every kernel") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, coded] : vectors) {
    CAPTURE(plain);
    CHECK(b64::encode(plain) == coded);
    std::error_code ec;
    CHECK(b64::decode(coded, ec) == plain);
    CHECK_FALSE(ec);
    CHECK(b64::decoded_size(coded) == std::string_view(plain).size());
    for (const auto k : kernels()) {
      CAPTURE(b64::detail::name(k));
      CHECK(encode_with(k, plain) == coded);
      CHECK(decode_with(k, coded) == ok(plain));
    }
  }
}

TEST_CASE("base64: the size functions") {
  for (std::size_t n = 0; n < 64; ++n) {
    CAPTURE(n);
    CHECK(b64::encoded_size(n) == (n + 2) / 3 * 4);
    CHECK(b64::decoded_size_max(n) == n * 6 / 8);
    CHECK(b64::decoded_size_max(n) <= b64::decoded_size_bound(n));
  }
  CHECK(b64::decoded_size("") == 0);
  CHECK(b64::decoded_size("Zg==") == 1);
  CHECK(b64::decoded_size("Zm8=") == 2);
  CHECK(b64::decoded_size("Zg") == 1);  // missing padding
  CHECK(b64::decoded_size("Zm9v") == 3);
  CHECK(b64::decoded_size("====") == 1);  // two '=' at most are trailing padding
}

TEST_CASE("base64: strict decoding rejects what RFC 4648 does not allow") {
  const std::pair<const char*, b64::error> bad[] = {
      {"Zm9v!", b64::error::bad_character},  {"Zm 9v", b64::error::bad_character},
      {"Zg", b64::error::truncated},         {"Z", b64::error::truncated},
      {"Zg=", b64::error::bad_padding},      {"Z===", b64::error::bad_padding},
      {"Zg==Zg==", b64::error::bad_padding}, {"Zh==", b64::error::non_zero_trailing_bits},
  };
  for (auto [coded, want] : bad) {
    CAPTURE(coded);
    std::error_code ec;
    b64::decode(coded, ec);
    CHECK(ec == want);
  }
}

TEST_CASE("base64: a character outside the alphabet, at every position, with every kernel") {
  // Neighbours of the alphabet's ranges, and the bytes a careless table gets wrong.
  const char outsiders[] = {'-', '.', ':', '@', '[', '`', '{', '\x80', '\xff', '\0'};
  for (const auto k : kernels()) {
    CAPTURE(b64::detail::name(k));
    for (std::size_t p = 0; p < abc_coded.size(); ++p) {
      CAPTURE(p);
      for (const char c : outsiders) {
        CAPTURE(int(static_cast<unsigned char>(c)));
        std::string in = abc_coded;
        in[p] = c;
        CHECK(decode_with(k, in) == failed(abc_plain.substr(0, p / 4 * 3), b64::error::bad_character, p));
        CHECK(decode_with(k, in, {.allow_whitespace = true, .allow_missing_padding = true}) ==
              failed(abc_plain.substr(0, p / 4 * 3), b64::error::bad_character, p));
      }
    }
  }
}

TEST_CASE("base64: whitespace at every position is an error when strict, skipped when allowed") {
  for (const auto k : kernels()) {
    CAPTURE(b64::detail::name(k));
    for (std::size_t p = 0; p <= abc_coded.size(); ++p) {
      CAPTURE(p);
      for (const char* ws : {" ", "\t", "\r\n", "  \t\r\n\n"}) {
        std::string in = abc_coded;
        in.insert(p, ws);
        CHECK(decode_with(k, in) == failed(abc_plain.substr(0, p / 4 * 3), b64::error::bad_character, p));
        CHECK(decode_with(k, in, {.allow_whitespace = true}) == ok(abc_plain));
      }
    }
  }
}

TEST_CASE("base64: '=' at every position") {
  for (const auto k : kernels()) {
    CAPTURE(b64::detail::name(k));
    for (std::size_t p = 0; p < abc_coded.size(); ++p) {
      CAPTURE(p);
      std::string in = abc_coded;
      in[p] = '=';
      const std::string before = abc_plain.substr(0, p / 4 * 3);
      const bool last = p + 1 == in.size();
      switch (p % 4) {
        case 0:
        case 1:  // fewer than two sextets before it
          CHECK(decode_with(k, in) == failed(before, b64::error::bad_padding, p));
          break;
        case 2:  // "QU=D": data after the padding
          CHECK(decode_with(k, in) == failed(before, b64::error::bad_padding, p + 1));
          break;
        case 3:      // "QUJ=": a final quantum if it is the last, else data follows
          if (last)  // 'J' leaves the bits 01 after its last byte
            CHECK(decode_with(k, in) == failed(before, b64::error::non_zero_trailing_bits, in.size()));
          else
            CHECK(decode_with(k, in) == failed(before, b64::error::bad_padding, p + 1));
          break;
      }
    }
  }
}

TEST_CASE("base64: padding in every wrong shape") {
  struct row {
    const char* in;
    b64::error e;
    std::size_t at;
    std::size_t written;
  };
  const row rows[] = {
      {"Zg=", b64::error::bad_padding, 3, 0},           // one '=' short, at the end
      {"Zg===", b64::error::bad_padding, 4, 0},         // one '=' too many
      {"Zm8==", b64::error::bad_padding, 4, 0},         // "Zm8=" takes only one
      {"Z===", b64::error::bad_padding, 1, 0},          // one sextet cannot be padded
      {"====", b64::error::bad_padding, 0, 0},          // nothing to pad
      {"Zg==Zg==", b64::error::bad_padding, 4, 0},      // data after the final quantum
      {"Zm9vZg==Zm9v", b64::error::bad_padding, 8, 3},  // ... also after whole quanta
      {"Zg==\r\n", b64::error::bad_character, 4, 0},    // whitespace only when allowed
      {"Zg==", b64::error{}, 0, 1},
  };
  for (const auto& r : rows) {
    CAPTURE(r.in);
    for (const auto k : kernels()) {
      CAPTURE(b64::detail::name(k));
      const auto d = decode_with(k, r.in);
      if (r.e == b64::error{})
        CHECK_FALSE(d.ec);
      else
        CHECK(d.ec == r.e);
      CHECK(d.at == r.at);
      CHECK(d.bytes.size() == r.written);
    }
  }
  // After the padding only whitespace may follow, and only when allowed.
  CHECK(decode_with(kernel::scalar, "Zg==\r\n", {.allow_whitespace = true}) == ok("f"));
  CHECK(decode_with(kernel::scalar, "Zg= =", {.allow_whitespace = true}) == ok("f"));
  CHECK(decode_with(kernel::scalar, "Zg==\r\nZg==", {.allow_whitespace = true}) ==
        failed("", b64::error::bad_padding, 6));
}

TEST_CASE("base64: input cut at every length") {
  // Zeros: every cut of "AAAA..." has zero trailing bits, so only the cut matters.
  const std::string zeros = repeat("AAAA", 50);
  for (const auto k : kernels()) {
    CAPTURE(b64::detail::name(k));
    for (std::size_t n = 0; n <= zeros.size(); ++n) {
      CAPTURE(n);
      const auto in = std::string_view(zeros).substr(0, n);
      const std::string whole(n / 4 * 3, '\0');
      switch (n % 4) {
        case 0:
          CHECK(decode_with(k, in) == ok(whole));
          break;
        case 1:  // six bits make no byte, padding or not
          CHECK(decode_with(k, in) == failed(whole, b64::error::truncated, n));
          CHECK(decode_with(k, in, {.allow_missing_padding = true}) == failed(whole, b64::error::truncated, n));
          break;
        default:
          CHECK(decode_with(k, in) == failed(whole, b64::error::truncated, n));
          CHECK(decode_with(k, in, {.allow_missing_padding = true}) == ok(whole + std::string(n % 4 - 1, '\0')));
      }
    }
  }
}

TEST_CASE("base64: non-zero trailing bits after every number of whole quanta") {
  for (const auto k : kernels()) {
    CAPTURE(b64::detail::name(k));
    for (std::size_t q = 0; q < 40; ++q) {
      CAPTURE(q);
      const std::string head = abc_coded.substr(0, 4 * q);
      const std::string plain = abc_plain.substr(0, 3 * q);
      // "Zh==": 'h' leaves 0001 after the 'f'; "Zm9=": '9' leaves 01 after "fo".
      CHECK(decode_with(k, head + "Zh==") == failed(plain, b64::error::non_zero_trailing_bits, head.size() + 4));
      CHECK(decode_with(k, head + "Zm9=") == failed(plain, b64::error::non_zero_trailing_bits, head.size() + 4));
      CHECK(decode_with(k, head + "Zh==", {.allow_non_zero_trailing_bits = true}) == ok(plain + "f"));
      CHECK(decode_with(k, head + "Zm9=", {.allow_non_zero_trailing_bits = true}) == ok(plain + "fo"));
      // Without padding the same rule applies to what the padding would have closed.
      CHECK(decode_with(k, head + "Zh", {.allow_missing_padding = true}) ==
            failed(plain, b64::error::non_zero_trailing_bits, head.size() + 2));
      CHECK(decode_with(k, head + "Zh", {.allow_missing_padding = true, .allow_non_zero_trailing_bits = true}) ==
            ok(plain + "f"));
      CHECK(decode_with(k, head + "Zm8", {.allow_missing_padding = true}) == ok(plain + "fo"));
    }
  }
}

TEST_CASE("base64: each leniency alone, and that strict refuses it") {
  struct row {
    const char* in;
    b64::decode_options opt;
    const char* plain;
    b64::error strict;
  };
  const row rows[] = {
      {"Zm9v\r\nYmFy", {.allow_whitespace = true}, "foobar", b64::error::bad_character},
      {" Z m 9 v ", {.allow_whitespace = true}, "foo", b64::error::bad_character},
      {"Zm9v\tYg==\n", {.allow_whitespace = true}, "foob", b64::error::bad_character},
      {"Zm9vYg", {.allow_missing_padding = true}, "foob", b64::error::truncated},
      {"Zm9vYmE", {.allow_missing_padding = true}, "fooba", b64::error::truncated},
      {"Zh==", {.allow_non_zero_trailing_bits = true}, "f", b64::error::non_zero_trailing_bits},
      {"Zm9vYh", {.allow_missing_padding = true, .allow_non_zero_trailing_bits = true}, "foob", b64::error::truncated},
  };
  for (const auto& r : rows) {
    CAPTURE(r.in);
    for (const auto k : kernels()) {
      CAPTURE(b64::detail::name(k));
      CHECK(decode_with(k, r.in, r.opt) == ok(r.plain));
      CHECK(decode_with(k, r.in).ec == r.strict);
    }
  }
  // Whitespace is SP, HTAB, CR and LF only.
  CHECK(decode_with(kernel::scalar, "Zm9v\vYmFy", {.allow_whitespace = true}).ec == b64::error::bad_character);
  CHECK(decode_with(kernel::scalar, "Zm9v\fYmFy", {.allow_whitespace = true}).ec == b64::error::bad_character);
  // Missing padding does not excuse a lone sextet, nor wrong padding.
  CHECK(decode_with(kernel::scalar, "Zm9vY", {.allow_missing_padding = true}).ec == b64::error::truncated);
  CHECK(decode_with(kernel::scalar, "Zg=", {.allow_missing_padding = true}).ec == b64::error::bad_padding);
}

TEST_CASE("base64: the public decode reports where it failed") {
  std::size_t at = 99;
  std::error_code ec;
  char out[16];
  CHECK(b64::decode("Zm9vY!Fy", out, ec, {}, at) == 3);
  CHECK(ec == b64::error::bad_character);
  CHECK(at == 5);
  CHECK(b64::decode("Zm9vYmFy", out, ec, {}, at) == 6);
  CHECK_FALSE(ec);
  CHECK(at == 0);
  CHECK(b64::decode("Zm9vYg", out, ec, {}, at) == 3);
  CHECK(ec == b64::error::truncated);
  CHECK(at == 6);
}

TEST_CASE("base64: encode_lines makes MIME's 76-column lines") {
  std::string plain;
  for (int i = 0; i < 200; ++i) plain += static_cast<char>(i * 7);
  const std::string lines = b64::encode_lines(plain);
  // 57 bytes fill a 76-character line: 200 bytes are 3 full lines and one of 29 bytes (40 characters).
  REQUIRE(lines.size() == 3 * 78 + 40 + 2);
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(lines.substr(i * 78 + 76, 2) == "\r\n");
    CHECK(lines.substr(i * 78, 76).find_first_of("\r\n") == std::string::npos);
    CHECK(lines.substr(i * 78, 76) == b64::encode(std::string_view(plain).substr(i * 57, 57)));
  }
  CHECK(lines.substr(3 * 78) == b64::encode(std::string_view(plain).substr(171)) + "\r\n");
  std::error_code ec;
  CHECK(b64::decode(lines, ec, {.allow_whitespace = true}) == plain);
  CHECK_FALSE(ec);
  CHECK(b64::decode(lines, ec) == plain.substr(0, 57));  // strict: what came before the first CR
  CHECK(ec == b64::error::bad_character);

  CHECK(b64::encode_lines("") == "");
  CHECK(b64::encode_lines("foobar", 4) == "Zm9v\r\nYmFy\r\n");
  CHECK(b64::encode_lines("foobar", 7) == "Zm9v\r\nYmFy\r\n");  // rounded down to a multiple of 4
  CHECK(b64::encode_lines("foobar", 1) == "Zm9v\r\nYmFy\r\n");  // at least 4
  CHECK(b64::encode_lines("foob", 8) == "Zm9vYg==\r\n");
  const std::string exact(57, 'x');
  CHECK(b64::encode_lines(exact) == b64::encode(exact) + "\r\n");
}

TEST_CASE("base64: the SASL forms") {
  CHECK(b64::encode_sasl("") == "=");
  CHECK(b64::encode_sasl(std::string("\0user\0pass", 10)) == "AHVzZXIAcGFzcw==");
  std::error_code ec;
  CHECK(b64::decode_sasl("=", ec).empty());
  CHECK_FALSE(ec);
  b64::decode_sasl("*", ec);
  CHECK(ec == b64::error::cancelled);
  // The wp.pl and Yahoo seeds' prompts.
  CHECK(b64::decode_sasl("VXNlcm5hbWU6", ec) == "Username:");
  CHECK_FALSE(ec);
  CHECK(b64::decode_sasl("UGFzc3dvcmQ6", ec) == "Password:");
  CHECK(b64::decode_sasl("AHVzZXIAcGFzcw==", ec) == std::string("\0user\0pass", 10));
  // A SASL line is strict base64: no whitespace, no missing padding, and "*" or "=" only alone.
  b64::decode_sasl("VXNl cm5hbWU6", ec);
  CHECK(ec == b64::error::bad_character);
  b64::decode_sasl("AHVzZXIAcGFzcw", ec);
  CHECK(ec == b64::error::truncated);
  b64::decode_sasl("**", ec);
  CHECK(ec == b64::error::bad_character);
  b64::decode_sasl("==", ec);
  CHECK(ec == b64::error::bad_padding);
  b64::decode_sasl("", ec);
  CHECK_FALSE(ec);
}

TEST_CASE("base64: error messages name the problem") {
  CHECK(std::error_code(b64::error::bad_character).message() == "a character outside the base64 alphabet");
  CHECK(std::error_code(b64::error::quantum_too_long).message().find("whitespace") != std::string::npos);
  CHECK(std::string(std::error_code(b64::error::too_large).category().name()) == "ehlo.base64");
}
