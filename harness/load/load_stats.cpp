#include "load/load_stats.hpp"

#include <algorithm>

namespace ehlo::load {

double load_stats::per_second(std::uint64_t n) const noexcept {
  if (elapsed.count() <= 0) return 0;
  return static_cast<double>(n) * 1000.0 / static_cast<double>(elapsed.count());
}

void add_error(load_stats& s, std::string_view cause, std::string_view example, std::uint64_t n) {
  for (auto& e : s.errors)
    if (e.cause == cause) {
      e.count += n;
      return;
    }
  if (s.errors.size() >= load_stats::max_causes) {
    // The last entry gathers everything past the limit.
    if (s.errors.size() == load_stats::max_causes)
      s.errors.push_back({std::string(load_stats::other_causes), 0, std::string(example)});
    s.errors.back().count += n;
    return;
  }
  s.errors.push_back({std::string(cause), n, std::string(example)});
}

interval combine(const interval& a, const interval& b) {
  interval c;
  c.start_ms = std::min(a.start_ms, b.start_ms);
  c.length_ms = std::max(a.start_ms + a.length_ms, b.start_ms + b.length_ms) - c.start_ms;
  c.started = a.started + b.started;
  c.passed = a.passed + b.passed;
  c.failed = a.failed + b.failed;
  c.messages = a.messages + b.messages;
  c.in_flight = a.start_ms <= b.start_ms ? b.in_flight : a.in_flight;
  c.timed = a.timed + b.timed;
  if (c.timed > 0) {
    const auto weigh = [&](std::uint64_t x, std::uint64_t y) {
      return static_cast<std::uint64_t>((static_cast<double>(x) * static_cast<double>(a.timed) +
                                         static_cast<double>(y) * static_cast<double>(b.timed)) /
                                            static_cast<double>(c.timed) +
                                        0.5);
    };
    c.p50 = weigh(a.p50, b.p50);
    c.p90 = weigh(a.p90, b.p90);
    c.p99 = weigh(a.p99, b.p99);
  }
  c.max = std::max(a.max, b.max);
  return c;
}

namespace {

/// Halves the series: each pair of neighbours becomes one point.
void halve(load_stats& s) {
  std::vector<interval> out;
  out.reserve(s.series.size() / 2 + 1);
  for (std::size_t i = 0; i < s.series.size(); i += 2)
    out.push_back(i + 1 < s.series.size() ? combine(s.series[i], s.series[i + 1]) : s.series[i]);
  s.series = std::move(out);
  s.series_step_ms *= 2;
}

}  // namespace

void add_point(load_stats& s, const interval& p) {
  if (!s.series.empty()) {
    interval& last = s.series.back();
    // The last point still covers less than a step (the series was halved):
    // this one joins it, so that points stay evenly spaced.
    if (last.start_ms + s.series_step_ms > p.start_ms) {
      last = combine(last, p);
      return;
    }
  }
  s.series.push_back(p);
  if (s.series.size() > load_stats::max_points) halve(s);
}

namespace {

/// `from`'s series on a grid of `step` ms from `origin` (ms since the epoch):
/// each point into the cell its start falls in, keeping how long it covered
/// (the last point of a run may cover more or less than a step); points of
/// the run that share a cell add up as neighbours do, their lengths too.
std::map<std::int64_t, interval> on_grid(const load_stats& from, std::int64_t origin, std::int64_t step) {
  std::map<std::int64_t, interval> cells;
  const std::int64_t base =
      std::chrono::duration_cast<std::chrono::milliseconds>(from.started.time_since_epoch()).count() - origin;
  for (const auto& p : from.series) {
    const std::int64_t at = base + p.start_ms;
    const std::int64_t cell = at >= 0 ? at / step : 0;
    interval q = p;
    q.start_ms = cell * step;
    auto [it, fresh] = cells.try_emplace(cell, q);
    if (!fresh) {
      interval merged = combine(it->second, q);
      merged.in_flight = q.in_flight;  // the later point of the same run
      merged.start_ms = cell * step;
      merged.length_ms = it->second.length_ms + q.length_ms;
      it->second = merged;
    }
  }
  return cells;
}

template <typename T>
void add_once(std::vector<T>& to, const std::vector<T>& from) {
  for (const auto& x : from)
    if (std::find(to.begin(), to.end(), x) == to.end()) to.push_back(x);
}

}  // namespace

void merge(load_stats& into, const load_stats& from) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const auto ms = [](std::chrono::system_clock::time_point t) {
    return duration_cast<milliseconds>(t.time_since_epoch()).count();
  };
  const std::int64_t origin = std::min(ms(into.started), ms(from.started));
  const std::int64_t end = std::max(ms(into.started) + into.elapsed.count(), ms(from.started) + from.elapsed.count());
  const std::int64_t step = std::max(into.series_step_ms, from.series_step_ms);

  // The series first: it needs both starts as they were.
  auto cells = on_grid(into, origin, step);
  for (const auto& [cell, p] : on_grid(from, origin, step)) {
    auto [it, fresh] = cells.try_emplace(cell, p);
    if (!fresh) {
      // Two runs side by side: counts add up over the longer of the two lengths.
      interval sum = combine(it->second, p);
      sum.in_flight = it->second.in_flight + p.in_flight;
      it->second = sum;
    }
  }
  into.series.clear();
  into.series_step_ms = step;
  for (const auto& [cell, p] : cells) add_point(into, p);

  add_once(into.targets, from.targets);
  add_once(into.scenarios, from.scenarios);
  if (into.mode != from.mode) into.mode = into.mode.empty() ? from.mode : "mixed";
  if (into.ehlo_version.empty()) into.ehlo_version = from.ehlo_version;
  into.concurrency += from.concurrency;
  into.rate += from.rate;
  into.messages_per_session = std::max(into.messages_per_session, from.messages_per_session);
  into.processes += from.processes;
  into.started = std::chrono::system_clock::time_point(milliseconds(origin));
  into.elapsed = milliseconds(end - origin);
  into.interrupted = into.interrupted || from.interrupted;
  into.stopped_on_error = into.stopped_on_error || from.stopped_on_error;

  into.sessions_started += from.sessions_started;
  into.sessions_passed += from.sessions_passed;
  into.sessions_failed += from.sessions_failed;
  into.sessions_interrupted += from.sessions_interrupted;
  into.sessions_not_started += from.sessions_not_started;
  into.messages += from.messages;
  into.messages_refused += from.messages_refused;
  into.findings += from.findings;
  for (const auto& [rule, n] : from.findings_by_rule) into.findings_by_rule[rule] += n;
  for (std::size_t i = 0; i < step_kinds; ++i) into.steps[i].merge(from.steps[i]);
  for (const auto& e : from.errors) add_error(into, e.cause, e.example, e.count);
}

void load_recorder::finding(std::string_view rule) {
  ++s_.findings;
  auto it = s_.findings_by_rule.find(rule);
  if (it == s_.findings_by_rule.end()) it = s_.findings_by_rule.emplace(std::string(rule), 0).first;
  ++it->second;
}

bool load_recorder::knows(std::string_view cause) const noexcept {
  if (s_.errors.size() > load_stats::max_causes) return true;
  return std::any_of(s_.errors.begin(), s_.errors.end(), [&](const error_cause& e) { return e.cause == cause; });
}

void load_recorder::passed(std::uint64_t session_us) {
  ++s_.sessions_passed;
  ++cur_.passed;
  s_.step(step_kind::session).add(session_us);
  window_.add(session_us);
}

void load_recorder::failed(std::string_view cause, std::string_view example) {
  ++s_.sessions_failed;
  ++cur_.failed;
  add_error(s_, cause, example);
}

void load_recorder::not_started(std::string_view cause) {
  ++s_.sessions_not_started;
  ++cur_.failed;
  add_error(s_, cause, cause);
}

interval load_recorder::tick(std::int64_t now_ms, std::uint64_t in_flight, bool last) {
  interval p = cur_;
  p.length_ms = std::max<std::int64_t>(0, now_ms - p.start_ms);
  p.in_flight = in_flight;
  p.timed = window_.count();
  p.p50 = window_.at(500'000);
  p.p90 = window_.at(900'000);
  p.p99 = window_.at(990'000);
  p.max = window_.max();
  window_.clear();
  cur_ = interval{};
  cur_.start_ms = now_ms;
  if (last && !s_.series.empty() && p.length_ms < s_.series_step_ms / 2)
    s_.series.back() = combine(s_.series.back(), p);
  else
    add_point(s_, p);
  return p;
}

}  // namespace ehlo::load
