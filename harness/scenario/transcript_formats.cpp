#include "scenario/transcript_formats.hpp"

#include <array>
#include <cstddef>
#include <cstdio>

#include "scenario/transcript_builder.hpp"

namespace ehlo::scenario {

namespace {

constexpr std::array<std::string_view, 6> names{"sc", "swaks", "curl-v", "curl-trace", "smtplib", "msmtp"};
constexpr std::size_t detect_lines = 64;

using detail::mark;

mark sc_mark(std::string_view line) noexcept {
  if (!line.starts_with("S:") && !line.starts_with("C:")) return mark::none;
  line.remove_prefix(2);
  if (line.starts_with(' ')) line.remove_prefix(1);
  return detail::starts_with_code(line) ? mark::reply : mark::line;
}

/// msmtp's "host = 127.0.0.1": dozens of them before its session.
bool is_config_line(std::string_view line) noexcept {
  const std::size_t eq = line.find(" = ");
  if (eq == 0 || eq == std::string_view::npos) return false;
  for (const char c : line.substr(0, eq))
    if (!((c >= 'a' && c <= 'z') || c == '_' || c == ' ')) return false;
  return true;
}

void append_line(std::string& out, std::string_view prefix, std::string_view line) {
  out.append(prefix).append(line);
  if (line.ends_with('\r')) out += '\r';  // the reader takes one CR before the LF away
  out += '\n';
}

}  // namespace

std::string_view format_name(transcript_format f) noexcept { return names[static_cast<std::size_t>(f)]; }

std::optional<transcript_format> format_of(std::string_view name) noexcept {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<transcript_format>(i);
  return std::nullopt;
}

std::optional<transcript_format> detect_format(std::string_view text) noexcept {
  using mark_of = mark (*)(std::string_view) noexcept;
  constexpr std::array<mark_of, 6> marks{
      sc_mark,           detail::swaks_mark, detail::curl_verbose_mark, detail::curl_trace_mark, detail::smtplib_mark,
      detail::msmtp_mark};
  std::array<std::size_t, 6> score{};
  std::array<bool, 6> reply{};
  // sc: text before the first step is an error, so its first line must be one.
  bool sc_possible = true, sc_decided = false;
  detail::line_cursor lines(text);
  std::string_view line;
  for (std::size_t seen = 0; seen < detect_lines && lines.next(line);) {
    if (detail::strip_curl_meter(line) || is_config_line(line)) continue;
    ++seen;
    if (!sc_decided && !line.starts_with('#')) {
      sc_decided = true;
      sc_possible = sc_mark(line) != mark::none;
    }
    for (std::size_t f = 0; f < marks.size(); ++f) {
      const mark m = marks[f](line);
      score[f] += m != mark::none;
      reply[f] = reply[f] || m == mark::reply;
    }
  }
  reply[0] = reply[0] && sc_possible;
  std::optional<transcript_format> best;
  for (std::size_t f = 0; f < marks.size(); ++f)
    if (reply[f] && (!best || score[f] > score[static_cast<std::size_t>(*best)]))
      best = static_cast<transcript_format>(f);
  return best;
}

transcript_error explain_no_format(std::string_view text) {
  if (text.empty()) return {1, "the file is empty"};
  detail::line_cursor lines(text);
  std::string_view line;
  std::size_t first = 0;  // the first meaningful line
  for (std::size_t seen = 0; seen < detect_lines && lines.next(line);) {
    if (detail::is_binary(line)) {
      std::size_t at = 0;
      while (at < line.size() && !detail::is_binary(line.substr(at, 1))) ++at;
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(line[at]));
      return {lines.number(), "binary data, not a transcript: byte " + std::string(byte) + " at byte " +
                                  std::to_string(at + 1) + " of the line is no text a capture tool prints"};
    }
    if (line.find_first_not_of(" \t\r") == std::string_view::npos || detail::strip_curl_meter(line) ||
        is_config_line(line))
      continue;
    ++seen;
    if (first == 0) {
      first = lines.number();
      const std::size_t c = line.find_first_not_of(" \t");
      if (line[c] == '{' || line[c] == '[')
        return {first, "JSON, not a transcript (a scenario is read from a file named *.json)"};
    }
  }
  if (first == 0) return {1, "the file holds only white space"};
  return {first, "this line is no S:/C: line, and the first " + std::to_string(detect_lines) +
                     " lines hold no server reply in another format's form"};
}

std::vector<transcript_step> read_transcript(std::string_view text, transcript_format f, transcript_error& err,
                                             const transcript_limits& limits) {
  if (f == transcript_format::sc) return read_sc_transcript(text, err, limits);
  if (!check_transcript_text(text, limits, err)) return {};
  switch (f) {
    case transcript_format::sc:
      break;
    case transcript_format::swaks:
      return detail::read_swaks(text, err, limits);
    case transcript_format::curl_verbose:
      return detail::read_curl_verbose(text, err, limits);
    case transcript_format::curl_trace:
      return detail::read_curl_trace(text, err, limits);
    case transcript_format::smtplib:
      return detail::read_smtplib(text, err, limits);
    case transcript_format::msmtp:
      return detail::read_msmtp(text, err, limits);
  }
  err = {1, "unknown transcript format"};
  return {};
}

std::string write_sc_transcript(std::span<const transcript_step> steps) {
  std::string out;
  for (const auto& s : steps) {
    for (std::string_view note = s.note; !note.empty();) {
      const std::size_t lf = note.find('\n');
      append_line(out, "# ", note.substr(0, lf));
      if (lf == std::string_view::npos) break;
      note.remove_prefix(lf + 1);
      if (note.empty()) append_line(out, "# ", "");  // the note ended with an empty line
    }
    if (s.data_not_shown) {
      append_line(out, "", sc_data_not_shown);
      continue;
    }
    for (const auto& l : s.lines) append_line(out, s.from == side::server ? "S: " : "C: ", l);
  }
  return out;
}

}  // namespace ehlo::scenario
