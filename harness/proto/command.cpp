#include "proto/command.hpp"

#include <array>
#include <ostream>

#include "proto/syntax_chars.hpp"

namespace ehlo::proto {

namespace {
constexpr std::array<std::string_view, 16> verb_names{
    "",     "HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT", "RSET",
    "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "TURN", "AUTH", "STARTTLS",
};
}  // namespace

std::string_view to_string(verb v) noexcept { return verb_names[static_cast<std::size_t>(v)]; }

verb find_verb(std::string_view written) noexcept {
  if (written.size() != 4 && written.size() != 8) return verb::unknown;
  for (std::size_t i = 1; i < verb_names.size(); ++i)
    if (syntax::iequals(written, verb_names[i])) return static_cast<verb>(i);
  return verb::unknown;
}

std::ostream& operator<<(std::ostream& os, verb v) { return os << (v == verb::unknown ? "unknown" : to_string(v)); }

void format_command(const command& c, std::string& out) {
  if (c.kind == line_kind::sasl_response) {
    out += c.line;
    out += "\r\n";
    return;
  }
  out += c.verb == verb::unknown ? c.verb_text : to_string(c.verb);
  switch (c.verb) {
    case verb::mail:
    case verb::rcpt:
      out += c.verb == verb::mail ? " FROM:" : " TO:";
      format_path(c.path, out);
      format_esmtp_params(c.params, out);
      break;
    case verb::helo:
    case verb::ehlo:
      out += ' ';
      out += c.domain;
      break;
    case verb::auth:
      out += ' ';
      out += c.mechanism;
      if (c.has_initial_response) {
        out += ' ';
        out += c.initial_response;
      }
      break;
    case verb::bdat:
      out += ' ';
      out += std::to_string(c.chunk_size);
      if (c.last) out += " LAST";
      break;
    default:
      if (!c.argument.empty()) {
        if (!c.verb_text.empty()) out += ' ';
        out += c.argument;
      }
      break;
  }
  out += "\r\n";
}

std::string to_string(const command& c) {
  std::string s;
  format_command(c, s);
  return s;
}

}  // namespace ehlo::proto
