// The HTML report of `ehlo check` (--report html:PATH): one self-contained
// page (inline CSS, a few lines of script, nothing fetched) for people.
//
//   - at the top, a card per target with its counts by verdict and severity,
//     and the format rules its replies (or commands) broke;
//   - a legend: a colour per verdict, the word too (colour is never the only cue);
//   - the matrix: a row per probe, grouped by category under a header row:
//     its id, then a column per target, side by side, each cell the verdict's
//     word on the verdict's colour ("VIOLATES" with its severity; "not run"
//     where a target has no result for the probe), then its title, rules and
//     severity (after the targets, so that the verdicts stay in view when a
//     panel narrows the matrix);
//   - each cell a link to its panel (#d-ROW-COLUMN): the verdict, the rule
//     broken and its section, why, the step that decided it, the client's exit
//     status and output, the format findings, and the transcript. The panel
//     opens on the right beside the matrix, through CSS :target, so the page
//     works with script off; the script only marks the chosen cell and
//     closes the panel on Escape.
//
// Everything in the page that came from a peer or a file (the transcript,
// why, names, titles) is HTML-escaped after being made printable
// (html_escape.hpp): it cannot become markup or script. The page's Content
// Security Policy also lets nothing load and no script run but its own (by
// its SHA-256), so an escaping bug could still run nothing.
//
// Written by the caller with write_file_atomically (atomic_file.hpp).
#pragma once

#include <cstddef>
#include <string>

#include "report/results.hpp"

namespace ehlo::report {

struct check_html_options {
  /// The lines of a transcript shown in its panel: past that, the first and
  /// last halves and how many were left out (the JSON report has them all).
  std::size_t transcript_lines = 2000;
  /// The bytes of one transcript line shown, then "...": a peer's line may be 100 kB.
  std::size_t line_bytes = 4000;
};

/// The whole page, ending with "\n".
std::string check_html(const run_summary& run, const check_html_options& opt = {});

}  // namespace ehlo::report
