// What `ehlo fuzz` reports: the live status line (as AFL's: executions a
// second, corpus, states, transitions, findings, elapsed), a line per
// finding, the summary at the end, and the JSON report (written to
// DIR/report.json, and wherever --report json:PATH says).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ehlo::report {

/// Where a campaign stands.
struct fuzz_progress {
  std::uint64_t cases = 0;  ///< cases played (seeds and mutants)
  std::uint64_t execs = 0;  ///< executions, those that confirm and minimize findings too
  std::size_t corpus = 0;
  std::size_t states = 0;
  std::size_t transitions = 0;
  std::size_t findings = 0;
  std::size_t restarts = 0;  ///< of the --exec server
  std::chrono::milliseconds elapsed{0};
  std::string doing;  ///< "", "minimizing crash exit 21", "restarting the server"
};

struct fuzz_finding_entry {
  std::string oracle, rule, state, detail, at;
  std::string file;  ///< the finding's scenario
  std::uint64_t case_number = 0;
  std::size_t steps_before = 0;  ///< of the case that found it
  std::size_t steps = 0;         ///< of the scenario written
  std::size_t tests = 0;         ///< executions spent confirming and minimizing it
};

struct fuzz_summary {
  std::string ehlo_version;
  std::string peer;  ///< "server 127.0.0.1:2525", "client swaks (listening on 127.0.0.1:0)"
  std::string exec;  ///< --exec
  std::string dir;
  std::uint64_t seed = 0;
  /// The number of this run's first case: 1, or where a campaign resumed
  /// (--dir of an earlier run: its findings are in DIR/findings, not here).
  std::uint64_t first_case = 1;
  fuzz_progress at_end;
  std::size_t seeds = 0;
  std::size_t discarded = 0;  ///< mutants that would not load, given up
  std::size_t flaky = 0;      ///< findings a case showed that did not show again when it was played alone
  std::size_t findings_dropped = 0;
  std::string stopped;  ///< "--max-execs", "--max-time", "interrupted", "the server refuses connections"
  std::vector<fuzz_finding_entry> findings;
  std::string state_machine;  ///< DIR/states.dot, and .svg when Graphviz made one
};

/// "execs 12345 (512/s)  corpus 120  states 45  transitions 130  findings 2  restarts 1  0:01:23", and what the
/// campaign is doing when it is not playing cases.
std::string fuzz_status_line(const fuzz_progress& p);
/// "FOUND   crash exit 21 in AUTH 235 2.7.0 +auth (case 812, 7 steps): ehlo-fuzz/findings/001-crash-exit-21.json".
std::string fuzz_finding_line(const fuzz_finding_entry& f);
/// The lines printed at the end.
std::string fuzz_summary_text(const fuzz_summary& s);
std::string fuzz_json_report(const fuzz_summary& s);

}  // namespace ehlo::report
