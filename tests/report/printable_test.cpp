#include "report/printable.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>

#include "report/time_format.hpp"
#include "report/xml_escape.hpp"

namespace rp = ehlo::report;
using namespace std::chrono;
using namespace std::string_literals;

namespace {

// An independent check of the result: UTF-8 decoded by the book (shortest
// form, no surrogates, at most U+10FFFF) and only the characters allowed.
bool is_clean(std::string_view s, bool keep_cr) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<std::uint8_t>(s[i]);
    std::size_t n = b0 < 0x80 ? 1 : (b0 >> 5) == 6 ? 2 : (b0 >> 4) == 14 ? 3 : (b0 >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1Fu) : n == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<std::uint8_t>(s[i + k]);
      if ((b >> 6) != 2) return false;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    const bool allowed_control = cp == '\t' || cp == '\n' || (keep_cr && cp == '\r');
    if ((cp < 0x20 && !allowed_control) || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF) return false;
    i += n;
  }
  return true;
}

}  // namespace

TEST_CASE("printable: controls become their pictures, bad UTF-8 U+FFFD, the rest stays") {
  struct row {
    std::string in, want, want_keep_cr;
  };
  const row rows[] = {
      {"plain text 123", "plain text 123", "plain text 123"},
      {"\t\n", "\t\n", "\t\n"},
      {"\r\n", "\xE2\x90\x8D\n", "\r\n"},
      {"a\0b"s,
       "a\xE2\x90\x80"
       "b",
       "a\xE2\x90\x80"
       "b"},
      {"\x1b[31m", "\xE2\x90\x9B[31m", "\xE2\x90\x9B[31m"},
      {"\x1f\x7f", "\xE2\x90\x9F\xE2\x90\xA1", "\xE2\x90\x9F\xE2\x90\xA1"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80",
       "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"\xC2\x9B", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},  // C1 CSI
      {"\xC2\xA0", "\xC2\xA0", "\xC2\xA0"},          // the first character past C1
      {"\xEF\xBF\xBE\xEF\xBF\xBF", "\xEF\xBF\xBD\xEF\xBF\xBD", "\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"\xEF\xBF\xBD", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},
      {"\xFF", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},
      {"\x80x", "\xEF\xBF\xBDx", "\xEF\xBF\xBDx"},
      {"\xE2\x82x", "\xEF\xBF\xBDx", "\xEF\xBF\xBDx"},                       // truncated: one U+FFFD
      {"\xE2\x82", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},                          // truncated at the end
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD", "\xEF\xBF\xBD\xEF\xBF\xBD"},  // overlong
      {"\xE0\x80\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // overlong
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // surrogate
      {"\xED\x9F\xBF", "\xED\x9F\xBF", "\xED\x9F\xBF"},              // U+D7FF, just below the surrogates
      {"\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"},  // U+10FFFF
      {"\xF4\x90\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD",
       "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // past U+10FFFF
      {"\xF0\x9F\x98", "\xEF\xBF\xBD", "\xEF\xBF\xBD"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.in);
    CHECK(rp::printable(r.in) == r.want);
    CHECK(rp::printable(r.in, true) == r.want_keep_cr);
  }
}

TEST_CASE("printable: bounded, cut between characters") {
  CHECK(rp::printable("abc") == "abc");
  std::string out;
  rp::append_printable(out, "abcdef", false, 6);
  CHECK(out == "abcdef");
  out.clear();
  rp::append_printable(out,
                       "abc\x1b"
                       "def",
                       false, 4);
  CHECK(out == "abc\xE2\x90\x9B...");
  out.clear();
  rp::append_printable(out,
                       "ab\xE2\x82\xAC"
                       "cd",
                       false, 4);  // "€" is not cut in two
  CHECK(out == "ab...");
  out.clear();
  rp::append_printable(out, std::string(1'000'000, '\0'), false, 10);
  CHECK(out ==
        "\xE2\x90\x80\xE2\x90\x80\xE2\x90\x80\xE2\x90\x80\xE2\x90\x80\xE2\x90\x80\xE2\x90\x80\xE2\x90\x80\xE2\x90\x80"
        "\xE2\x90\x80...");
}

TEST_CASE("printable: any bytes come out clean") {
  std::mt19937_64 rng(20240501);
  for (int round = 0; round < 2000; ++round) {
    std::string in(rng() % 64, '\0');
    // Mostly high bytes and controls, where the cases are.
    for (char& c : in) c = static_cast<char>(rng() % 3 == 0 ? rng() % 0x20 : 0x80 + rng() % 0x80);
    CAPTURE(in);
    REQUIRE(is_clean(rp::printable(in), false));
    REQUIRE(is_clean(rp::printable(in, true), true));
  }
}

TEST_CASE("xml: text and attributes are escaped, and what XML 1.0 cannot hold is replaced") {
  std::string text, attr;
  const auto in = "a<b>&]]>\r\n\t\"'\0\x1b\xff"s;
  rp::append_xml_text(text, in);
  rp::append_xml_attribute(attr, in);
  CHECK(text == "a&lt;b&gt;&amp;]]&gt;&#13;\n\t\"'\xE2\x90\x80\xE2\x90\x9B\xEF\xBF\xBD");
  CHECK(attr == "a&lt;b&gt;&amp;]]&gt;&#13;&#10;&#9;&quot;&apos;\xE2\x90\x80\xE2\x90\x9B\xEF\xBF\xBD");
}

TEST_CASE("time: RFC 3339, JUnit timestamps, seconds and people's durations") {
  const auto t = sys_days{year{2024} / 2 / 29} + 23h + 59min + 59s + 999ms;
  CHECK(rp::rfc3339_utc(t) == "2024-02-29T23:59:59.999Z");
  CHECK(rp::junit_timestamp(t) == "2024-02-29T23:59:59");
  CHECK(rp::rfc3339_utc(system_clock::time_point{}) == "1970-01-01T00:00:00.000Z");
  CHECK(rp::rfc3339_utc(system_clock::time_point{} - 1ms) == "1969-12-31T23:59:59.999Z");
  CHECK(rp::rfc3339_utc(sys_days{year{2024} / 5 / 1} + 7us) == "2024-05-01T00:00:00.000Z");

  CHECK(rp::seconds(0ms) == "0.000");
  CHECK(rp::seconds(12ms) == "0.012");
  CHECK(rp::seconds(3200ms) == "3.200");
  CHECK(rp::seconds(61001ms) == "61.001");
  CHECK(rp::seconds(-5ms) == "0.000");

  CHECK(rp::human_elapsed(0ms) == "0 ms");
  CHECK(rp::human_elapsed(999ms) == "999 ms");
  CHECK(rp::human_elapsed(1000ms) == "1.0 s");
  CHECK(rp::human_elapsed(1949ms) == "1.9 s");
  CHECK(rp::human_elapsed(1950ms) == "2.0 s");
  CHECK(rp::human_elapsed(3217ms) == "3.2 s");
  CHECK(rp::human_elapsed(61234ms) == "61.2 s");
  CHECK(rp::human_elapsed(-1ms) == "0 ms");
}
