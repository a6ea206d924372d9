// The reports of ehlo load: the JSON document read back into the same
// figures (what ehlo report merge relies on) and refused with a reason when it
// is not one; the CSV's rows; the console's status line and summary; the HTML
// page, self-contained, with what came from a server escaped.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "report/atomic_file.hpp"
#include "report/load_console.hpp"
#include "report/load_csv.hpp"
#include "report/load_html.hpp"
#include "report/load_json.hpp"
#include "report/sample_load_run.hpp"
#include "report/temp_folder.hpp"

namespace rp = ehlo::report;
namespace ld = ehlo::load;

namespace {

std::size_t occurrences(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

std::optional<ld::load_stats> read_back(const rp::test::temp_folder& dir, const std::string& text, std::string& error) {
  const auto file = dir / "r.json";
  std::ofstream(file) << text;
  return rp::read_load_json_report(file, error);
}

}  // namespace

TEST_CASE("load json: written and read back, the same figures; histograms exactly") {
  const auto s = rp::test::sample_load_run();
  const std::string text = rp::load_json_report(s);
  const auto doc = nlohmann::ordered_json::parse(text);
  CHECK(doc["format"] == "ehlo-load-report");
  CHECK(doc["totals"]["sessions_started"] == s.sessions_started);
  CHECK(doc["totals"]["errors"] == s.error_count());
  CHECK(doc["steps"].size() == 11);
  CHECK(doc["steps"].begin().key() == "connect");  // in the order of a session
  CHECK(doc["steps"]["session"]["p99_us"] == s.step(ld::step_kind::session).at(990'000));
  CHECK(doc["series"].size() == 60);

  rp::test::temp_folder dir;
  std::string error;
  const auto back = read_back(dir, text, error);
  REQUIRE_MESSAGE(back, error);
  CHECK(back->steps == s.steps);
  CHECK(back->series == s.series);
  // The examples' bytes that are not UTF-8 come back as U+FFFD (a JSON text is UTF-8); the rest as written.
  REQUIRE(back->errors.size() == 2);
  CHECK(back->errors[0] == s.errors[0]);
  CHECK(back->errors[1].count == s.errors[1].count);
  CHECK(back->errors[1].example.find("\xef\xbf\xbd\xef\xbf\xbd\nC: EHLO") != std::string::npos);
  CHECK(back->findings_by_rule == s.findings_by_rule);
  CHECK(back->started == s.started);
  CHECK(back->elapsed == s.elapsed);
  CHECK(back->sessions_failed == s.sessions_failed);
  CHECK(back->rate == s.rate);
  CHECK(rp::load_json_report(*back) == text);

  // Merged with itself: every count doubles, the percentiles stay.
  ld::load_stats twice = *back;
  ld::merge(twice, *back);
  CHECK(twice.processes == 2);
  CHECK(twice.sessions_passed == 2 * s.sessions_passed);
  CHECK(twice.step(ld::step_kind::rcpt).count() == 2 * s.step(ld::step_kind::rcpt).count());
  CHECK(twice.step(ld::step_kind::rcpt).at(990'000) == s.step(ld::step_kind::rcpt).at(990'000));
  CHECK(twice.errors[0].count == 2 * s.errors[0].count);
  CHECK(twice.series.size() == s.series.size());
  CHECK(twice.series[20].passed == 2 * s.series[20].passed);
}

TEST_CASE("load json: what is not a load report is refused, saying where") {
  rp::test::temp_folder dir;
  std::string error;
  CHECK_FALSE(read_back(dir, "{\"format\": \"ehlo-run-report\"}", error));
  CHECK(error.ends_with("r.json: not an ehlo load report (no \"format\": \"ehlo-load-report\")"));
  CHECK_FALSE(read_back(dir, "{\"format\": ", error));
  CHECK(error.find("not JSON (at byte") != std::string::npos);
  auto doc = nlohmann::ordered_json::parse(rp::load_json_report(rp::test::sample_load_run()));
  doc["steps"]["RCPT"]["histogram"][1] = nlohmann::json::array({1001, 3});
  CHECK_FALSE(read_back(dir, doc.dump(), error));
  CHECK(error.ends_with("/steps/RCPT/histogram/1: 1001 is not where a bucket of this layout begins"));
  doc = nlohmann::ordered_json::parse(rp::load_json_report(rp::test::sample_load_run()));
  doc["steps"]["RCPT"]["count"] = 1;
  CHECK_FALSE(read_back(dir, doc.dump(), error));
  CHECK(error.ends_with("/steps/RCPT/count: is not the sum of the histogram's counts"));
  doc = nlohmann::ordered_json::parse(rp::load_json_report(rp::test::sample_load_run()));
  doc["histogram_layout"]["sub_bucket_bits"] = 5;
  CHECK_FALSE(read_back(dir, doc.dump(), error));
  CHECK(error.find("/histogram_layout: another histogram layout") != std::string::npos);
  doc = nlohmann::ordered_json::parse(rp::load_json_report(rp::test::sample_load_run()));
  doc["steps"]["LUNCH"] = doc["steps"]["RCPT"];
  CHECK_FALSE(read_back(dir, doc.dump(), error));
  CHECK(error.ends_with("/steps/LUNCH: not a step ehlo times"));
  doc = nlohmann::ordered_json::parse(rp::load_json_report(rp::test::sample_load_run()));
  doc["totals"].erase("messages");
  CHECK_FALSE(read_back(dir, doc.dump(), error));
  CHECK(error.ends_with("/totals: no \"messages\""));
  CHECK_FALSE(rp::read_load_json_report(dir / "missing.json", error));
  CHECK(error.find("missing.json: cannot be read") != std::string::npos);
}

TEST_CASE("load csv: a row a second, the totals running") {
  const auto s = rp::test::sample_load_run();
  const std::string csv = rp::load_csv_report(s);
  CHECK(csv.starts_with("t_s,interval_s,started,passed,failed,messages,sessions_per_s,messages_per_s,in_flight,"));
  CHECK(occurrences(csv, "\n") == 61);
  CHECK(csv.find("\n1.000,1.000,80,80,0,80,80.0,80.0,8,80,0,80,") != std::string::npos);
  CHECK(csv.find("\n2.000,1.000,160,160,0,160,160.0,160.0,8,240,0,240,") != std::string::npos);
  // The last point holds the last quarter second too.
  CHECK(csv.find("\n60.250,1.250,800,800,0,800,640.0,640.0,0,") != std::string::npos);
  rp::load_csv rows;
  ld::interval idle;
  idle.start_ms = 0;
  idle.length_ms = 1000;
  CHECK(rows.row(idle) == "1.000,1.000,0,0,0,0,0.0,0.0,0,0,0,0,,,,\n");
}

TEST_CASE("load console: the status line and the summary") {
  const auto s = rp::test::sample_load_run();
  const std::string status = rp::format_load_status(s.series[20], s);
  CHECK(status.starts_with("   21s     800 sessions/s     800 msg/s  in flight 8  errors 400  session p50 "));
  const std::string summary = rp::format_load_summary(s, false);
  CHECK(summary.starts_with("ehlo load: 127.0.0.1:2525, rate 800/s, 60.2 s\n"));
  CHECK(summary.find("  sessions   44400 started, 44000 passed (730/s), 400 failed\n") != std::string::npos);
  CHECK(summary.find("  step                count       p50       p90       p99     p99.9       max\n") !=
        std::string::npos);
  CHECK(summary.find("\n  EHLO                88000 ") != std::string::npos);
  CHECK(summary.find("\n  session             44000 ") != std::string::npos);
  CHECK(summary.find("        200  steps/6 (reply to RCPT): got 452, expected 250\n") != std::string::npos);
  // A server's ESC never reaches the terminal.
  CHECK(summary.find('\x1b') == std::string::npos);
  CHECK(summary.find("findings   44000: 5321-4.2-b 44000\n") != std::string::npos);
}

TEST_CASE("load html: one self-contained page; what came from a server is text") {
  const auto s = rp::test::sample_load_run();
  const std::string page = rp::load_html(s);
  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find("default-src 'none'") != std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("starttls &lt;b&gt;bold&lt;/b&gt;.json") != std::string::npos);
  CHECK(occurrences(page, "<figure class=\"hist\"") == 11);
  CHECK(occurrences(page, "data-series=") == 7);
  CHECK(page.find("data-series=\"sessions/s\" data-points=\"60\"") != std::string::npos);
}

// CTest's report.load_html_browser opens this page in headless Chromium
// (tests/report/load_html_browser.py): the case writes it, and its JSON, when
// EHLO_LOAD_HTML_OUT names a folder.
TEST_CASE("load html: the sample page for the browser") {
  const auto s = rp::test::sample_load_run();
  const auto page = rp::load_html(s);
  CHECK(!page.empty());
  if (const char* dir = std::getenv("EHLO_LOAD_HTML_OUT")) {
    const std::filesystem::path out(dir);
    std::filesystem::create_directories(out);
    CHECK(!rp::write_file_atomically(out / "load.html", page));
    CHECK(!rp::write_file_atomically(out / "load.json", rp::load_json_report(s)));
  }
}
