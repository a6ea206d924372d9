// The console report of `ehlo check`: a line per probe as its result comes,
// grouped by category (a header line when the category changes; with several
// targets, a header per target first), in aligned columns: the verdict, the
// severity of a violation, the probe id, its title; under anything but
// conforms, the rule broken and why. Then, per target, a count by verdict and
// severity and the rules the parsers saw broken in the replies (or commands):
//
//   smuggling
//     conforms                smuggling-lf-dot-lf     <LF>.<LF> does not end the data
//     VIOLATES      must      smuggling-cr-dot-cr     <CR>.<CR> does not end the data
//                             [5321-4.1.1.4] it took <CR>.<CR> as the end of data
//     n/a                     chunking-bdat-last      BDAT ... LAST ends the message
//                             the server does not offer CHUNKING
//   104 probes against 127.0.0.1:2525: 80 conform, 6 violate (4 must, 1 should, 1 lenient; 1 exploitable),
//       3 inconclusive, 15 not applicable (12.3 s)            (one line)
//     format: [5321-4.2.1] 3 replies in 2 probes: the lines of a multi-line reply carry different codes
//
// The verdict words: conforms, VIOLATES, EXPLOITABLE, inconclusive, n/a (and
// interrupted). Exploitable probes are among the violations counted, by their
// severity. With several targets the time goes on a closing line for the
// run ("208 probes against 2 targets (24.6 s)"), as does an interruption.
// With console_options::verbose, each probe also lists its findings, and a
// violation or inconclusive probe the tail of its transcript.
//
// As console.hpp: functions build strings; the writer writes each block with
// one write(2). Everything a peer or a probe file supplied is made printable
// and cut when long.
#pragma once

#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "report/console.hpp"
#include "report/results.hpp"

namespace ehlo::report {

struct check_console_options {
  console_options console{};
  std::size_t targets = 1;   ///< how many targets the run plays against: a header per target when more than 1
  std::size_t id_width = 0;  ///< the probe id column; 0: default_probe_id_width (see probe_id_width)
};

inline constexpr std::size_t default_probe_id_width = 24;
inline constexpr std::size_t max_probe_id_width = 40;

/// The probe id column for these ids: the longest (in columns), at least
/// default_probe_id_width and at most max_probe_id_width (a longer id pushes
/// its own line's title, not every line's).
std::size_t probe_id_width(std::span<const std::string> ids) noexcept;

/// Formats the results of a check run one by one, in the run's order,
/// remembering the target and category of the last to print headers when
/// they change.
class check_console_lines {
 public:
  explicit check_console_lines(check_console_options opt) : opt_(opt) {}
  /// The header lines this result opens (target, category), then its line
  /// and what goes under it. Ends with "\n".
  std::string next(const scenario_result& r);
  const check_console_options& options() const noexcept { return opt_; }

 private:
  check_console_options opt_;
  bool first_ = true;
  std::string target_, category_;
};

/// Per target, the count line and the format lines; then, with several
/// targets or when interrupted, the closing line.
std::string format_check_summary(const run_summary& run, const check_console_options& opt);

/// check_console_lines and format_check_summary written to a file descriptor,
/// each block with one write(2), under a lock: the runner's jobs may call it
/// from any thread, in the run's order.
class check_console_writer {
 public:
  check_console_writer(int fd, check_console_options opt) : fd_(fd), lines_(opt) {}
  std::error_code probe(const scenario_result& r);
  std::error_code summary(const run_summary& run);
  /// Any other block (the --baseline comparison), whole, under the same lock.
  std::error_code write(std::string_view text);

 private:
  int fd_;
  check_console_lines lines_;
  std::mutex mutex_;
};

}  // namespace ehlo::report
