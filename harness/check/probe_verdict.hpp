// The verdict of a conformance probe (scenarios/README.md, "Probes"), judged
// from what one run of it left: the checking role's session (its verdict, the
// last "verdict" mark it passed, the needs the server did not meet), whether
// the connection was made at all, and for a client run by --client-cmd its
// exit status. Socket-free: the runner gathers a probe_run, this decides.
//
// The rules, in order:
//   - no connection, or no client connecting: inconclusive;
//   - a variable the probe needs was not given (--var): not applicable;
//   - the server did not offer what the probe needs: not applicable;
//   - a mark passed: its verdict; but a 421 is never a violation (the server
//     is shutting down or limiting connections): inconclusive;
//   - no mark, and the probe judges by the client's exit status: that;
//   - otherwise inconclusive, with why (the session's failure, or "the
//     probe reached no verdict" when it passed without a mark: a probe bug).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"
#include "session/session_types.hpp"

namespace ehlo::check {

/// What one run of a probe left.
struct probe_run {
  /// Empty when the probe was played; else why it could not start
  /// ("cannot connect to 127.0.0.1:25: connection refused", "no client connected").
  std::string not_played;
  session::verdict session;                 ///< the checking role's verdict
  std::optional<session::probe_mark> mark;  ///< the last mark it passed
  std::vector<std::string> unmet_needs;     ///< keywords of "needs" no EHLO reply offered
  std::optional<int> client_exit;           ///< --client-cmd: the client's exit status (128+N for signal N)
};

struct judgement {
  scenario::verdict_kind verdict = scenario::verdict_kind::inconclusive;
  scenario::severity level = scenario::severity::must;  ///< of a violation
  std::string rule;                                     ///< the rule broken, for violates and exploitable
  std::string why;                                      ///< a sentence: what the peer did, or why no verdict
  std::string at;                                       ///< the step that decided it, when one did

  bool violation() const noexcept {
    return verdict == scenario::verdict_kind::violates || verdict == scenario::verdict_kind::exploitable;
  }
};

judgement judge(const scenario::probe_info& probe, const probe_run& run);

/// "conforms", "violates", "exploitable", "inconclusive", "not-applicable": the file's words.
std::string_view to_string(scenario::verdict_kind v) noexcept;
std::optional<scenario::verdict_kind> verdict_of(std::string_view word) noexcept;
/// "must", "should", "lenient", "pedantic".
std::string_view to_string(scenario::severity s) noexcept;
std::optional<scenario::severity> severity_of(std::string_view word) noexcept;

/// How good a verdict is, for --baseline: a change to a higher rank is worse.
/// conforms and not applicable 0, inconclusive 1, violates 2 + how heavy
/// (pedantic 0 ... must 3), exploitable 6.
int rank(const judgement& j) noexcept;

}  // namespace ehlo::check
