// Making a session's bytes safe to show. A transcript is what a peer sent:
// it may hold NUL, ESC sequences that would drive the reader's terminal, and
// bytes that are not UTF-8, none of which a terminal, an XML 1.0 document or a
// JSON string may carry as they are.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ehlo::report {

/// Appends `in` to `out` as valid UTF-8 that holds every character of `in`
/// but these, each replaced by one visible character:
///  - a C0 control other than TAB, LF (and CR when keep_cr) and DEL: its
///    Control Picture, U+2400 + byte (NUL "␀", ESC "␛", CR "␍", DEL "␡");
///  - a C1 control (U+0080..U+009F; some terminals obey U+009B as CSI) and the
///    non-characters U+FFFE and U+FFFF (not XML characters): U+FFFD;
///  - each maximal invalid UTF-8 subpart (a stray continuation byte, a
///    truncated sequence, an overlong form, a surrogate, past U+10FFFF): U+FFFD.
/// What remains is a legal XML 1.0 character and harmless on a terminal.
void append_printable(std::string& out, std::string_view in, bool keep_cr);

/// As above, of at most `max` bytes of `in` (not cut inside a UTF-8 sequence),
/// then "..." when `in` was cut: a peer's 1 MB line or a file's 1 MB key shown bounded.
void append_printable(std::string& out, std::string_view in, bool keep_cr, std::size_t max);

inline std::string printable(std::string_view in, bool keep_cr = false) {
  std::string out;
  append_printable(out, in, keep_cr);
  return out;
}

}  // namespace ehlo::report
