// What `ehlo run` learned: a scenario_result per scenario played (or, past a
// limit, only their counts), and the run_summary around them. The runner
// fills these; the reporters (console, JSON, JUnit XML, transcript files) only
// read them.
//
// Text fields hold whatever the session saw, byte for byte: the reporters make
// it safe for their format (invalid UTF-8, NUL, ESC...), so the runner never
// escapes anything itself. Every member has an initializer, so an aggregate
// initialisation may name only some of them (-Wmissing-field-initializers).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proto/finding.hpp"

namespace ehlo::report {

/// A broken rule, as reports show it.
struct finding {
  std::string rule{};     ///< the rule id: "5321-4.2.1"
  std::string section{};  ///< where the rule is stated: "RFC 5321 §4.2.1"
  std::string what{};     ///< what was seen
  std::string step{};     ///< JSON pointer of the scenario step: "steps/3"; empty when not tied to a step

  friend bool operator==(const finding&, const finding&) = default;
};

/// A finding from a parser or session, tied to a step (or to none).
finding make_finding(const proto::finding& f, std::string step = {});

/// Why a scenario did not pass. For `failed`: the step whose expectation was
/// not met. For `error`, `skipped` and `interrupted`: `message` says why
/// (could not connect, needs TLS, stopped by SIGINT) and the rest may be empty.
struct failure {
  std::string step{};      ///< JSON pointer: "steps/3"
  std::string expected{};  ///< what the step expected: "250", "RCPT TO:<.*>"; may span lines
  std::string got{};       ///< what came instead: "550 5.7.1 relaying denied"; may span lines
  std::string note{};      ///< the step's own note, if it has one
  std::string message{};   ///< one sentence: "reply code 550, expected 250"

  friend bool operator==(const failure&, const failure&) = default;
};

enum class status {
  passed,
  failed,       ///< the peer did something the scenario did not expect
  error,        ///< the scenario could not run or could not finish (connect, TLS, time-out of our own)
  skipped,      ///< not run, on purpose (filtered out, needs something this run lacks)
  interrupted,  ///< was running when the run was interrupted (SIGINT, SIGTERM)
};

/// "passed", "failed", "error", "skipped", "interrupted": the words the JSON report uses.
std::string_view to_string(status s) noexcept;

/// A conformance probe's verdict (`ehlo check`): what the probe concluded about
/// the peer, beside the scenario result of the run that played it. Words as
/// the scenario file writes them (check/probe_verdict.hpp).
struct probe_verdict {
  std::string title{};
  std::string category{};
  std::vector<std::string> rules{};  ///< the rule ids the probe checks
  std::string checks{};              ///< "server" or "client": whose behaviour it judges
  std::string verdict{};             ///< "conforms", "violates", "exploitable", "inconclusive", "not-applicable"
  std::string severity{};            ///< "must", "should", "lenient", "pedantic": the probe's, or the violation's
  std::string rule{};                ///< violates, exploitable: the rule broken
  std::string section{};             ///< and where it is stated: "RFC 5321 §4.1.1.4"
  std::string why{};                 ///< a sentence: what the peer did, or why there is no verdict
  std::string at{};                  ///< the step that decided it, when one did: "steps/9/one_of/1/0"
  std::optional<int> client_exit{};  ///< --client-cmd: the client's exit status (128+N: killed by signal N)
  std::string client_output{};       ///< --client-cmd: the end of what the client printed

  friend bool operator==(const probe_verdict&, const probe_verdict&) = default;
};

struct scenario_result {
  std::string name{};  ///< the scenario's name: "seeds/gmail-auth-before-starttls"
  std::string file{};  ///< the file it came from, as given: "scenarios/seeds/gmail-auth-before-starttls.json"
  std::string role{};  ///< "client", "server" or "self-play"
  std::string peer{};  ///< "127.0.0.1:2525"; empty in self-play
  // Qualified: a member named like its type would change the meaning of `status` in the class.
  report::status status = report::status::passed;
  std::chrono::milliseconds elapsed{0};
  /// Set for every status but passed; and for a pass of a scenario that
  /// expects to fail ("outcome": "fail"): the failure it expected.
  std::optional<failure> fail{};
  std::vector<finding> findings{};
  std::size_t findings_dropped = 0;  ///< findings seen but not kept (proto::finding_log is bounded)
  std::string transcript{};          ///< the S:/C: text of the session, already redacted by the session
  std::vector<std::string> tags{};
  std::vector<std::string> state_log{};  ///< the session's state changes, by name, in order
  std::string expected_outcome{};        ///< the scenario's verdict: "pass" or "fail"
  /// `ehlo check`: the probe's verdict. The status follows it: conforms
  /// passed, violates and exploitable failed, inconclusive error, not
  /// applicable skipped.
  std::optional<probe_verdict> probe{};
};

struct totals {
  std::size_t scenarios = 0, passed = 0, failed = 0, errors = 0, skipped = 0, interrupted = 0;
  std::size_t not_run = 0;   ///< planned but absent from the results (the run was interrupted)
  std::size_t findings = 0;  ///< kept and dropped alike
  std::size_t not_kept = 0;  ///< counted here but absent from run_summary::results (see result_keeper)

  friend bool operator==(const totals&, const totals&) = default;
};

/// The results a run keeps whole (transcript included) for its reports, of
/// each kind: those that passed or were skipped, and the rest (failed, error,
/// interrupted). A server role run `--forever` would otherwise keep a few KB
/// for every connection until it stops.
inline constexpr std::size_t default_keep_results = 1000;

struct run_summary {
  std::vector<scenario_result> results{};  ///< the results kept, in the order they finished
  totals not_kept{};  ///< the results beyond the keep limit (result_keeper), counted; its not_run and not_kept stay 0
  bool interrupted = false;  ///< the run was stopped by a signal; results hold what finished
  std::size_t planned = 0;   ///< scenarios the run meant to play; 0 when not known
  std::chrono::system_clock::time_point started{};
  std::chrono::milliseconds elapsed{0};
  std::string ehlo_version{};
  std::uint64_t seed = 0;  ///< --seed, or the one drawn for the run
  bool seed_used = false;  ///< a scenario's faults drew on it: the console says it
};

/// Every result of the run, kept or not: `results` counted, plus `not_kept`.
totals count(const run_summary& run) noexcept;

/// Adds each finished result to a run_summary: whole while fewer than
/// `limit` results of its kind (see default_keep_results) are kept, and past
/// that only counted in run.not_kept. So the first results of each kind are
/// the ones kept, and a run's memory stays bounded however long it goes on.
class result_keeper {
 public:
  explicit result_keeper(std::size_t limit = default_keep_results) noexcept : limit_(limit) {}
  void add(run_summary& run, scenario_result r);

 private:
  std::size_t limit_;
  std::size_t passed_ = 0;  ///< kept that passed or were skipped
  std::size_t other_ = 0;   ///< kept that failed, errored or were interrupted
};

}  // namespace ehlo::report
