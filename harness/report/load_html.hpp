// The HTML report of `ehlo load` (--report html:PATH, and ehlo report merge):
// one self-contained page (inline CSS and SVG; no script, nothing fetched)
// for people.
//
//   - what was run (targets, scenarios, mode, duration, processes) and cards
//     with the totals: sessions, messages, rates, errors;
//   - throughput over time: sessions that passed, messages accepted and
//     errors a second, a line each;
//   - latency over time: the p50, p90 and p99 (and max) of the sessions that
//     passed in each point, on a logarithmic scale;
//   - latency per step: the table of count, p50, p90, p99, p99.9 and max, and
//     a histogram per step (counts over a logarithmic latency axis) with its
//     p50 and p99 marked;
//   - errors by cause, each with the first failure's example (its sentence
//     and the end of its transcript), and the findings by rule.
//
// Everything that came from a server or a file (causes, examples, names) is
// made printable and HTML-escaped (html_escape.hpp); the Content Security
// Policy lets no script run and nothing load besides.
#pragma once

#include <string>

#include "load/load_stats.hpp"

namespace ehlo::report {

/// The whole page, ending with "\n".
std::string load_html(const load::load_stats& s);

}  // namespace ehlo::report
