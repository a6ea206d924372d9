// dictionary: smtp.dict
//
// Transcript import: the readers of captured transcripts (S:/C:, swaks, curl -v,
// curl --trace-ascii, smtplib, msmtp), format detection and the S:/C: writer.
//
// Input: byte 0 picks the format (its value mod 8: 0-5 that format, 6-7 the
// one detect_format names, if any); the rest is the text.
//
// Properties:
//   1. An error names a line of the text; every step a line of the text, in
//      order.
//   2. The model holds: a reply has lines, a client step exactly one line or
//      none with data_not_shown, no line holds an LF. The tools' readers group
//      reply lines as read_sc_transcript does: a line after the first has a
//      code and follows one with "-", and a reply does not start with a code
//      right after a reply still announcing more.
//   3. Round trip: read_sc_transcript(write_sc_transcript(steps)) gives the
//      steps back (but their line numbers) whenever they are within what
//      transcript_formats.hpp says can round-trip, which the tools' readers
//      always are; and writing what was read back writes the same text.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "scenario/transcript_formats.hpp"

namespace {

using ehlo::scenario::side;
using ehlo::scenario::transcript_error;
using ehlo::scenario::transcript_format;
using ehlo::scenario::transcript_step;

EHLO_FUZZ_HARNESS bool has_code(std::string_view s) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return s.size() >= 3 && digit(s[0]) && digit(s[1]) && digit(s[2]) && (s.size() == 3 || s[3] == ' ' || s[3] == '-');
}

EHLO_FUZZ_HARNESS bool goes_on(std::string_view s) { return has_code(s) && s.size() > 3 && s[3] == '-'; }

/// Within what write_sc_transcript's comment says comes back.
EHLO_FUZZ_HARNESS bool representable(const std::vector<transcript_step>& steps) {
  const transcript_step* prev = nullptr;
  for (const auto& s : steps) {
    for (const auto& l : s.lines)
      if (l.find('\n') != std::string::npos) return false;
    if (s.from == side::client) {
      if (s.lines.size() != (s.data_not_shown ? 0u : 1u)) return false;
    } else {
      if (s.data_not_shown || s.lines.empty()) return false;
      for (std::size_t i = 1; i < s.lines.size(); ++i)
        if (!has_code(s.lines[i]) || !goes_on(s.lines[i - 1])) return false;
      if (prev != nullptr && prev->from == side::server && goes_on(prev->lines.back()) && has_code(s.lines[0]))
        return false;
    }
    prev = &s;
  }
  return true;
}

EHLO_FUZZ_HARNESS bool same_but_lines(const std::vector<transcript_step>& a, const std::vector<transcript_step>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    transcript_step x = a[i];
    x.line = b[i].line;
    if (!(x == b[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" EHLO_FUZZ_HARNESS int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const unsigned pick = data[0] % 8u;
  transcript_format format = static_cast<transcript_format>(pick % 6);
  if (pick >= 6) {
    const auto detected = ehlo::scenario::detect_format(text);
    if (!detected) return 0;
    format = *detected;
  }
  std::size_t text_lines = 0;
  for (const char c : text) text_lines += c == '\n';
  text_lines += !text.empty() && text.back() != '\n';

  transcript_error err;
  const auto steps = ehlo::scenario::read_transcript(text, format, err);
  if (err) FUZZ_CHECK(err.line >= 1 && err.line <= text_lines && !err.what.empty());

  std::size_t last_line = 1;
  for (const auto& s : steps) {
    FUZZ_CHECK(s.line >= last_line && s.line <= text_lines);
    last_line = s.line;
    FUZZ_CHECK(s.from == side::server ? !s.lines.empty() && !s.data_not_shown
                                      : s.lines.size() == (s.data_not_shown ? 0u : 1u));
    for (const auto& l : s.lines) FUZZ_CHECK(l.find('\n') == std::string::npos);
  }
  const bool tool = format != transcript_format::sc;
  if (tool) FUZZ_CHECK(representable(steps));

  const std::string written = ehlo::scenario::write_sc_transcript(steps);
  transcript_error back_err;
  // Read back without limits: a line the limits let through may come back a
  // few bytes longer with its "S: " prefix or a note's "# " (the input's own
  // size bounds it).
  constexpr auto no_limit = static_cast<std::size_t>(-1);
  const auto back = ehlo::scenario::read_sc_transcript(written, back_err, {no_limit, no_limit, no_limit});
  FUZZ_CHECK(!back_err);
  if (representable(steps)) FUZZ_CHECK(same_but_lines(back, steps));
  FUZZ_CHECK(ehlo::scenario::write_sc_transcript(back) == written);
  return 0;
}
