#include "proto/base64.hpp"

#include <doctest/doctest.h>

#include <string>

namespace b64 = ehlo::proto::base64;

TEST_CASE("base64: RFC 4648 §10 test vectors both ways") {
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
  }
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

TEST_CASE("base64: the SASL forms") {
  CHECK(b64::encode_sasl("") == "=");
  std::error_code ec;
  CHECK(b64::decode_sasl("=", ec).empty());
  CHECK_FALSE(ec);
  b64::decode_sasl("*", ec);
  CHECK(ec == b64::error::cancelled);
  // The wp.pl and Yahoo seeds' prompts.
  CHECK(b64::decode_sasl("VXNlcm5hbWU6", ec) == "Username:");
  CHECK(b64::decode_sasl("UGFzc3dvcmQ6", ec) == "Password:");
}
