#include "report/console_text.hpp"

#include "report/printable.hpp"

namespace ehlo::report::console_text {

void append_coloured(std::string& out, std::string_view text, std::string_view colour, bool on) {
  if (on && !colour.empty()) {
    out += colour;
    out += text;
    out += reset;
  } else {
    out += text;
  }
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

void append_one_line(std::string& out, std::string_view text, std::size_t max) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const bool cut = text.size() > max;
  if (cut) {
    // Not inside a UTF-8 sequence: back to its start, at most 3 bytes.
    std::size_t at = max;
    for (int k = 0; k < 3 && at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80; ++k) --at;
    text = text.substr(0, at);
  }
  for (;;) {
    const auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (nl != std::string_view::npos && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    append_printable(out, line, false);
    if (nl == std::string_view::npos) break;
    out += "\xE2\x90\x8A";  // U+240A, the picture of LF
    text.remove_prefix(nl + 1);
  }
  if (cut) out += "...";
}

std::size_t columns(std::string_view text) noexcept {
  std::size_t n = 0;
  for (const char c : text)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

void append_transcript_tail(std::string& out, std::string_view transcript, std::size_t keep, std::string_view indent) {
  if (keep == 0) return;
  const auto lines = lines_of(transcript);
  if (lines.empty()) return;
  const std::size_t from = lines.size() > keep ? lines.size() - keep : 0;
  out += indent;
  if (from == 0)
    out += "transcript:\n";
  else
    out +=
        "transcript, last " + std::to_string(lines.size() - from) + " of " + std::to_string(lines.size()) + " lines:\n";
  for (std::size_t i = from; i < lines.size(); ++i) {
    out += indent;
    out += "  ";
    append_printable(out, lines[i], false, max_line_shown);
    out += '\n';
  }
}

}  // namespace ehlo::report::console_text
