#include "report/check_html.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "proto/base64.hpp"
#include "report/atomic_file.hpp"
#include "report/html_escape.hpp"
#include "report/sample_check_run.hpp"

namespace rp = ehlo::report;

namespace {

std::size_t occurrences(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

std::string between(std::string_view text, std::string_view from, std::string_view to) {
  const auto a = text.find(from);
  if (a == std::string_view::npos) return {};
  const auto b = text.find(to, a + from.size());
  if (b == std::string_view::npos) return {};
  return std::string(text.substr(a + from.size(), b - a - from.size()));
}

std::string sha256_base64(std::string_view text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  REQUIRE(EVP_Digest(text.data(), text.size(), md, &n, EVP_sha256(), nullptr) == 1);
  return ehlo::proto::base64::encode(std::string_view(reinterpret_cast<const char*>(md), n));
}

}  // namespace

TEST_CASE("html escape: markup, quotes and control bytes never pass as they are") {
  CHECK(rp::html("<script>alert('x') & \"y\"</script>") ==
        "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
  CHECK(rp::html(std::string("a\0b\x1b[1m\r\n\xff", 10)) ==
        "a\xE2\x90\x80"
        "b\xE2\x90\x9B[1m\xE2\x90\x8D\n\xEF\xBF\xBD");
  CHECK(rp::html("&amp;") == "&amp;amp;");
  std::string cut;
  rp::append_html(cut, "<<<<<", 2);
  CHECK(cut == "&lt;&lt;...");
  std::string marked;
  rp::append_html_marking_controls(marked, std::string("\x1b[1m\0\x7f\xE2\x90\x9B \xE2\x90\xA2 \xE2\x82\xAC<", 18));
  // The controls named; a picture written as text is taken as one (it looks the same); U+2422 and the euro sign stay.
  CHECK(marked ==
        "<span class=\"ctl\">ESC</span>[1m<span class=\"ctl\">NUL</span><span class=\"ctl\">DEL</span>"
        "<span class=\"ctl\">ESC</span> \xE2\x90\xA2 \xE2\x82\xAC&lt;");
}

TEST_CASE("check html: one self-contained page: its only script is its own, allowed by its hash") {
  const std::string page = rp::check_html(rp::test::sample_check_run());
  CHECK(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"));
  CHECK(page.ends_with("</html>\n"));
  CHECK(occurrences(page, "<script") == 1);
  CHECK(occurrences(page, "</script>") == 1);
  const std::string script = between(page, "<script>", "</script>");
  REQUIRE(!script.empty());
  CHECK(page.find("script-src 'sha256-" + sha256_base64(script) + "'") != std::string::npos);
  CHECK(page.find("default-src 'none'") != std::string::npos);
  // Nothing is fetched: no link, image, frame, or address of another host.
  for (const std::string tag : {"<link", "<img", "<iframe", "<object", "<embed", "<base", "http:", "https:"}) {
    CAPTURE(tag);
    CHECK(page.find(tag) == std::string::npos);
  }
}

TEST_CASE("check html: a matrix of probes by targets, every result a cell with its panel") {
  const auto run = rp::test::sample_check_run();
  const std::string page = rp::check_html(run);
  CHECK(page.find("<th class=\"target-col\">127.0.0.1:2525</th><th class=\"target-col\">127.0.0.1:2526</th>") !=
        std::string::npos);
  // 6 probes in 5 categories, by (category, id); 12 cells, each with its panel.
  CHECK(occurrences(page, "<tr class=\"category\">") == 5);
  CHECK(occurrences(page, "<td class=\"id\">") == 6);
  CHECK(occurrences(page, "<td class=\"verdict ") == 12);
  CHECK(occurrences(page, "<section class=\"detail\"") == 12);
  for (int row = 0; row < 6; ++row)
    for (int col = 0; col < 2; ++col) {
      const std::string ids = std::to_string(row) + "-" + std::to_string(col);
      CAPTURE(ids);
      CHECK(page.find("<a id=\"c-" + ids + "\" href=\"#d-" + ids + "\"") != std::string::npos);
      CHECK(page.find("<section class=\"detail\" id=\"d-" + ids + "\"") != std::string::npos);
    }
  CHECK(page.find("<td class=\"verdict v-exploitable\" data-verdict=\"exploitable\"><a id=\"c-3-1\" href=\"#d-3-1\"") !=
        std::string::npos);
  CHECK(page.find(">EXPLOITABLE <small>must</small></a>") != std::string::npos);
  CHECK(page.find(">n/a</a>") != std::string::npos);
  CHECK(page.find("<li class=\"chip v-violates\">3 violate (1 must, 1 should, 1 lenient)</li>") != std::string::npos);
  CHECK(page.find("<li class=\"chip v-exploitable\">1 exploitable</li>") != std::string::npos);
  CHECK(page.find("3 replies in 2 probes: the lines of a multi-line reply carry different codes") != std::string::npos);
  CHECK(page.find("not run") == std::string::npos);

  // A probe one target did not play: "not run" there, and said in the legend.
  auto partial = run;
  partial.results.erase(partial.results.begin() + 7);  // rcpt-before-mail on the second target
  const std::string less = rp::check_html(partial);
  CHECK(occurrences(less, "<section class=\"detail\"") == 11);
  CHECK(
      less.find("<td class=\"verdict v-not-run\" data-verdict=\"not-run\"><span class=\"none\">not run</span></td>") !=
      std::string::npos);
  CHECK(less.find("<span class=\"chip v-not-run\">not run</span>") != std::string::npos);
}

TEST_CASE("check html: a peer's bytes are text: escaped, printable, bounded") {
  auto run = rp::test::sample_check_run();
  const std::string page = rp::check_html(run);
  CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("&lt;img src=x onerror=&quot;window.ehloPwned=1&quot;&gt;") != std::string::npos);
  CHECK(page.find("&quot;&#39;&gt;&lt;/pre&gt;&lt;/section&gt;&lt;script&gt;window.ehloPwned=2") != std::string::npos);
  CHECK(page.find("&amp;amp; &lt;b&gt;bold&lt;/b&gt;") != std::string::npos);
  CHECK(page.find("look-alike &lt;i&gt;250 twice&lt;/i&gt;") != std::string::npos);
  CHECK(page.find("<b>") == std::string::npos);
  CHECK(page.find("<i>") == std::string::npos);
  CHECK(page.find('\x1b') == std::string::npos);
  CHECK(page.find('\0') == std::string::npos);
  CHECK(page.find('\r') == std::string::npos);
  // ESC and NUL named, invalid UTF-8 as U+FFFD.
  CHECK(page.find("<span class=\"ctl\">ESC</span>[31mred") != std::string::npos);
  CHECK(page.find("<span class=\"ctl\">NUL</span> nul \xEF\xBF\xBD\xEF\xBF\xBD") != std::string::npos);

  // Long transcripts: the first and last lines, how many were left out; long lines cut.
  run.results[0].transcript.clear();
  for (int i = 0; i < 10; ++i) run.results[0].transcript += "S: 250 line " + std::to_string(i) + "\r\n";
  run.results[0].transcript += "S: 250 " + std::string(10000, 'x') + "\r\n";
  const std::string bounded = rp::check_html(run, {.transcript_lines = 4, .line_bytes = 100});
  const std::string panel = between(bounded, "<section class=\"detail\" id=\"d-0-0\"", "</section>");
  CHECK(panel.find("S: 250 line 1</span>") != std::string::npos);
  CHECK(panel.find("S: 250 line 2") == std::string::npos);
  CHECK(panel.find("... 7 lines left out here (the JSON report has them all) ...") != std::string::npos);
  CHECK(panel.find("S: 250 line 9</span>") != std::string::npos);
  CHECK(panel.find("S: 250 " + std::string(93, 'x') + "...</span>") != std::string::npos);
}

// CTest's report.check_html_browser opens this page in headless Chromium
// (tests/report/check_html_browser.py): the case writes it when
// EHLO_CHECK_HTML_OUT names a folder.
TEST_CASE("check html: the sample page for the browser") {
  const auto page = rp::check_html(rp::test::sample_check_run());
  CHECK(!page.empty());
  if (const char* dir = std::getenv("EHLO_CHECK_HTML_OUT")) {
    const std::filesystem::path out(dir);
    std::filesystem::create_directories(out);
    CHECK(!rp::write_file_atomically(out / "check.html", page));
  }
}
