// The console report of `ehlo run`: a block per scenario as it finishes, like
// a test runner's, and a summary line at the end.
//
//   PASS  seeds/gmail-auth-before-starttls  (12 ms)
//   FAIL  conformance/rcpt-relay  (3.2 s, 1 finding)
//         reply code 550, expected 250
//         step      steps/7
//         expected  250
//         got       550 5.7.1 relaying denied
//         note      the relay accepts mail for its own domain
//         transcript, last 8 of 15 lines:
//           C: MAIL FROM:<a@example.org>
//           ...
//   12 scenarios: 11 passed, 1 failed; 1 finding (1.4 s)
//
// The functions build strings and never write; console_writer writes each
// block with one write(2), so the blocks of parallel jobs never interleave.
// Text from the session is made printable first (see printable.hpp): a peer's
// ESC sequences never reach the terminal.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>

#include "report/results.hpp"

namespace ehlo::report {

struct console_options {
  bool colour = false;               ///< ANSI colours; see colour_wanted()
  bool verbose = false;              ///< list each finding (otherwise only their count)
  std::size_t transcript_lines = 8;  ///< the tail of the transcript shown under a failure, error or interruption
};

/// The block for one finished scenario: its line, then (indented) why it did
/// not pass, its findings when verbose, and the tail of its transcript. Ends with "\n".
std::string format_scenario(const scenario_result& r, const console_options& opt);
/// The closing line, with "\n": "12 scenarios: 11 passed, 1 failed (1.4 s)";
/// "interrupted after 5 of 12 scenarios: 4 passed, 0 failed, 1 interrupted (1.4 s)";
/// "5000 scenarios: 5000 passed, 0 failed; 4000 results not kept for the reports (9.1 s)".
std::string format_summary(const run_summary& run, const console_options& opt);

/// Colour when `fd` is a terminal, NO_COLOR is unset or empty (no-color.org),
/// and TERM is not "dumb".
bool colour_wanted(int fd);

/// Writes all of `text` to `fd`, going on after EINTR and short writes.
std::error_code write_all(int fd, std::string_view text);

/// Writes blocks to a file descriptor, one write(2) each, under its own lock,
/// so the runner's jobs may call it from any thread. Whoever also writes to the
/// same descriptor through stdio must flush first.
class console_writer {
 public:
  explicit console_writer(int fd, console_options opt = {}) : fd_(fd), opt_(opt) {}

  std::error_code scenario(const scenario_result& r) { return write(format_scenario(r, opt_)); }
  std::error_code summary(const run_summary& run) { return write(format_summary(run, opt_)); }
  std::error_code write(std::string_view text);

  const console_options& options() const noexcept { return opt_; }

 private:
  int fd_;
  console_options opt_;
  std::mutex mutex_;
};

}  // namespace ehlo::report
