// What `ehlo load` measured: counts of sessions and messages, the latency of
// every step in a histogram, the failed sessions by cause, the findings by
// rule, and a time series of one point a second. The runner records into it
// (load_recorder) as sessions end; the reporters (console, JSON, CSV, HTML)
// only read it; `ehlo report merge` adds several up (merge()).
//
// Its memory is bounded whatever the run's length: histograms are fixed in
// size, causes are at most max_causes (the rest counted under one more), and
// the series keeps at most max_points points: past that, neighbours are
// merged two by two and the points cover twice as long.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "load/histogram.hpp"
#include "load/step_kind.hpp"

namespace ehlo::load {

/// Sessions that failed the same way.
struct error_cause {
  /// "connect: connection refused", "steps/6 (reply to RCPT): 452 where 250 was expected",
  /// "timeout at steps/2 (reply to EHLO)"
  std::string cause;
  std::uint64_t count = 0;
  std::string example;  ///< the first such failure's whole message

  friend bool operator==(const error_cause&, const error_cause&) = default;
};

/// One point of the time series: what happened in [start, start + length).
struct interval {
  std::int64_t start_ms = 0;  ///< from the run's start
  std::int64_t length_ms = 0;
  std::uint64_t started = 0;    ///< sessions started
  std::uint64_t passed = 0;     ///< sessions that ended and passed
  std::uint64_t failed = 0;     ///< sessions that failed, and those not started (--max-in-flight)
  std::uint64_t messages = 0;   ///< messages accepted
  std::uint64_t in_flight = 0;  ///< sessions under way at its end
  /// The latency of the sessions that passed in it: how many, and their p50,
  /// p90, p99 and max in microseconds (a merge of two points weighs the
  /// percentiles by `timed`, an approximation; the max is exact).
  std::uint64_t timed = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;

  friend bool operator==(const interval&, const interval&) = default;
};

struct load_stats {
  static constexpr std::size_t max_causes = 100;
  static constexpr std::size_t max_points = 3600;
  /// The cause past max_causes distinct ones.
  static constexpr std::string_view other_causes = "other causes (more than 100 distinct)";

  // What was run.
  std::string ehlo_version;
  std::vector<std::string> targets;    ///< one per process, or the same once
  std::vector<std::string> scenarios;  ///< the files played, in turn
  std::string mode;                    ///< "concurrency" or "rate"
  std::uint64_t concurrency = 0;       ///< closed loop: sessions at all times (summed over processes)
  double rate = 0;                     ///< open loop: new sessions a second (summed over processes)
  std::uint64_t messages_per_session = 1;
  std::uint64_t processes = 1;  ///< load processes added up (ehlo report merge)
  std::chrono::system_clock::time_point started{};
  std::chrono::milliseconds elapsed{0};  ///< from the first start to the last end
  bool interrupted = false;              ///< stopped by SIGINT or SIGTERM
  bool stopped_on_error = false;         ///< --stop-on-error stopped it

  // What happened.
  std::uint64_t sessions_started = 0;
  std::uint64_t sessions_passed = 0;
  std::uint64_t sessions_failed = 0;
  std::uint64_t sessions_interrupted = 0;  ///< under way when the run was stopped
  std::uint64_t sessions_not_started = 0;  ///< open loop, --max-in-flight sessions already under way
  std::uint64_t messages = 0;              ///< a 2xx reply to the end of data, or to BDAT LAST
  std::uint64_t messages_refused = 0;      ///< any other reply there
  std::uint64_t findings = 0;
  std::map<std::string, std::uint64_t, std::less<>> findings_by_rule;
  std::array<histogram, step_kinds> steps;
  std::vector<error_cause> errors;  ///< by first appearance
  std::vector<interval> series;
  std::int64_t series_step_ms = 1000;  ///< how long each point covers (the last may be shorter)

  /// Failed sessions and those not started: what `--fail-if 'errors > 0'` counts.
  std::uint64_t error_count() const noexcept { return sessions_failed + sessions_not_started; }
  const histogram& step(step_kind k) const noexcept { return steps[static_cast<std::size_t>(k)]; }
  histogram& step(step_kind k) noexcept { return steps[static_cast<std::size_t>(k)]; }
  /// Per second over elapsed (0 when nothing elapsed).
  double per_second(std::uint64_t n) const noexcept;
};

/// Counts a failure under its cause (the first `max_causes` distinct ones;
/// then under other_causes), keeping the first example of each.
void add_error(load_stats& s, std::string_view cause, std::string_view example, std::uint64_t n = 1);
/// Appends a point of the series, merging it into the last while that covers
/// less than series_step_ms, and halving the series past max_points.
void add_point(load_stats& s, const interval& p);
/// Two points as one (counts added, in_flight the later's, percentiles
/// weighted by `timed`, max the larger).
interval combine(const interval& a, const interval& b);
/// Adds `from` into `into`: counts, histograms (exactly), causes, findings;
/// the series aligned on the clock (started), a point covering the longer of
/// the two steps; elapsed from the first start to the last end. What was run
/// (targets, scenarios) is listed once each; rates and concurrencies add up.
void merge(load_stats& into, const load_stats& from);

/// Records a run as it goes (the runner's side). Times are given, never read:
/// the caller owns the clock.
class load_recorder {
 public:
  explicit load_recorder(load_stats& s) : s_(s) {}

  void started() noexcept {
    ++s_.sessions_started;
    ++cur_.started;
  }
  void step(step_kind k, std::uint64_t us) { s_.step(k).add(us); }
  void message(bool accepted) noexcept {
    if (accepted) {
      ++s_.messages;
      ++cur_.messages;
    } else {
      ++s_.messages_refused;
    }
  }
  void finding(std::string_view rule);
  void passed(std::uint64_t session_us);
  void failed(std::string_view cause, std::string_view example);
  void not_started(std::string_view cause);
  void interrupted(std::uint64_t n) noexcept { s_.sessions_interrupted += n; }
  /// Whether failures of `cause` were counted already (so that the caller
  /// builds an example only for the first), or can no longer be told apart.
  bool knows(std::string_view cause) const noexcept;
  /// Where the current interval began, and whether anything happened in it.
  std::int64_t interval_start() const noexcept { return cur_.start_ms; }
  bool interval_busy() const noexcept { return cur_.started + cur_.passed + cur_.failed + cur_.messages > 0; }

  /// Ends the current interval at `now_ms` (from the run's start) and appends
  /// it to the series; returns it. The `last` interval of a run, when it is
  /// shorter than half a point, joins the point before it instead: a few
  /// sessions ending in its milliseconds are no rate to plot.
  interval tick(std::int64_t now_ms, std::uint64_t in_flight, bool last = false);

 private:
  load_stats& s_;
  interval cur_;
  histogram window_;  ///< the current interval's session latencies
};

}  // namespace ehlo::load
