// Python smtplib's debug output (set_debuglevel 1, or 2 with a time stamp):
// "send: " and "reply: " followed by the Python repr() of what went over the
// wire (tests/data/captures/README.md).
#include "proto/syntax_chars.hpp"
#include "scenario/transcript_builder.hpp"

namespace ehlo::scenario::detail {

namespace {

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// A Python str or bytes literal as repr() writes it ('...', "...", b'...',
/// b"..."), and nothing after it. A str is taken as UTF-8, its \xHH, \uHHHH and
/// \UHHHHHHHH as code points; a bytes' \xHH is a byte.
bool decode_literal(std::string_view s, std::string& out) {
  out.clear();
  const bool bytes = s.starts_with('b');
  if (bytes) s.remove_prefix(1);
  if (s.size() < 2 || (s.front() != '\'' && s.front() != '"') || s.back() != s.front()) return false;
  const char quote = s.front();
  s = s.substr(1, s.size() - 2);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == quote) return false;  // the literal ended before the line did
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i == s.size()) return false;
    std::size_t digits = 0;
    switch (s[i]) {
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'x':
        digits = 2;
        break;
      case 'u':
        digits = bytes ? 0 : 4;
        break;
      case 'U':
        digits = bytes ? 0 : 8;
        break;
      default:
        return false;
    }
    if (s[i] == 'u' || s[i] == 'U' || s[i] == 'x') {
      if (digits == 0 || s.size() - i - 1 < digits) return false;
      unsigned long cp = 0;
      for (std::size_t d = 1; d <= digits; ++d) {
        const int v = hex_value(s[i + d]);
        if (v < 0) return false;
        cp = cp * 16 + static_cast<unsigned long>(v);
      }
      if (cp > 0x10ffff) return false;
      if (bytes)
        out += static_cast<char>(cp);
      else
        proto::syntax::append_utf8(out, static_cast<std::uint32_t>(cp));
      i += digits;
    }
  }
  return true;
}

/// "11:02:57.145927 " (level 2; Python leaves out ".ffffff" when it is 0).
std::string_view without_time_stamp(std::string_view line) {
  if (line.size() < 9 || !is_digit(line[0]) || !is_digit(line[1]) || line[2] != ':' || !is_digit(line[3]) ||
      !is_digit(line[4]) || line[5] != ':' || !is_digit(line[6]) || !is_digit(line[7]))
    return line;
  std::size_t i = 8;
  if (line[i] == '.')
    for (++i; i < line.size() && is_digit(line[i]);) ++i;
  return i < line.size() && line[i] == ' ' ? line.substr(i + 1) : line;
}

}  // namespace

mark smtplib_mark(std::string_view line) noexcept {
  line = without_time_stamp(line);
  if (line.starts_with("reply: b'") || line.starts_with("reply: b\""))
    return starts_with_code(line.substr(9)) ? mark::reply : mark::line;
  const bool ours = line.starts_with("send: ") || line.starts_with("reply: ") || line.starts_with("connect: ") ||
                    line.starts_with("data: ");
  return ours ? mark::line : mark::none;
}

std::vector<transcript_step> read_smtplib(std::string_view text, transcript_error& err,
                                          const transcript_limits& limits) {
  step_builder b(err, limits);
  line_cursor lines(text);
  std::string bytes;
  std::string partial;  // sent text after its last LF: the next "send:" goes on with it
  std::size_t partial_at = 0;
  auto flush_partial = [&] {
    if (!partial.empty()) b.client_line(partial, partial_at);
    partial.clear();
  };
  std::string_view line;
  while (lines.next(line)) {
    const std::size_t at = lines.number();
    line = without_time_stamp(line);
    if (line.starts_with("send: ")) {
      if (!decode_literal(line.substr(6), bytes)) {
        b.fail(at, "a \"send:\" without a Python literal");
        break;
      }
      if (partial.empty()) partial_at = at;
      partial += bytes;
      std::string_view rest = partial;
      for (std::size_t lf; (lf = rest.find('\n')) != std::string_view::npos; rest.remove_prefix(lf + 1)) {
        std::string_view l = rest.substr(0, lf);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        b.client_line(l, partial_at);
        partial_at = at;
      }
      partial.erase(0, partial.size() - rest.size());
    } else if (line.starts_with("reply: ") && !line.starts_with("reply: retcode (")) {
      if (!decode_literal(line.substr(7), bytes)) {
        b.fail(at, "a \"reply:\" without a Python literal");
        break;
      }
      flush_partial();
      // smtplib reads a line at a time; split anyway, so no step holds an LF.
      std::string_view rest = bytes;
      for (std::size_t lf; !rest.empty(); rest.remove_prefix(lf == std::string_view::npos ? rest.size() : lf + 1)) {
        lf = rest.find('\n');
        std::string_view l = rest.substr(0, lf);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        b.server_line(l, at);
      }
    } else if (line.starts_with("reply: ") || line.starts_with("connect: ") || line.starts_with("data: ")) {
      // smtplib's summaries of what the lines above show
    } else if (is_binary(line)) {
      b.fail(at, "not smtplib debug output: a line with control bytes");
      break;
    }
  }
  if (!b.failed()) flush_partial();
  return b.finish();
}

}  // namespace ehlo::scenario::detail
