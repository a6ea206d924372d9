#include "report/results.hpp"

#include <doctest/doctest.h>

#include <string>

#include "report/console.hpp"
#include "report/json_report.hpp"
#include "report/junit_report.hpp"
#include "report/sample_run.hpp"

namespace rp = ehlo::report;
using namespace std::chrono_literals;

namespace {

rp::scenario_result numbered(rp::scenario_result r, int i) {
  r.name += "#" + std::to_string(i);
  return r;
}

std::vector<std::string> names(const rp::run_summary& run) {
  std::vector<std::string> out;
  for (const auto& r : run.results) out.push_back(r.name);
  return out;
}

}  // namespace

TEST_CASE("results: the keeper keeps the first results of each kind whole and counts the rest") {
  rp::run_summary run;
  rp::result_keeper keeper(2);
  // 5 passed (1 finding each), then 4 failed (3 findings each), 1 skipped, 2 errors and 1 interrupted, interleaved.
  for (int i = 0; i < 5; ++i) keeper.add(run, numbered(rp::test::passed_result(), i));
  for (int i = 0; i < 4; ++i) keeper.add(run, numbered(rp::test::failed_result(), i));
  keeper.add(run, numbered(rp::test::skipped_result(), 0));
  keeper.add(run, numbered(rp::test::error_result(), 0));
  keeper.add(run, numbered(rp::test::interrupted_result(), 0));
  keeper.add(run, numbered(rp::test::error_result(), 1));

  CHECK(names(run) == std::vector<std::string>{"seeds/gmail-auth-before-starttls#0",
                                               "seeds/gmail-auth-before-starttls#1", "conformance/rcpt-relay#0",
                                               "conformance/rcpt-relay#1"});
  CHECK(run.results[2].transcript == rp::test::failed_result().transcript);  // kept whole
  CHECK(run.not_kept == rp::totals{.scenarios = 9,
                                   .passed = 3,
                                   .failed = 2,
                                   .errors = 2,
                                   .skipped = 1,
                                   .interrupted = 1,
                                   .not_run = 0,
                                   .findings = 3 + 2 * 3,
                                   .not_kept = 0});
  run.planned = 15;
  CHECK(rp::count(run) == rp::totals{.scenarios = 13,
                                     .passed = 5,
                                     .failed = 4,
                                     .errors = 2,
                                     .skipped = 1,
                                     .interrupted = 1,
                                     .not_run = 2,
                                     .findings = 5 + 4 * 3,
                                     .not_kept = 9});
}

TEST_CASE("results: a limit of 0 keeps nothing, and the default keeps 1000 of each kind") {
  rp::run_summary none;
  rp::result_keeper nothing(0);
  nothing.add(none, rp::test::failed_result());
  CHECK(none.results.empty());
  CHECK(rp::count(none).failed == 1);
  CHECK(rp::count(none).not_kept == 1);

  rp::run_summary run;
  rp::result_keeper keeper;
  for (int i = 0; i < 1001; ++i) keeper.add(run, rp::test::passed_result());
  for (int i = 0; i < 1001; ++i) keeper.add(run, rp::test::error_result());
  CHECK(run.results.size() == 2000);
  CHECK(run.not_kept.passed == 1);
  CHECK(run.not_kept.errors == 1);
}

TEST_CASE("results: the reports count what was not kept") {
  rp::run_summary run;
  rp::result_keeper keeper(1);
  for (int i = 0; i < 30; ++i) keeper.add(run, numbered(rp::test::passed_result(), i));
  run.elapsed = 1200ms;
  CHECK(rp::format_summary(run, {}) ==
        "30 scenarios: 30 passed, 0 failed; 30 findings; 29 results not kept for the reports (1.2 s)\n");

  const std::string json = rp::json_report(run);
  CHECK(json.find(R"("scenarios": 30,)") != std::string::npos);
  CHECK(json.find(R"("not_kept": 29)") != std::string::npos);
  CHECK(json.find(R"("name": "seeds/gmail-auth-before-starttls#0")") != std::string::npos);
  CHECK(json.find("#1") == std::string::npos);

  const std::string xml = rp::junit_report(run);
  CHECK(xml.find(R"(<testsuite name="ehlo" tests="30" failures="0" errors="0" skipped="0" time="1.200")") !=
        std::string::npos);
  CHECK(xml.find(R"(<property name="ehlo.not_kept" value="29"/>)") != std::string::npos);
  CHECK(xml.find("<testcase ") == xml.rfind("<testcase "));  // one testcase
}
