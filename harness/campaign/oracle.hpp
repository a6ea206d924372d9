// The oracles of a campaign: what an execution left, judged. Socket-free:
// the driver gathers an `execution` (the session's verdict, findings and
// transcript, what the transport saw, a fresh connection's fate, the program
// under test's exit and output), this says what is wrong with the peer.
//
//   crash        the program under test (--exec, --client-cmd) exited or was
//                killed by a signal during the case, or printed a sanitizer
//                report; without --exec: the connection broke and the server
//                refuses new ones
//   hang         no reply within the wait to a command that wants one, and
//                none to the nudge sent then (CRLF "." CRLF "QUIT" CRLF, which
//                any live server answers, whether it was waiting for a line's
//                end or a message's); a fresh connection no longer greeted; a
//                client that does not exit
//   protocol     what the parsers and the conversation found wrong with the
//                peer's side: the session's findings, those of the transcript's
//                lint (check/transcript_lint.hpp: a reply no command asked
//                for, a reply not listed for its command), replies left over
//                when the conversation ended (two replies to one command)
//   conformance  a probe of the catalog (scenarios/conformance) judged by
//                check::judge(): violates or exploitable, with its rule
//   memory       the RSS of an --exec server grew past its bound (a campaign
//                measure, not a case's: memory_finding())
//
// Findings are told apart by (oracle, rule, state): the same crash reached
// from another state is another finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"
#include "session/session_types.hpp"

namespace ehlo::campaign {

enum class oracle : std::uint8_t { crash, hang, protocol, conformance, memory };
std::string_view to_string(oracle o) noexcept;

/// What one execution left, as the driver saw it.
struct execution {
  scenario::side plays = scenario::side::client;  ///< the role ehlo played
  /// Why the case could not start ("cannot connect to ...: connection
  /// refused"); empty when it was played.
  std::string not_played;
  session::verdict verdict;
  std::vector<session::finding> findings;
  std::vector<scenario::transcript_step> transcript;
  std::optional<session::probe_mark> mark;
  std::vector<std::string> unmet_needs;
  /// Bytes of the peer no step read, when every step passed: replies beyond
  /// the commands' (two replies to one command).
  std::size_t leftover = 0;

  // What the transport saw (run/drive.hpp, drive_events).
  bool timed_out = false;    ///< a wait for the peer passed
  bool broken = false;       ///< the connection failed: a reset, a write error
  bool peer_closed = false;  ///< the peer closed the connection
  /// After a wait for the peer ended the session: whether the peer answered
  /// the nudge (run/drive.hpp, drive_settings::nudge).
  enum class nudge_result : std::uint8_t { not_tried, answered, closed, silent };
  nudge_result nudge = nudge_result::not_tried;

  /// A fresh connection after the case, tried when it ended oddly: the
  /// server greeted it, refused it, said nothing within the wait, or closed it.
  enum class liveness : std::uint8_t { not_checked, greeted, refused, silent, closed };
  liveness fresh = liveness::not_checked;

  /// The program under test: how it ended during the case, when it did (the
  /// status as a shell gives it: 128 + N for signal N), and what it printed
  /// meanwhile (its stderr).
  std::optional<int> exit_status;
  std::string output;
  bool client_timed_out = false;  ///< --client-cmd: stopped at its limit
};

struct fuzz_finding {
  campaign::oracle oracle = campaign::oracle::crash;
  std::string
      rule;  ///< "exit 3", "signal 11 (SIGSEGV)", "AddressSanitizer: heap-buffer-overflow", "no-reply", "5321-4.3.2"
  std::string detail;  ///< a sentence: what happened
  std::string at;      ///< the step it happened at, when known ("steps/7")
  /// The transcript's step it showed in (its state is the finding's: see
  /// state_model.hpp); unset: the end of the conversation.
  std::optional<std::size_t> step = {};

  friend bool operator==(const fuzz_finding&, const fuzz_finding&) = default;
};

struct oracle_settings {
  /// Rules whose findings are not the peer's fault in a campaign: a
  /// certificate a verifying client would refuse is how test servers run.
  std::vector<std::string> ignore_rules = {"3207-4.1"};
  bool protocol = true;  ///< the protocol oracle at all (--no-protocol)
};

/// The findings of one execution of `played` (the scenario as it was played).
std::vector<fuzz_finding> judge(const execution& e, const scenario::scenario& played, const oracle_settings& s = {});

/// The first line of a sanitizer's report in `output` ("AddressSanitizer:
/// heap-buffer-overflow", "runtime error: signed integer overflow",
/// "LeakSanitizer: detected memory leaks"), the address and path details
/// dropped so that one bug gives one rule; "" when there is none.
std::string sanitizer_report(std::string_view output);

/// The rule of a program's end: "exit 3", "signal 11 (SIGSEGV)".
std::string exit_rule(int status);

/// The memory oracle over an --exec server's RSS samples (KiB, in order):
/// a finding when the last passed `limit_kb`, or, with no limit, passed four
/// times the first sample plus 64 MiB.
std::optional<fuzz_finding> memory_finding(const std::vector<std::size_t>& rss_kb, std::size_t limit_kb = 0);

}  // namespace ehlo::campaign
