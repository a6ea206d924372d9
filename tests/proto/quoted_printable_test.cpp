#include "proto/quoted_printable.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>

#include "proto/mime_error.hpp"

namespace qp = ehlo::proto::qp;
namespace mime = ehlo::proto::mime;

TEST_CASE("quoted-printable: exact encodings") {
  const std::pair<std::string, std::string> rows[] = {
      {"", ""},
      {"plain text", "plain text"},
      {"a=b", "a=3Db"},
      {"caf\xc3\xa9", "caf=C3=A9"},
      {"trailing \r\nspace\t", "trailing=20\r\nspace=09"},
      {"lone\nLF and\rCR", "lone=0ALF and=0DCR"},
      {"--=_0.1 boundary-like", "--=3D_0.1 boundary-like"},
      {std::string("nul\0", 4), "nul=00"},
      {std::string(100, 'a'), std::string(75, 'a') + "=\r\n" + std::string(25, 'a')},
      {std::string(74, 'a') + "=", std::string(74, 'a') + "=\r\n=3D"},
  };
  for (const auto& [plain, coded] : rows) {
    CAPTURE(plain);
    CHECK(qp::encode(plain) == coded);
    std::error_code ec;
    CHECK(qp::decode(coded, ec) == plain);
    CHECK_FALSE(ec);
  }
}

TEST_CASE("quoted-printable: decoding what others send") {
  std::error_code ec;
  CHECK(qp::decode("soft=\r\nbreak", ec) == "softbreak");
  CHECK(qp::decode("lower =c3=a9", ec) == "lower \xc3\xa9");
  CHECK(qp::decode("padding added  \r\nby a transport\t\r\n", ec) == "padding added\r\nby a transport\r\n");
  CHECK(qp::decode("soft at the end=", ec) == "soft at the end");
  CHECK(qp::decode("padded soft break=  \r\nx", ec) == "padded soft breakx");
  CHECK_FALSE(ec);
  const std::pair<const char*, const char*> bad[] = {
      {"x=ZZ", "x"}, {"x=4", "x"}, {"x=4\r\n", "x"}, {"bare\nLF", "bare"}, {"bare\rCR", "bare"}};
  for (const auto& [coded, before] : bad) {
    CAPTURE(coded);
    CHECK(qp::decode(coded, ec) == before);
    CHECK(ec == mime::error::bad_quoted_printable);
  }
}

TEST_CASE("quoted-printable: any bytes round-trip in lines of at most 76, never holding \"=_\"") {
  std::mt19937 rng(2045);
  for (int round = 0; round < 300; ++round) {
    std::string plain(rng() % 400, '\0');
    const int mode = round % 3;
    for (auto& c : plain) {
      const auto r = rng();
      c = mode == 0 ? static_cast<char>(r) : mode == 1 ? "ab =_-\r\n\t."[r % 10] : static_cast<char>(32 + r % 95);
    }
    CAPTURE(plain);
    const std::string coded = qp::encode(plain);
    CHECK(coded.find("=_") == std::string::npos);
    std::size_t line = 0;
    std::size_t longest = 0;
    bool crlf_only = true;
    bool space_before_break = false;
    for (std::size_t i = 0; i < coded.size(); ++i) {
      if (coded[i] == '\r') {
        crlf_only = crlf_only && i + 1 < coded.size() && coded[i + 1] == '\n';
        space_before_break = space_before_break || (i > 0 && (coded[i - 1] == ' ' || coded[i - 1] == '\t'));
        ++i;
        line = 0;
        continue;
      }
      crlf_only = crlf_only && coded[i] != '\n';
      longest = std::max(longest, ++line);
    }
    CHECK(longest <= 76);
    CHECK(crlf_only);
    CHECK_FALSE(space_before_break);
    std::error_code ec;
    CHECK(qp::decode(coded, ec) == plain);
    CHECK_FALSE(ec);
  }
}
