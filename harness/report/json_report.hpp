// The JSON report of `ehlo run` and `ehlo check` (--report json:PATH), for programs to read.
//
// Format version 1. Keys appear in this order; every key is always present,
// but those of probes (`ehlo check`): a result's "probe" and the totals'
// "verdicts" and "violations_by_severity", there only in a run of probes.
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
//                "not_kept": 0,       // counted in the totals but absent from "scenarios": past
//                                     // --keep-results of their kind (passed or skipped; the others)
//                // only in a run of probes (ehlo check), the results kept counted by verdict
//                // (report/check_results.hpp: one without a probe by its status; interrupted
//                // ones only in "interrupted" above), and the violations (violates and
//                // exploitable alike) by severity:
//                "verdicts": {"conforms": 80, "violates": 5, "exploitable": 1, "inconclusive": 3,
//                             "not-applicable": 15},
//                "violations_by_severity": {"must": 4, "should": 1, "lenient": 1, "pedantic": 0}},
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
//         "transcript": "S: 220 mx.example ESMTP\nC: EHLO client.example\n...",
//         "probe": {                  // only for a probe (ehlo check): its verdict (results.hpp, probe_verdict);
//                                     // "name" is the probe id, "peer" the target
//           "title": "<LF>.<LF> does not end the data", "category": "smuggling",
//           "rules": ["5321-4.1.1.4"], "checks": "server",   // whose behaviour it judges
//           "verdict": "violates",    // "conforms", "violates", "exploitable", "inconclusive", "not-applicable"
//           "severity": "must",       // "must", "should", "lenient", "pedantic": the probe's, or the violation's
//           "rule": "5321-4.1.1.4", "section": "RFC 5321 §4.1.1.4",   // the rule broken; "" unless a violation
//           "why": "it took <LF>.<LF> as the end of data",
//           "at": "steps/9/one_of/1/0",   // the step that decided it, or ""
//           "client_exit": 0,         // only when the client was run with --client-cmd
//           "client_output": "..."    // the end of what that client printed; only when it printed something
//         }
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
