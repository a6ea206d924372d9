#include "report/json_report.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "report/sample_check_run.hpp"
#include "report/sample_run.hpp"

namespace rp = ehlo::report;
using json = nlohmann::ordered_json;
using namespace std::string_literals;

namespace {

std::vector<std::string> keys_of(const json& object) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : object.items()) keys.push_back(k);
  return keys;
}

void check_scenario(const json& s, const rp::scenario_result& r) {
  CAPTURE(r.name);
  CHECK(keys_of(s) == std::vector<std::string>{"name", "file", "role", "peer", "status", "expected_outcome",
                                               "elapsed_ms", "tags", "failure", "findings", "findings_dropped",
                                               "state_log", "transcript"});
  CHECK(s["name"] == r.name);
  CHECK(s["file"] == r.file);
  CHECK(s["role"] == r.role);
  CHECK(s["peer"] == r.peer);
  CHECK(s["status"] == rp::to_string(r.status));
  CHECK(s["expected_outcome"] == r.expected_outcome);
  CHECK(s["elapsed_ms"] == r.elapsed.count());
  CHECK(s["tags"] == r.tags);
  if (r.fail) {
    CHECK(keys_of(s["failure"]) == std::vector<std::string>{"step", "expected", "got", "note", "message"});
    CHECK(s["failure"]["step"] == r.fail->step);
    CHECK(s["failure"]["expected"] == r.fail->expected);
    CHECK(s["failure"]["got"] == r.fail->got);
    CHECK(s["failure"]["note"] == r.fail->note);
    CHECK(s["failure"]["message"] == r.fail->message);
  } else {
    CHECK(s["failure"].is_null());
  }
  REQUIRE(s["findings"].size() == r.findings.size());
  for (std::size_t i = 0; i < r.findings.size(); ++i) {
    const auto& f = s["findings"][i];
    CHECK(keys_of(f) == std::vector<std::string>{"rule", "section", "what", "step"});
    CHECK(f["rule"] == r.findings[i].rule);
    CHECK(f["section"] == r.findings[i].section);
    CHECK(f["what"] == r.findings[i].what);
    CHECK(f["step"] == r.findings[i].step);
  }
  CHECK(s["findings_dropped"] == r.findings_dropped);
  CHECK(s["state_log"] == r.state_log);
}

}  // namespace

TEST_CASE("json: the report parses back, field by field") {
  const auto run = rp::test::sample_run();
  const std::string text = rp::json_report(run);
  CHECK(text.ends_with("}\n"));
  const json doc = json::parse(text);  // throws, failing the test, if the text is not valid JSON (and UTF-8)

  CHECK(keys_of(doc) == std::vector<std::string>{"format", "format_version", "ehlo_version", "started", "elapsed_ms",
                                                 "interrupted", "seed", "totals", "scenarios"});
  CHECK(doc["format"] == "ehlo-run-report");
  CHECK(doc["format_version"] == 1);
  CHECK(doc["ehlo_version"] == "0.1.0");
  CHECK(doc["started"] == "2024-05-01T12:34:56.789Z");
  CHECK(doc["elapsed_ms"] == 4321);
  CHECK(doc["interrupted"] == true);
  CHECK(doc["seed"] == "18446744073709551615");
  CHECK(doc["totals"] == json{{"scenarios", 5},
                              {"passed", 1},
                              {"failed", 1},
                              {"errors", 1},
                              {"skipped", 1},
                              {"interrupted", 1},
                              {"not_run", 2},
                              {"findings", 4},
                              {"not_kept", 0}});
  REQUIRE(doc["scenarios"].size() == 5);
  for (std::size_t i = 0; i < 5; ++i) check_scenario(doc["scenarios"][i], run.results[i]);

  // Transcripts keep every byte JSON can hold (NUL and ESC as escapes); bytes that are not UTF-8 become U+FFFD.
  CHECK(doc["scenarios"][0]["transcript"] == run.results[0].transcript);
  std::string want = run.results[1].transcript;
  want.replace(want.find("\xff\xfe"), 2, "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(doc["scenarios"][1]["transcript"] == want);
  CHECK(text.find("\\u0000 ESMTP") != std::string::npos);
  CHECK(text.find("mx\\u001b[31m") != std::string::npos);
}

TEST_CASE("json: an empty run") {
  const json doc = json::parse(rp::json_report({}));
  CHECK(doc["started"] == "1970-01-01T00:00:00.000Z");
  CHECK(doc["interrupted"] == false);
  CHECK(doc["seed"] == "0");
  CHECK(doc["totals"]["scenarios"] == 0);
  CHECK(doc["totals"]["not_run"] == 0);
  CHECK(doc["scenarios"] == json::array());
}

TEST_CASE("json: a check run: each probe's verdict, and the totals by verdict and severity") {
  auto run = rp::test::sample_check_run();
  run.results[1].probe->client_exit = 0;
  run.results[1].probe->client_output = "swaks: \x1b[31msent\n";
  const json doc = json::parse(rp::json_report(run));
  CHECK(doc["totals"]["verdicts"] == json{{"conforms", 5},
                                          {"violates", 3},
                                          {"exploitable", 1},
                                          {"inconclusive", 2},
                                          {"not-applicable", 1}});
  CHECK(doc["totals"]["violations_by_severity"] ==
        json{{"must", 2}, {"should", 1}, {"lenient", 1}, {"pedantic", 0}});
  CHECK(doc["totals"]["scenarios"] == 12);
  REQUIRE(doc["scenarios"].size() == 12);
  for (std::size_t i = 0; i < 12; ++i) {
    const auto& s = doc["scenarios"][i];
    const auto& p = *run.results[i].probe;
    CAPTURE(i);
    CHECK(keys_of(s).back() == "probe");
    const std::vector<std::string> fields = {"title", "category", "rules", "checks",     "verdict", "severity",
                                             "rule",  "section",  "why",   "at"};
    std::vector<std::string> want = fields;
    if (p.client_exit) want.push_back("client_exit");
    if (!p.client_output.empty()) want.push_back("client_output");
    CHECK(keys_of(s["probe"]) == want);
    CHECK(s["peer"] == run.results[i].peer);
    CHECK(s["name"] == run.results[i].name);
    CHECK(s["probe"]["title"] == p.title);
    CHECK(s["probe"]["category"] == p.category);
    CHECK(s["probe"]["rules"] == p.rules);
    CHECK(s["probe"]["checks"] == p.checks);
    CHECK(s["probe"]["verdict"] == p.verdict);
    CHECK(s["probe"]["severity"] == p.severity);
    CHECK(s["probe"]["rule"] == p.rule);
    CHECK(s["probe"]["section"] == p.section);
    CHECK(s["probe"]["why"] == p.why);
    CHECK(s["probe"]["at"] == p.at);
    if (!p.client_output.empty()) CHECK(s["probe"]["client_output"] == p.client_output);
  }
  CHECK(doc["scenarios"][1]["probe"]["client_exit"] == 0);
  CHECK(doc["scenarios"][9]["probe"]["verdict"] == "exploitable");
  // The hostile transcript as JSON holds it: markup as text, ESC and NUL escaped.
  const std::string transcript = doc["scenarios"][9]["transcript"];
  CHECK(transcript.find("<script>alert(1)</script>") != std::string::npos);
  // A run without probes has neither key.
  CHECK_FALSE(json::parse(rp::json_report(rp::test::sample_run()))["totals"].contains("verdicts"));
}
