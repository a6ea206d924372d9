// The JSON report of `ehlo run` (--report json:PATH), for programs to read.
//
// Format version 1. Keys appear in this order; every key is always present.
//
//   {
//     "format": "ehlo-run-report",
//     "format_version": 1,            // bumped when a key changes meaning or goes away; new keys do not bump it
//     "ehlo_version": "0.1.0",
//     "started": "2024-05-01T12:00:00.123Z",   // RFC 3339, UTC, milliseconds
//     "elapsed_ms": 1400,
//     "interrupted": false,           // stopped by SIGINT/SIGTERM: "scenarios" holds what finished
//     "seed": "42",                   // a string: 64-bit seeds pass 2^53, where JSON readers using doubles round
//     "totals": {"scenarios": 12, "passed": 11, "failed": 1, "errors": 0, "skipped": 0,
//                "interrupted": 0, "not_run": 0, "findings": 3,
//                "not_kept": 0},      // counted in the totals but absent from "scenarios": past
//                                     // --keep-results of their kind (passed or skipped; the others)
//     "scenarios": [                  // those kept, in the order they finished
//       {
//         "name": "seeds/gmail-auth-before-starttls",
//         "file": "scenarios/seeds/gmail-auth-before-starttls.json",
//         "role": "client",           // "client", "server" or "self-play"
//         "peer": "127.0.0.1:2525",   // "" in self-play
//         "status": "failed",         // "passed", "failed", "error", "skipped" or "interrupted"
//         "expected_outcome": "pass", // the scenario's own verdict: "pass" or "fail"
//         "elapsed_ms": 12,
//         "tags": ["auth"],
//         "failure": null,            // or {"step": "steps/3", "expected": "250", "got": "550 ...",
//                                     //     "note": "...", "message": "..."}: set for every status but "passed"
//         "findings": [{"rule": "5321-4.2.1", "section": "RFC 5321 §4.2.1", "what": "...", "step": "steps/3"}],
//         "findings_dropped": 0,      // findings seen beyond those kept
//         "state_log": ["greeting", "ehlo", "quit"],
//         "transcript": "S: 220 mx.example ESMTP\nC: EHLO client.example\n..."
//       }
//     ]
//   }
//
// Strings hold the session's bytes: control characters are JSON escapes
// ("\u0000", "\u001b"); bytes that are not UTF-8 become U+FFFD, since a JSON
// text must be UTF-8. "step" is a JSON pointer into the scenario file without
// its leading "/", or "" when not tied to a step.
#pragma once

#include <string>

#include "report/results.hpp"

namespace ehlo::report {

inline constexpr int json_format_version = 1;

/// The whole document, indented by two spaces, ending with "\n".
std::string json_report(const run_summary& run);

}  // namespace ehlo::report
