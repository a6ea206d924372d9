// The JSON report of `ehlo load` (--report json:PATH), which `ehlo report
// merge` reads back: so several load processes, on one machine or several,
// add up to one report, their histograms exactly.
//
// Format version 1. Keys appear in this order, every key always present:
//
//   {
//     "format": "ehlo-load-report",
//     "format_version": 1,
//     "ehlo_version": "0.1.0",
//     "started": "2024-05-01T12:00:00.123Z",  // RFC 3339, UTC, milliseconds
//     "started_unix_ms": 1714564800123,      // the same, for programs (and merge)
//     "elapsed_ms": 10012,                   // from the start to the end of the last session
//     "interrupted": false,                  // stopped by SIGINT or SIGTERM
//     "stopped_on_error": false,             // --stop-on-error stopped it
//     "processes": 1,                        // load processes added up by ehlo report merge
//     "targets": ["127.0.0.1:2525"],
//     "scenarios": ["bench/scenarios/one-message.json"],
//     "mode": "concurrency",                 // or "rate" ("mixed" after merging both)
//     "concurrency": 10,                     // closed loop: sessions at all times (0 in rate mode)
//     "rate": 0,                             // open loop: new sessions a second
//     "messages_per_session": 1,
//     "totals": {"sessions_started": 10234, "sessions_passed": 10230, "sessions_failed": 4,
//                "sessions_interrupted": 0, "sessions_not_started": 0,
//                "messages": 10230,          // a 2xx reply to the end of data (or BDAT LAST)
//                "messages_refused": 0,      // another reply there
//                "errors": 4,                // sessions failed and not started
//                "findings": 20468,
//                "sessions_per_second": 1021.8, "messages_per_second": 1021.8},  // passed, accepted: over elapsed_ms
//     "histogram_layout": {"kind": "log-linear", "sub_bucket_bits": 7, "unit": "us"},
//     "steps": {                             // the steps timed, in the order of a session
//       "connect": {"count": 10234, "min_us": 61, "mean_us": 140, "p50_us": 127, "p90_us": 201,
//                   "p99_us": 480, "p99_9_us": 1207, "max_us": 3010, "sum_us": 1432760,
//                   "histogram": [[60, 3], [61, 10], ...]},  // [lowest value of a bucket, count]
//       "greeting": {...}, "EHLO": {...}, ..., "session": {...}
//     },
//     "errors": [{"cause": "steps/6 (reply to RCPT): got 452, expected 250", "count": 4,
//                 "example": "steps/6: expected 250 ..., got 452 ...\nS: 220 ...\n..."}],
//     "findings_by_rule": {"5321-4.1.1.1": 10234, "5321-4.2-b": 10234},
//     "series_step_ms": 1000,                // what each point covers (doubles when a run is long)
//     "series": [{"t_ms": 0, "length_ms": 1000, "started": 1030, "passed": 1021, "failed": 0,
//                 "messages": 1021, "in_flight": 10, "timed": 1021, "p50_us": 9300, "p90_us": 14100,
//                 "p99_us": 21500, "max_us": 30100}, ...]   // the sessions that passed in that point
//   }
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "load/load_stats.hpp"

namespace ehlo::report {

inline constexpr int load_json_format_version = 1;

/// The whole document, indented by two spaces, ending with "\n".
std::string load_json_report(const load::load_stats& s);

/// Reads a report written by load_json_report(); unset with `error` ("FILE:
/// /steps/connect/histogram/2: expected [lowest_us, count]") when the file
/// cannot be read or is not one.
std::optional<load::load_stats> read_load_json_report(const std::filesystem::path& file, std::string& error);

}  // namespace ehlo::report
