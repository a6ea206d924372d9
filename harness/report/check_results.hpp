// What the reports of `ehlo check` read from a run: each result is one
// (target, probe) pair, its verdict in scenario_result::probe (results.hpp).
// The console, JSON, JUnit and HTML reports count and group them the same way
// through these.
//
// A result without a probe (one the runner could not play as a probe) counts
// by its status, which follows the verdict: passed as conforms, failed as
// violates, error as inconclusive, skipped as not applicable. An interrupted
// result is interrupted whatever its probe says: the run was stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "report/results.hpp"

namespace ehlo::report {

enum class check_verdict : std::uint8_t { conforms, violates, exploitable, inconclusive, not_applicable, interrupted };

/// The result's verdict (see above). A probe's verdict word that is none of
/// the five counts by the status too.
check_verdict verdict_of(const scenario_result& r) noexcept;

/// The file's words: "conforms", "violates", "exploitable", "inconclusive",
/// "not-applicable"; and "interrupted".
std::string_view to_string(check_verdict v) noexcept;

/// How much a violation weighs, as results.hpp writes it: "must" 0, "should"
/// 1, "lenient" 2, "pedantic" 3; -1 for any other word.
int severity_index(std::string_view word) noexcept;
inline constexpr std::string_view severity_words[] = {"must", "should", "lenient", "pedantic"};

/// The severity of the result's violation (violates or exploitable), as
/// severity_index gives it; -1 when it is no violation or says none.
int violation_severity(const scenario_result& r) noexcept;

/// True when CI should fail on it: a violation of severity must, or anything exploitable.
bool fails_ci(const scenario_result& r) noexcept;

/// True when a result of the run carries a probe: the run is a check run.
bool holds_probes(const run_summary& run) noexcept;

struct verdict_counts {
  std::size_t probes = 0;
  std::size_t conforms = 0, violates = 0, exploitable = 0, inconclusive = 0, not_applicable = 0, interrupted = 0;
  /// Violations (violates and exploitable alike) by severity, in severity_words' order.
  std::size_t by_severity[4] = {0, 0, 0, 0};

  void add(const scenario_result& r) noexcept;
  std::size_t violations() const noexcept { return violates + exploitable; }
  friend bool operator==(const verdict_counts&, const verdict_counts&) = default;
};

verdict_counts count_verdicts(std::span<const scenario_result> results) noexcept;

/// The results of one target, in the run's order.
struct target_results {
  std::string target;  ///< scenario_result::peer
  std::vector<const scenario_result*> results;
  verdict_counts counts;
};

/// The run's results by target, the targets in the order they first appear.
std::vector<target_results> by_target(const run_summary& run);

/// A rule the parsers saw broken in the replies (or commands) of a target's
/// probes: scenario_result::findings, gathered by rule.
struct format_rule {
  std::string rule;        ///< "5321-4.2.1"
  std::string section;     ///< "RFC 5321 §4.2.1"
  std::size_t seen = 0;    ///< findings of this rule
  std::size_t probes = 0;  ///< in how many probes
  bool commands = false;   ///< found in what clients sent (client probes), not in replies
  std::string first_what;  ///< what the first one saw
};

struct format_results {
  std::vector<format_rule> rules;  ///< by rule id
  std::size_t not_kept = 0;        ///< findings counted but not kept (findings_dropped)
};

format_results format_findings(std::span<const scenario_result* const> results);

/// What these probes saw of the peer, for "... broke no format rule": "the
/// replies" (server probes), "the commands" (client probes), or "the replies and commands".
std::string_view format_subject(std::span<const scenario_result* const> results) noexcept;

/// True when a result holds a transcript: the peer said something the parsers could check.
bool seen_anything(std::span<const scenario_result* const> results) noexcept;

}  // namespace ehlo::report
