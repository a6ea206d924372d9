// What every transcript reader shares: walking lines, grouping reply lines
// into replies the same way read_sc_transcript does (so that the S:/C: form
// gives the same steps back), notes, and the first error. Internal to the
// readers; not installed API.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/transcript.hpp"

namespace ehlo::scenario::detail {

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// "250", "250 ...", "250-...": the start of a reply line.
inline bool starts_with_code(std::string_view s) {
  return s.size() >= 3 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
         (s.size() == 3 || s[3] == ' ' || s[3] == '-');
}

/// "250-...": a reply line after which the reply goes on.
inline bool continues(std::string_view s) { return starts_with_code(s) && s.size() > 3 && s[3] == '-'; }

/// "a line longer than 1048576 bytes (the transcript line-length limit)", and
/// the line-count limit's message.
std::string line_too_long(const transcript_limits& limits);
std::string too_many_lines(const transcript_limits& limits);

/// Bytes no tool prints in its text output (C0 controls but TAB and CR, DEL):
/// a line that holds one and belongs to no step is garbage, not chatter.
bool is_binary(std::string_view line) noexcept;

/// Hands out the lines of a text one by one, without the LF and one CR
/// before it, counting them from 1.
class line_cursor {
 public:
  explicit line_cursor(std::string_view text) : rest_(text) {}
  bool next(std::string_view& line);
  std::size_t number() const noexcept { return number_; }

 private:
  std::string_view rest_;
  std::size_t number_ = 0;
};

class step_builder {
 public:
  step_builder(transcript_error& err, const transcript_limits& limits) : err_(err), limits_(limits) { err_ = {}; }

  /// A note for the next step that starts (or, at the end, for the last one).
  void note(std::string_view text);
  /// One reply line: it continues the last step when that is a reply whose
  /// last line has "-" and this line has a code, as in read_sc_transcript.
  void server_line(std::string_view text, std::size_t at);
  void client_line(std::string_view text, std::size_t at);
  void data_not_shown(std::size_t at);

  /// Records the first error; returns false so a reader can `return b.fail(...)`.
  /// After an error no more lines are kept.
  bool fail(std::size_t at, std::string what);
  bool failed() const noexcept { return static_cast<bool>(err_); }

  /// The last step when it is a whole reply (its last line without "-").
  const transcript_step* finished_reply() const noexcept;
  bool empty() const noexcept { return steps_.empty(); }

  std::vector<transcript_step> finish();

 private:
  transcript_step& start(side from, std::size_t at);
  /// Whether one more line of `size` bytes may be kept; fails at `at` when not.
  bool room(std::size_t size, std::size_t at);

  transcript_error& err_;
  const transcript_limits& limits_;
  std::size_t kept_ = 0;
  std::vector<transcript_step> steps_;
  std::string note_;
  bool has_note_ = false;
};

// The readers of transcript_formats.hpp, one per format family.
std::vector<transcript_step> read_swaks(std::string_view text, transcript_error& err, const transcript_limits& limits);
std::vector<transcript_step> read_curl_verbose(std::string_view text, transcript_error& err,
                                               const transcript_limits& limits);
std::vector<transcript_step> read_curl_trace(std::string_view text, transcript_error& err,
                                             const transcript_limits& limits);
std::vector<transcript_step> read_smtplib(std::string_view text, transcript_error& err,
                                          const transcript_limits& limits);
std::vector<transcript_step> read_msmtp(std::string_view text, transcript_error& err, const transcript_limits& limits);

/// What a line says about the format it is in, for detect_format: nothing, a
/// line of the format, or one of its server reply lines.
enum class mark { none, line, reply };
mark swaks_mark(std::string_view line) noexcept;
mark curl_verbose_mark(std::string_view line) noexcept;
mark curl_trace_mark(std::string_view line) noexcept;
mark smtplib_mark(std::string_view line) noexcept;
mark msmtp_mark(std::string_view line) noexcept;

/// curl's progress meter, written to the same stream as -v and the trace when
/// it is not a terminal: updates start with CR and end without LF, so the next
/// line is glued on. Removes the updates at the start of `line`; returns true
/// when nothing else was on it or it is one of the meter's two header lines.
bool strip_curl_meter(std::string_view& line) noexcept;

/// The curl info lines ("* " in -v, "== Info: " in the trace) worth a note.
bool curl_info_worth_a_note(std::string_view info) noexcept;

}  // namespace ehlo::scenario::detail
