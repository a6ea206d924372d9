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

std::vector<transcript_step> read_sc_transcript(std::string_view text, transcript_error& err) {
  err = {};
  std::vector<transcript_step> steps;
  pending_note note;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line == sc_data_not_shown) {
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
