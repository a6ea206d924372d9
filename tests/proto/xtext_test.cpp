// xtext (RFC 3461 §4) coding.
#include "proto/xtext.hpp"

#include <doctest/doctest.h>

#include <string>

namespace xt = ehlo::proto::xtext;

TEST_CASE("xtext: encoding hex-encodes exactly what it must") {
  CHECK(xt::encode("") == "");
  CHECK(xt::encode("user@example.com") == "user@example.com");
  CHECK(xt::encode("a+b=c") == "a+2Bb+3Dc");
  CHECK(xt::encode("two words") == "two+20words");
  CHECK(xt::encode(std::string("\x00\x7f\xff", 3)) == "+00+7F+FF");
  CHECK(xt::encoded_size("a b") == 5);
}

TEST_CASE("xtext: decoding, strict and lenient") {
  std::error_code ec;
  CHECK(xt::decode("a+2Bb+3Dc", ec) == "a+b=c");
  CHECK_FALSE(ec);
  CHECK(xt::decode("+41", ec) == "A");  // over-encoding is allowed
  CHECK_FALSE(ec);
  const std::pair<const char*, xt::error> bad[] = {
      {"a b", xt::error::bad_character}, {"a=b", xt::error::bad_character}, {"caf\xc3\xa9", xt::error::bad_character},
      {"a+2b", xt::error::bad_hexchar},  {"a+", xt::error::bad_hexchar},    {"a+2", xt::error::bad_hexchar},
      {"a+G0", xt::error::bad_hexchar},
  };
  for (auto [in, want] : bad) {
    CAPTURE(std::string(in));
    xt::decode(in, ec);
    CHECK(ec == want);
  }
  CHECK(xt::decode("ab+2", ec) == "ab");  // what was decoded before the error
  CHECK(xt::validate("ok+2Bthen bad", ec) == 9);
  CHECK(ec == xt::error::bad_character);
  CHECK(xt::validate("fine", ec) == std::string_view::npos);
  CHECK_FALSE(ec);

  xt::decode_options lower;
  lower.allow_lowercase_hex = true;
  CHECK(xt::decode("a+2bb", ec, lower) == "a+b");
  CHECK_FALSE(ec);
}

TEST_CASE("xtext: every octet round-trips") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  const std::string coded = xt::encode(all);
  std::error_code ec;
  CHECK(xt::validate(coded, ec) == std::string_view::npos);
  CHECK(xt::decode(coded, ec) == all);
  CHECK_FALSE(ec);
  CHECK(coded.size() == 92 + 164 * 3);  // 94 graphic characters but "+" and "="
}
