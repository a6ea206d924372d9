// A run's statistics: causes bounded, the series bounded (halved past its
// limit, nothing lost), the recorder's seconds, and two runs merged into one
// (counts and histograms exactly, the series lined up on the clock).
#include "load/load_stats.hpp"

#include <doctest/doctest.h>

#include <numeric>

using namespace ehlo::load;
using std::chrono::milliseconds;

namespace {

std::uint64_t sum_started(const load_stats& s) {
  return std::accumulate(s.series.begin(), s.series.end(), std::uint64_t{0},
                         [](std::uint64_t n, const interval& p) { return n + p.started; });
}

}  // namespace

TEST_CASE("load stats: failures by cause, the first example kept, at most max_causes causes") {
  load_stats s;
  add_error(s, "connection refused", "cannot connect to 127.0.0.1:1: Connection refused");
  add_error(s, "connection refused", "another example");
  add_error(s, "timeout at steps/2 (reply to EHLO)", "timed out after 10s waiting for steps/2", 3);
  REQUIRE(s.errors.size() == 2);
  CHECK(s.errors[0].count == 2);
  CHECK(s.errors[0].example == "cannot connect to 127.0.0.1:1: Connection refused");
  CHECK(s.errors[1].count == 3);
  for (int i = 0; i < 300; ++i) add_error(s, "cause " + std::to_string(i), "e");
  CHECK(s.errors.size() == load_stats::max_causes + 1);
  CHECK(s.errors.back().cause == load_stats::other_causes);
  CHECK(s.errors.back().count == 300 - (load_stats::max_causes - 2));
}

TEST_CASE("load stats: the recorder's seconds; a long series halves and loses nothing") {
  load_stats s;
  load_recorder rec(s);
  for (std::int64_t second = 0; second < 3 * static_cast<std::int64_t>(load_stats::max_points); ++second) {
    for (int i = 0; i < 3; ++i) rec.started();
    rec.passed(1000 + static_cast<std::uint64_t>(second % 7));
    rec.message(true);
    rec.tick((second + 1) * 1000, 2);
  }
  CHECK(s.sessions_started == 3 * 3 * load_stats::max_points);
  CHECK(sum_started(s) == s.sessions_started);
  CHECK(s.series.size() <= load_stats::max_points);
  CHECK(s.series_step_ms == 4000);
  // Evenly spaced, each covering its step.
  for (std::size_t i = 0; i < s.series.size(); ++i) {
    CHECK(s.series[i].start_ms == static_cast<std::int64_t>(i) * s.series_step_ms);
    CHECK(s.series[i].length_ms == s.series_step_ms);
    CHECK(s.series[i].in_flight == 2);
  }
  CHECK(s.step(step_kind::session).count() == 3 * load_stats::max_points);
  CHECK(s.messages == 3 * load_stats::max_points);
}

TEST_CASE("load stats: the last bit of a run joins the point before it") {
  load_stats s;
  load_recorder rec(s);
  rec.started();
  rec.tick(1000, 1);
  rec.started();
  rec.passed(500);
  const interval last = rec.tick(1003, 0, true);
  CHECK(last.length_ms == 3);
  REQUIRE(s.series.size() == 1);
  CHECK(s.series[0].started == 2);
  CHECK(s.series[0].length_ms == 1003);
  CHECK(s.series[0].in_flight == 0);
  // A longer rest is a point of its own.
  rec.started();
  rec.tick(1700, 0, true);
  CHECK(s.series.size() == 2);
}

TEST_CASE("load stats: two runs merge; histograms exactly, the series on the clock, rates and counts added") {
  const auto at = [](std::int64_t ms) { return std::chrono::system_clock::time_point(milliseconds(ms)); };
  load_stats a, b;
  a.targets = {"10.0.0.1:25"};
  b.targets = {"10.0.0.1:25"};
  a.scenarios = {"one.json"};
  b.scenarios = {"two.json"};
  a.mode = b.mode = "rate";
  a.rate = 100;
  b.rate = 50;
  a.started = at(1'000'000);
  b.started = at(1'002'000);  // two seconds later
  a.elapsed = milliseconds(3000);
  b.elapsed = milliseconds(3000);
  load_recorder ra(a), rb(b);
  for (int second = 0; second < 3; ++second) {
    for (int i = 0; i < 10; ++i) {
      ra.started();
      ra.passed(1000 + static_cast<std::uint64_t>(i));
      rb.started();
      rb.passed(5000 + static_cast<std::uint64_t>(i));
    }
    ra.tick((second + 1) * 1000, 4);
    rb.tick((second + 1) * 1000, 6);
  }
  rb.failed("connection refused", "e");
  histogram all = a.step(step_kind::session);
  all.merge(b.step(step_kind::session));

  load_stats m = a;
  merge(m, b);
  CHECK(m.processes == 2);
  CHECK(m.targets == std::vector<std::string>{"10.0.0.1:25"});
  CHECK(m.scenarios == std::vector<std::string>{"one.json", "two.json"});
  CHECK(m.rate == 150);
  CHECK(m.started == a.started);
  CHECK(m.elapsed == milliseconds(5000));
  CHECK(m.sessions_started == 60);
  CHECK(m.sessions_passed == 60);
  CHECK(m.sessions_failed == 1);
  CHECK(m.step(step_kind::session) == all);
  REQUIRE(m.errors.size() == 1);
  // Seconds 0 and 1: a alone; 2: both; 3 and 4: b alone.
  REQUIRE(m.series.size() == 5);
  CHECK(m.series[0].started == 10);
  CHECK(m.series[2].started == 20);
  CHECK(m.series[2].in_flight == 10);
  CHECK(m.series[4].started == 10);
  CHECK(m.series[4].start_ms == 4000);
  // Percentiles of a shared point are weighed by the sessions timed.
  CHECK(m.series[2].timed == 20);
  CHECK(m.series[2].p50 > a.series[2].p50);
  CHECK(m.series[2].p50 < b.series[0].p50);
  CHECK(sum_started(m) == m.sessions_started);
}
