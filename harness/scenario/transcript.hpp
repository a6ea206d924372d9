// A captured SMTP conversation in the S:/C: form of the seed transcripts.
//
//   # a comment
//   S: 220 mx.google.com ESMTP
//   w28sm1561195uge.4                 <- no prefix, no code: the line above, wrapped
//   C: EHLO: mydomain.com
//   S: 250-smtp.wp.pl
//   250-PIPELINING                    <- no prefix, a code: the next line of the reply
//   S: 250 8BITMIME                   <- so is a prefixed one, after a line with "-"
//   C: DATA
//   S: 354 go ahead
//   C: Subject: hi                    <- each C line is one command or one data line;
//   hello                             <- an unprefixed line after C is the next client line
//
// The reader records, it does not correct: quirks of the capture are kept as
// written, for a checker to flag. Blank lines separate steps, except after a
// client line, where a blank line is an empty data line.
//
// A "#" line is a comment: the text after "#" and one optional space becomes
// the note of the next step (several such lines joined by "\n"; comments after
// the last step are added to its note). The line `#C: (data not shown)`
// (sc_data_not_shown) is a client step with data_not_shown set: the form
// write_sc_transcript (transcript_formats.hpp) gives that step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace ehlo::scenario {

enum class side { server, client };

struct transcript_step {
  side from = side::server;
  std::vector<std::string> lines;  ///< a reply's lines (server) or exactly one line (client), no CRLF
  std::size_t line = 0;            ///< where the step starts in the file, 1-based
  /// What the capture said about this step besides the protocol (a "#" comment,
  /// a tool's info line), for a human reading the import; lines joined by "\n".
  std::string note = {};
  /// A client step standing for message content the capture did not show
  /// (curl -v): all of it, the end-of-data line included. `lines` is empty.
  bool data_not_shown = false;

  friend bool operator==(const transcript_step&, const transcript_step&) = default;
};

/// The comment line that stands for a data_not_shown step in the S:/C: form.
inline constexpr std::string_view sc_data_not_shown = "#C: (data not shown)";

/// S@12{"250-a" "250 b"} #"note": for test failures and debugging.
std::ostream& operator<<(std::ostream& os, const transcript_step& s);

struct transcript_error {
  std::size_t line = 0;  ///< 1-based; 0 when there is no error
  std::string what;
  explicit operator bool() const noexcept { return line != 0; }
};

/// Limits on reading a transcript, so that a hostile or mistaken file (a line
/// of 100 MB, a DATA of a million lines) ends in its own error, naming the
/// limit, in bounded memory. The defaults follow what a scenario can hold
/// (scenario_load.hpp), so an import within them loads: a scenario file is at
/// most 16 MB, a string at most 4 MB (a line of 256 KB stays under it even
/// when every byte of it is written as ${hex(..)}), and 100 000 steps.
struct transcript_limits {
  std::size_t max_bytes = std::size_t{16} << 20;        ///< the text
  std::size_t max_line_bytes = std::size_t{256} << 10;  ///< a line of the text, and of a step
  std::size_t max_lines = 100'000;                      ///< lines kept in steps: reply, command and data lines
};

/// Checks `text` against the limits a reader cannot see line by line: its
/// size, each line's length, and line ends of CR alone (a file with CR and no
/// LF, which every reader would take for one line). Every reader runs it first.
bool check_transcript_text(std::string_view text, const transcript_limits& limits, transcript_error& err);

/// "17000000 bytes, more than the transcript size limit (16777216 bytes)".
std::string transcript_too_big(std::uintmax_t size, const transcript_limits& limits);

/// Reads S:/C: text. On a line that belongs to no step (text before the first
/// S: or C:), stops and reports it in `err`; the steps read so far are returned.
/// Past a limit, stops likewise with an error naming the limit.
std::vector<transcript_step> read_sc_transcript(std::string_view text, transcript_error& err,
                                                const transcript_limits& limits = {});

}  // namespace ehlo::scenario
