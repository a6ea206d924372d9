// `ehlo fuzz`: a campaign against a live server (--target, ehlo plays the
// client) or client (--listen with --client-cmd, ehlo plays the server). The
// driver over the socket-free core (campaign/): it plays cases over the same
// transport as `ehlo run` (run/play.hpp), --jobs at once on one thread,
// feeds what each left to the oracles and the state model, keeps the cases
// that reached something new, and turns each new finding into a small
// scenario: confirmed by playing it again alone, minimized (delta debugging
// over steps, then over a step's bytes) with "shows the same oracle and rule"
// as the test, written to DIR/findings/.
//
// With --exec ehlo starts the server under test itself (`sh -c CMD`, {host}
// and {port} filled in; a --target port of 0 picks a free one), keeps its
// output, and restarts it when it dies: a crash is its exit status, its
// signal or a sanitizer report in its output, not a guess.
//
// Deterministic: case k's parent and mutation depend only on --seed, k and
// the cases that ended before k could start (campaign/corpus.hpp); results
// are taken in case order. With --jobs 1 and a peer that behaves the same,
// a campaign repeats exactly.
//
// DIR holds corpus/ (the cases kept, as scenario files), findings/, states.dot
// (and states.svg when Graphviz is installed), report.json and what a later
// run with the same DIR resumes from (campaign.txt, states.txt).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/case_form.hpp"
#include "campaign/mutator.hpp"
#include "campaign/state_model.hpp"
#include "report/fuzz_report.hpp"
#include "run/inputs.hpp"
#include "run/runner.hpp"

namespace ehlo::run {

struct fuzz_options {
  /// The peer and what `ehlo run` shares: mode (client: --target; server:
  /// --listen with client_cmd), peer, jobs, the session's variables and
  /// limits, TLS, client_limit, session_timeout (each case's watchdog).
  options run;
  std::string exec;  ///< --exec: the server under test, started and restarted by ehlo
  /// --pipe: the server under test speaks SMTP on its stdin and stdout
  /// (`sendmail -bs`): a fresh `sh -c CMD` for each connection, its stdin and
  /// stdout a socket ehlo accepted on 127.0.0.1; one case at a time.
  std::string pipe;
  std::uint64_t seed = 0;
  std::optional<std::chrono::milliseconds> max_time;
  std::optional<std::uint64_t> max_cases;  ///< --max-execs: cases played (seeds and mutants)
  std::filesystem::path dir = "ehlo-fuzz";
  /// --timeout: the wait for each reply when a finding is confirmed, minimized
  /// and written (its replay's): no reply by then is a hang.
  std::chrono::milliseconds reply_wait{1000};
  /// The wait for each reply while exploring (at most reply_wait): a case
  /// that waits this long is a hang to confirm with the whole reply_wait.
  /// Short, so that cases a server does not answer (a line without its end)
  /// cost little.
  std::chrono::milliseconds explore_wait{100};
  campaign::mutator_settings mutation;
  campaign::state_model::limits states;
  std::size_t max_corpus = 2000;
  std::size_t max_findings = 256;         ///< then new ones are counted, not kept
  std::size_t minimize_tests = 300;       ///< executions to confirm and minimize one finding
  std::size_t max_rss_kb = 0;             ///< --max-rss: the memory oracle's bound (0: growth)
  std::vector<std::string> ignore_rules;  ///< --ignore-rule: a peer's known quirks, not findings
  /// --stop-on: the campaign ends once a finding of one of these oracles
  /// ("crash", "hang", "protocol", "conformance", "memory") is written.
  std::vector<std::string> stop_on;
  std::chrono::milliseconds linger{20};          ///< after a case, how long its close waits for the peer's
  std::chrono::milliseconds case_limit{30'000};  ///< the watchdog over one case, unless --session-timeout
  std::chrono::milliseconds exec_start{15'000};  ///< for --exec's server to accept connections
  std::string ehlo_version;

  std::function<void(const report::fuzz_progress&)> on_progress;  ///< about 4 times a second
  std::function<void(const report::fuzz_finding_entry&)> on_finding;
  std::function<void(std::string_view)> on_note;  ///< "the server exited with status 21: restarted"
};

/// Runs the campaign over `seeds` (those --tag and --skip-tag left). Errors
/// that stop it before anything is played (the server does not start, a
/// folder cannot be made, TLS files) are returned in `fatal`.
report::fuzz_summary fuzz(const std::vector<input>& seeds, const fuzz_options& opt, std::string& fatal);

}  // namespace ehlo::run
