// What `ehlo load` prints: a status line every second while it runs, and a
// summary at the end (also `ehlo report merge`'s).
//
//     3s  1021 sessions/s  1021 msg/s  in flight 10  errors 0  session p50 9.30ms p99 21.5ms
//
//   ehlo load: 127.0.0.1:2525, concurrency 10, 30.0 s
//     scenarios  bench/scenarios/one-message.json
//     sessions   30650 started, 30646 passed (1021/s), 4 failed
//     messages   30646 accepted (1021/s), 0 refused
//     step                count       p50       p90       p99     p99.9       max
//     connect             30650     127us     201us     480us    1.21ms    3.01ms
//     ...
//     session             30646    9.30ms    14.1ms    21.5ms    30.1ms    41.0ms
//     errors by cause
//          4  steps/6 (reply to RCPT): got 452, expected 250
//             steps/6: expected 250 (S "250 2.1.5 Ok"), got 452 4.5.3 Too many recipients
//     findings   61292: 5321-4.1.1.1 30646, 5321-4.2-b 30646
//
// Text that came from a server (a failure's example) is made printable first.
#pragma once

#include <string>

#include "load/load_stats.hpp"
#include "load/thresholds.hpp"

namespace ehlo::report {

/// The status line of the second just closed (`p`), with the run so far; ends with "\n".
std::string format_load_status(const load::interval& p, const load::load_stats& s);
/// The summary; ends with "\n".
std::string format_load_summary(const load::load_stats& s, bool colour);
/// A --fail-if line: "fail-if p99(session) > 200ms: crossed (312ms)" or "...: ok (21.5ms)".
std::string format_threshold(const load::threshold& t, const load::threshold_check& c, bool colour);

}  // namespace ehlo::report
