// curl -v output, and what it shares with --trace-ascii: the progress meter
// and the info lines worth a note (tests/data/captures/README.md).
#include <array>

#include "scenario/transcript_builder.hpp"

namespace ehlo::scenario::detail {

namespace {

/// Characters after the CR of one meter update (curl 7.88): 78 of them.
constexpr std::size_t meter_width = 78;

bool is_meter_char(char c) {
  return is_digit(c) || c == ' ' || c == '-' || c == ':' || c == '.' || c == 'k' || c == 'M' || c == 'G' || c == 'T' ||
         c == 'P';
}

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

/// 354 after DATA: the message goes next.
bool is_354(const transcript_step* reply) { return reply != nullptr && reply->lines.front().starts_with("354"); }

}  // namespace

bool strip_curl_meter(std::string_view& line) noexcept {
  while (!line.empty() && line.front() == '\r') {
    // Not more than one update's width: a trace dump line ("0000: ...") glued
    // on starts with characters the meter uses too.
    std::size_t n = 1;
    while (n < line.size() && n <= meter_width && is_meter_char(line[n])) ++n;
    line.remove_prefix(n);
  }
  const std::string_view t = trim_left(line);
  return t.empty() || t.starts_with("% Total") || t.starts_with("Dload  Upload");
}

bool curl_info_worth_a_note(std::string_view info) noexcept {
  constexpr std::array<std::string_view, 2> kept{"SSL connection using ", "SSL certificate verify result"};
  info = trim_left(info);
  for (const auto k : kept)
    if (info.starts_with(k)) return true;
  return false;
}

mark curl_verbose_mark(std::string_view line) noexcept {
  if (line.starts_with("< ")) return starts_with_code(line.substr(2)) ? mark::reply : mark::line;
  const bool ours = line.starts_with("> ") || line.starts_with("* ") || line.starts_with("} [") ||
                    line.starts_with("{ [") || line.starts_with("curl: (");
  return ours ? mark::line : mark::none;
}

std::vector<transcript_step> read_curl_verbose(std::string_view text, transcript_error& err,
                                               const transcript_limits& limits) {
  step_builder b(err, limits);
  line_cursor lines(text);
  // After a 354, curl sends the body and shows at most "} [N bytes data]".
  bool in_data = false, data_shown = false;
  std::size_t data_at = 0;  // the first sign of the upload, 0 while none
  auto end_data = [&](std::size_t at, bool reply_follows) {
    if (in_data && !data_shown && (reply_follows || data_at != 0)) b.data_not_shown(data_at != 0 ? data_at : at);
    in_data = data_shown = false;
    data_at = 0;
  };
  std::string_view line;
  while (lines.next(line)) {
    if (strip_curl_meter(line)) continue;
    const std::size_t at = lines.number();
    if (line.starts_with("< ")) {
      end_data(at, true);
      b.server_line(line.substr(2), at);
      in_data = is_354(b.finished_reply());
    } else if (line.starts_with("> ")) {
      data_shown = data_shown || in_data;
      b.client_line(line.substr(2), at);
    } else if (line.starts_with("* ")) {
      if (in_data && data_at == 0 && line.find("completely uploaded") != std::string_view::npos) data_at = at;
      if (curl_info_worth_a_note(line.substr(2))) b.note(line);
    } else if (line.starts_with("} [") || line.starts_with("{ [")) {
      if (in_data && data_at == 0 && line.front() == '}') data_at = at;
    } else if (line.starts_with("curl: ")) {
      b.note(line);
    } else if (is_binary(line)) {
      b.fail(at, "not curl -v output: a line with control bytes");
      break;
    }
  }
  if (!b.failed()) end_data(lines.number(), false);
  return b.finish();
}

}  // namespace ehlo::scenario::detail
