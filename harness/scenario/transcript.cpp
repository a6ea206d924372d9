#include "scenario/transcript.hpp"

#include <ostream>
#include <utility>

namespace ehlo::scenario {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// "250", "250 ...", "250-...": the start of a reply line.
bool starts_with_code(std::string_view s) {
  return s.size() >= 3 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) &&
         (s.size() == 3 || s[3] == ' ' || s[3] == '-');
}

/// "250-...": a reply line after which the reply goes on.
bool continues(std::string_view s) { return starts_with_code(s) && s.size() > 3 && s[3] == '-'; }

/// The text after an "S:" or "C:" prefix: one optional space is part of the prefix.
std::string_view after_prefix(std::string_view line) {
  line.remove_prefix(2);
  if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  return line;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const transcript_step& s) {
  os << (s.from == side::server ? 'S' : 'C') << '@' << s.line << '{';
  const char* sep = "";
  for (const auto& l : s.lines) os << std::exchange(sep, " ") << '"' << l << '"';
  return os << '}';
}

std::vector<transcript_step> read_sc_transcript(std::string_view text, transcript_error& err) {
  err = {};
  std::vector<transcript_step> steps;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line.starts_with('#')) continue;
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
      steps.push_back({from, {std::string(said)}, number});
      continue;
    }
    if (steps.empty() || (line.empty() && steps.back().from == side::server)) {
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      err = {number, "expected a line starting with \"S:\" or \"C:\""};
      return steps;
    }
    transcript_step& last = steps.back();
    if (last.from == side::client) {
      steps.push_back({side::client, {std::string(line)}, number});
    } else if (starts_with_code(line)) {
      last.lines.emplace_back(line);
    } else {  // a reply line the capture wrapped
      last.lines.back().append(" ").append(line);
    }
  }
  return steps;
}

}  // namespace ehlo::scenario
