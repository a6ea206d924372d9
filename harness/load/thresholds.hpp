// --fail-if: a condition on a load's results that fails the run (exit 1) when
// it holds, for CI. One condition per --fail-if:
//
//   p99(session) > 200ms    p50(RCPT) >= 20ms    p99.9(end-of-data) > 1s
//   max(connect) > 1s       mean(session) > 50ms
//   errors > 0              errors% > 1          (failed or not started, of the sessions started)
//   rate < 1000/s           (messages accepted a second over the run)
//   session-rate < 500/s    (sessions that passed a second)
//   sessions < 10000        messages < 10000
//
// A latency takes us, ms (the default), s or m; a step is a name of
// step_kind.hpp in any case. The operators are > >= < <=. A latency of a step
// that was never timed cannot be judged: the condition counts as crossed, so
// that a run where nothing passed does not pass CI by default.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "load/load_stats.hpp"
#include "load/step_kind.hpp"

namespace ehlo::load {

struct threshold {
  enum class metric : std::uint8_t {
    percentile,
    max,
    mean,
    errors,
    error_percent,
    rate,
    session_rate,
    sessions,
    messages
  };
  enum class op : std::uint8_t { greater, greater_or_equal, less, less_or_equal };
  metric what = metric::errors;
  std::uint32_t per_million = 0;  ///< percentile: 990000 for p99
  step_kind step = step_kind::session;
  op compare = op::greater;
  double value = 0;  ///< latencies in microseconds
  std::string text;  ///< as written, spaces evened out: "p99(session) > 200ms"
};

/// The condition written in `text`; unset with `why` when it cannot be read.
std::optional<threshold> parse_threshold(std::string_view text, std::string& why);

struct threshold_check {
  bool crossed = false;
  bool judged = true;  ///< false: no data (a step never timed); crossed is then true
  std::string actual;  ///< the value found, as people read it: "312ms", "0", "1043/s", "0.5%"
};

threshold_check evaluate(const threshold& t, const load_stats& s);

}  // namespace ehlo::load
