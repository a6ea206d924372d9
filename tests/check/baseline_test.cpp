#include "check/baseline.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "report/json_report.hpp"
#include "report/sample_check_run.hpp"
#include "report/sample_run.hpp"
#include "report/temp_folder.hpp"

namespace ck = ehlo::check;
namespace rp = ehlo::report;

namespace {

ck::baseline parsed(const rp::run_summary& run) {
  std::string error;
  const auto b = ck::parse_baseline(rp::json_report(run), "old.json", error);
  REQUIRE_MESSAGE(b, error);
  return *b;
}

std::string parse_error(std::string_view text) {
  std::string error;
  const auto b = ck::parse_baseline(text, "old.json", error);
  CHECK_FALSE(b);
  return error;
}

const std::string header = R"({"format": "ehlo-run-report", "format_version": 1, "scenarios": [)";

}  // namespace

TEST_CASE("baseline: an earlier JSON report read back, probe by probe") {
  const auto run = rp::test::sample_check_run();
  const auto b = parsed(run);
  REQUIRE(b.entries.size() == 12);
  CHECK(b.entries[0].target == "127.0.0.1:2525");
  CHECK(b.entries[0].probe == "line-100k");
  CHECK(b.entries[0].verdict == "inconclusive");
  CHECK(b.entries[0].severity == "should");
  CHECK(b.entries[9].target == "127.0.0.1:2526");
  CHECK(b.entries[9].verdict == "exploitable");
  // A report of `ehlo run` has no probes: an empty baseline.
  CHECK(parsed(rp::test::sample_run()).entries.empty());
}

TEST_CASE("baseline: the same run again: nothing worse") {
  const auto run = rp::test::sample_check_run();
  const auto c = ck::compare(parsed(run), run);
  CHECK_FALSE(c.failed());
  CHECK(c.same == 12);
  CHECK(c.worse.empty());
  CHECK(c.better.empty());
  CHECK(c.added.empty());
  CHECK(c.gone.empty());
  CHECK(ck::format_comparison(c, "old.json") == "baseline old.json: 0 worse, 0 better, 0 new, 12 the same\n");
}

TEST_CASE("baseline: worse verdicts fail; better, new, gone and changed ones are listed") {
  const auto before = rp::test::sample_check_run();
  auto now = before;
  auto& rs = now.results;
  rs[3].probe->verdict = "violates";  // smuggling-lf-dot-lf on 2525: conforms -> violates (must): worse
  rs[3].status = rp::status::failed;
  rs[1].probe->severity = "must";     // rcpt-before-mail on 2525: violates should -> must: worse
  rs[5].probe->verdict = "conforms";  // ehlo-colon on 2525: violates lenient -> conforms: better
  rs[5].probe->severity = "lenient";
  rs[9].probe->verdict = "violates";         // smuggling-lf-dot-lf on 2526: exploitable -> violates (must): better
  rs[7].probe->verdict = "not-applicable";   // rcpt-before-mail on 2526: inconclusive -> n/a: better
  rs[10].probe->verdict = "not-applicable";  // starttls-twice on 2526: conforms -> n/a: same rank, changed
  rs[0].probe->verdict = "violates";         // line-100k on 2525: inconclusive -> violates (should): worse
  rs.erase(rs.begin() + 11);                 // ehlo-colon on 2526: not played now
  rs.push_back(rp::test::probe_result("127.0.0.1:2526", "zz-new", "zz", "new", "must", "violates"));  // new
  rs[6].status = rp::status::interrupted;  // line-100k on 2526: not compared

  const auto c = ck::compare(parsed(before), now);
  CHECK(c.failed());
  REQUIRE(c.worse.size() == 3);
  CHECK(c.worse[0].probe == "line-100k");
  CHECK(c.worse[0].before == "inconclusive");
  CHECK(c.worse[0].after == "violates (should)");
  CHECK(c.worse[1].probe == "rcpt-before-mail");
  CHECK(c.worse[1].before == "violates (should)");
  CHECK(c.worse[1].after == "violates (must)");
  CHECK(c.worse[2].probe == "smuggling-lf-dot-lf");
  CHECK(c.worse[2].target == "127.0.0.1:2525");
  REQUIRE(c.better.size() == 3);
  CHECK(c.better[0].probe == "ehlo-colon");
  CHECK(c.better[1].probe == "rcpt-before-mail");
  CHECK(c.better[1].after == "not-applicable");
  CHECK(c.better[2].before == "exploitable (must)");
  CHECK(c.better[2].after == "violates (must)");
  REQUIRE(c.changed.size() == 1);
  CHECK(c.changed[0].probe == "starttls-twice");
  REQUIRE(c.added.size() == 1);
  CHECK(c.added[0].probe == "zz-new");
  CHECK(c.added[0].before.empty());
  REQUIRE(c.gone.size() == 1);
  CHECK(c.gone[0].probe == "ehlo-colon");
  CHECK(c.gone[0].target == "127.0.0.1:2526");
  CHECK(c.not_compared == 1);
  CHECK(c.same == 3);
  CHECK(ck::format_comparison(c, "old.json") ==
        "baseline old.json: 3 worse, 3 better, 1 new, 1 gone, 1 changed, 3 the same; 1 interrupted, not compared\n"
        "  worse    127.0.0.1:2525  line-100k  inconclusive -> violates (should)\n"
        "  worse    127.0.0.1:2525  rcpt-before-mail  violates (should) -> violates (must)\n"
        "  worse    127.0.0.1:2525  smuggling-lf-dot-lf  conforms -> violates (must)\n"
        "  better   127.0.0.1:2525  ehlo-colon  violates (lenient) -> conforms\n"
        "  better   127.0.0.1:2526  rcpt-before-mail  inconclusive -> not-applicable\n"
        "  better   127.0.0.1:2526  smuggling-lf-dot-lf  exploitable (must) -> violates (must)\n"
        "  new      127.0.0.1:2526  zz-new  violates (must)\n"
        "  gone     127.0.0.1:2526  ehlo-colon  conforms -> not played\n"
        "  changed  127.0.0.1:2526  starttls-twice  conforms -> not-applicable\n");
  CHECK(ck::format_comparison(c, "old.json", true).starts_with("baseline old.json: \x1b[1;31m3 worse\x1b[0m, "));
}

TEST_CASE("baseline: the rank of each verdict, as check::rank has it") {
  // conforms = n/a < inconclusive < pedantic < lenient < should < must < exploitable
  const char* order[][2] = {{"conforms", "must"},       {"inconclusive", "must"}, {"violates", "pedantic"},
                            {"violates", "lenient"},    {"violates", "should"},   {"violates", "must"},
                            {"exploitable", "pedantic"}};
  for (std::size_t i = 0; i + 1 < std::size(order); ++i) {
    CAPTURE(i);
    auto before = rp::test::sample_check_run();
    before.results.resize(1);
    before.results[0].probe->verdict = order[i][0];
    before.results[0].probe->severity = order[i][1];
    auto now = before;
    now.results[0].probe->verdict = order[i + 1][0];
    now.results[0].probe->severity = order[i + 1][1];
    CHECK(ck::compare(parsed(before), now).worse.size() == 1);
    CHECK(ck::compare(parsed(now), before).better.size() == 1);
  }
}

TEST_CASE("baseline: one target each: compared whatever their addresses; other targets set aside") {
  auto before = rp::test::sample_check_run();
  before.results.resize(6);  // 127.0.0.1:2525 only
  auto now = before;
  for (auto& r : now.results) r.peer = "127.0.0.1:40001";
  now.results[3].probe->verdict = "exploitable";
  auto c = ck::compare(parsed(before), now);
  CHECK(c.stood_for == "127.0.0.1:2525");
  CHECK(c.worse.size() == 1);
  CHECK(c.same == 5);
  CHECK(ck::format_comparison(c, "old.json") ==
        "baseline old.json: 1 worse, 0 better, 0 new, 5 the same\n"
        "  the baseline's only target, 127.0.0.1:2525, compared with this run's\n"
        "  worse    127.0.0.1:40001  smuggling-lf-dot-lf  conforms -> exploitable (must)\n");

  // Two targets in the baseline, one in this run: matched by address; the other is not in this run.
  const auto both = rp::test::sample_check_run();
  c = ck::compare(parsed(both), before);
  CHECK(c.stood_for.empty());
  CHECK(c.same == 6);
  REQUIRE(c.absent_targets.size() == 1);
  CHECK(c.absent_targets[0] == std::pair<std::string, std::size_t>{"127.0.0.1:2526", 6});
  CHECK(
      ck::format_comparison(c, "old.json").ends_with("  not in this run: 127.0.0.1:2526 (6 probes in the baseline)\n"));
}

TEST_CASE("baseline: a file that is not an earlier report says where and why") {
  CHECK(parse_error("{\"format\": ") == "old.json:1:12: expected a value, found end of file");
  CHECK(parse_error("[]") == "old.json:1:1: expected an ehlo JSON report (an object), found an array");
  CHECK(parse_error("{\"format\": \"junit\"}") ==
        "old.json:1:12: not an ehlo JSON report (--report json:PATH): \"format\" is not \"ehlo-run-report\"");
  CHECK(parse_error(R"({"format": "ehlo-run-report", "format_version": 2})") ==
        "old.json:1:49: format_version 2: this ehlo reads version 1");
  CHECK(parse_error(header + R"({"peer": "a", "name": "b", "probe": {"verdict": "splendid"}}]})") ==
        "old.json:1:114: scenarios/0/probe/verdict: unknown verdict \"splendid\"");
  CHECK(parse_error(header + R"({"peer": "a", "name": "b", "probe": {"verdict": "violates", "severity": 3}}]})") ==
        "old.json:1:138: scenarios/0/probe/severity: expected a string, found a number");
  CHECK(parse_error(header + R"({"name": "b", "probe": {"verdict": "conforms"}}]})") ==
        "old.json:1:66: scenarios/0: no \"peer\"");
  CHECK(parse_error(header + R"(1]})") == "old.json:1:66: scenarios/0: expected an object, found a number");
  std::string error;
  CHECK_FALSE(ck::read_baseline("/no/such/old.json", error));
  CHECK(error == "/no/such/old.json: no such file");
  CHECK_FALSE(ck::read_baseline("/tmp", error));
  CHECK(error.starts_with("/tmp: a folder"));
}

TEST_CASE("baseline: read from a file") {
  rp::test::temp_folder dir;
  const auto path = dir / "old.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << rp::json_report(rp::test::sample_check_run());
  }
  std::string error;
  const auto b = ck::read_baseline(path, error);
  REQUIRE_MESSAGE(b, error);
  CHECK(b->entries.size() == 12);
}
