#include "scenario/transcript.hpp"

#include <ostream>
#include <utility>

#include "scenario/transcript_builder.hpp"

namespace ehlo::scenario {

namespace {

using detail::continues;
using detail::starts_with_code;

/// The text after an "S:" or "C:" prefix: one optional space is part of the prefix.
std::string_view after_prefix(std::string_view line) {
  line.remove_prefix(2);
  if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  return line;
}

/// Comments gather here until the step they belong to starts.
struct pending_note {
  std::string text;
  bool any = false;

  void add(std::string_view line) {
    if (any) text += '\n';
    text += line;
    any = true;
  }
  void give(transcript_step& s) {
    if (any) s.note = std::exchange(text, {});
    any = false;
  }
};

}  // namespace

std::ostream& operator<<(std::ostream& os, const transcript_step& s) {
  os << (s.from == side::server ? 'S' : 'C') << '@' << s.line << '{';
  const char* sep = "";
  for (const auto& l : s.lines) os << std::exchange(sep, " ") << '"' << l << '"';
  if (s.data_not_shown) os << "data not shown";
  os << '}';
  if (!s.note.empty()) os << " #\"" << s.note << '"';
  return os;
}

std::string transcript_too_big(std::uintmax_t size, const transcript_limits& limits) {
  return std::to_string(size) + " bytes, more than the transcript size limit (" + std::to_string(limits.max_bytes) +
         " bytes)";
}

bool check_transcript_text(std::string_view text, const transcript_limits& limits, transcript_error& err) {
  err = {};
  if (text.size() > limits.max_bytes) {
    err = {1, transcript_too_big(text.size(), limits)};
    return false;
  }
  if (const std::size_t cr = text.find('\r');
      text.find('\n') == std::string_view::npos && cr != std::string_view::npos && cr + 1 < text.size()) {
    err = {1, "the lines end with CR alone (the file has a CR and no LF); ehlo reads lines that end with LF or CR LF"};
    return false;
  }
  std::size_t number = 0;
  for (std::size_t at = 0; at < text.size();) {
    ++number;
    const std::size_t lf = text.find('\n', at);
    const std::size_t end = lf == std::string_view::npos ? text.size() : lf;
    const std::size_t size = end - at - (end > at && text[end - 1] == '\r' ? 1 : 0);
    if (size > limits.max_line_bytes) {
      err = {number, detail::line_too_long(limits)};
      return false;
    }
    if (lf == std::string_view::npos) break;
    at = lf + 1;
  }
  return true;
}

std::vector<transcript_step> read_sc_transcript(std::string_view text, transcript_error& err,
                                                const transcript_limits& limits) {
  err = {};
  std::vector<transcript_step> steps;
  if (!check_transcript_text(text, limits, err)) return steps;
  pending_note note;
  std::size_t number = 0, kept = 0;
  // Whether one more line of `size` bytes may be kept; sets `err` when not.
  const auto room = [&](std::size_t size) {
    if (size > limits.max_line_bytes)
      err = {number, detail::line_too_long(limits)};
    else if (++kept > limits.max_lines)
      err = {number, detail::too_many_lines(limits)};
    return !err;
  };
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line == sc_data_not_shown) {
      if (!room(0)) return steps;
      note.give(steps.emplace_back(transcript_step{side::client, {}, number, {}, true}));
      continue;
    }
    if (line.starts_with('#')) {
      line.remove_prefix(1);
      if (line.starts_with(' ')) line.remove_prefix(1);
      note.add(line);
      continue;
    }
    if (line.starts_with("S:") || line.starts_with("C:")) {
      const side from = line[0] == 'S' ? side::server : side::client;
      const std::string_view said = after_prefix(line);
      if (!room(said.size())) return steps;
      // Some captures prefix every line of a multi-line reply ("S: 250-a",
      // "S: 250 b"): a line with a code continues a reply whose last line
      // still announces more with "-".
      if (from == side::server && !steps.empty() && steps.back().from == side::server && starts_with_code(said) &&
          continues(steps.back().lines.back())) {
        steps.back().lines.emplace_back(said);
        continue;
      }
      note.give(steps.emplace_back(transcript_step{from, {std::string(said)}, number}));
      continue;
    }
    if (steps.empty() || (line.empty() && steps.back().from == side::server)) {
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      err = {number, "expected a line starting with \"S:\" or \"C:\""};
      return steps;  // the comments read so far belong to no step yet: dropped
    }
    transcript_step& last = steps.back();
    const bool wrapped = last.from == side::server && !starts_with_code(line);
    if (!room(wrapped ? last.lines.back().size() + 1 + line.size() : line.size())) return steps;
    if (wrapped) --kept;  // a wrapped line joins the line above: no line more is kept
    if (last.from == side::client) {
      note.give(steps.emplace_back(transcript_step{side::client, {std::string(line)}, number}));
    } else if (starts_with_code(line)) {
      last.lines.emplace_back(line);
    } else {  // a reply line the capture wrapped
      last.lines.back().append(" ").append(line);
    }
  }
  if (note.any && !steps.empty()) {  // comments after the last step
    std::string& n = steps.back().note;
    if (!n.empty()) n += '\n';
    n += note.text;
  }
  return steps;
}

}  // namespace ehlo::scenario
