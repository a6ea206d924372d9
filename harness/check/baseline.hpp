// `ehlo check --baseline OLD.json`: the verdicts of an earlier run (its JSON
// report, report/json_report.hpp) against this run's, per (target, probe id),
// so CI fails only on what got worse.
//
// Worse is a higher check::rank (probe_verdict.hpp): conforms = not applicable
// < inconclusive < violates pedantic < lenient < should < must < exploitable.
// A verdict that got worse is listed and fails the comparison; one that got
// better, a probe new in this run, one the baseline had and this run did not
// play, and a change of equal rank (conforms to not applicable) are listed
// and do not. An interrupted result is not compared.
//
// Targets match by their address as written ("127.0.0.1:2525"); when the
// baseline and this run each hold exactly one target, the two are compared
// whatever their addresses (a CI job's server on a fresh port each run).
// Socket-free: the CLI reads the file, prints format_comparison and exits 1
// when failed().
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/results.hpp"

namespace ehlo::check {

/// One probe's verdict in the earlier report.
struct baseline_entry {
  std::string target;    ///< the result's "peer"
  std::string probe;     ///< its "name": the probe id
  std::string verdict;   ///< "conforms", "violates", "exploitable", "inconclusive", "not-applicable"
  std::string severity;  ///< "must", "should", "lenient", "pedantic"; "" when none was written
};

struct baseline {
  std::vector<baseline_entry> entries;  ///< the report's probes, in its order; results without "probe" left out
};

/// An earlier report's text. `name` (the file, as given) starts every error:
/// "OLD.json:3:14: expected ..." for JSON that does not parse,
/// "OLD.json:9:20: scenarios/4/probe/verdict: unknown verdict \"better\"" for a
/// report that is not one of ehlo's. nullopt with `error` set on failure.
std::optional<baseline> parse_baseline(std::string_view text, std::string_view name, std::string& error);

/// The same, read from `file` (a regular file of at most 256 MiB, read with
/// the care of scenario/input_files.hpp): "OLD.json: no such file".
std::optional<baseline> read_baseline(const std::filesystem::path& file, std::string& error);

struct verdict_change {
  std::string target;  ///< this run's target (the baseline's for a probe this run did not play)
  std::string probe;
  std::string before;  ///< "conforms", "violates (must)"; "" for a new probe
  std::string after;   ///< "" for a probe this run did not play
};

struct baseline_comparison {
  std::vector<verdict_change> worse;  ///< fail the comparison
  std::vector<verdict_change> better;
  std::vector<verdict_change> added;    ///< probes the baseline does not have for that target
  std::vector<verdict_change> gone;     ///< the baseline's, for a target of this run, not played now
  std::vector<verdict_change> changed;  ///< another verdict of the same rank (conforms, not applicable)
  std::size_t same = 0;                 ///< the same verdict (and severity) as before
  std::size_t not_compared = 0;         ///< interrupted results
  /// Set when the baseline's one target stood for this run's one target of another address: the baseline's.
  std::string stood_for;
  /// The baseline's targets this run did not play against, with how many probes each had.
  std::vector<std::pair<std::string, std::size_t>> absent_targets;

  bool failed() const noexcept { return !worse.empty(); }
};

baseline_comparison compare(const baseline& before, const report::run_summary& now);

/// For the console, ending with "\n":
///   baseline OLD.json: 1 worse, 1 better, 2 new, 98 the same
///     worse    127.0.0.1:2525  smuggling-cr-dot-cr  conforms -> violates (must)
///     better   127.0.0.1:2525  auth-twice  violates (should) -> conforms
///     new      127.0.0.1:2525  chunking-bdat-last  conforms
///     gone     127.0.0.1:2525  old-probe  conforms -> not played
///     changed  127.0.0.1:2525  starttls-twice  conforms -> not-applicable
/// Names are made printable and cut when long.
std::string format_comparison(const baseline_comparison& c, std::string_view name, bool colour = false);

}  // namespace ehlo::check
