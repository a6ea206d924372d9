#include "proto/command.hpp"

#include <array>
#include <ostream>

#include "proto/syntax_chars.hpp"

namespace ehlo::proto {

namespace {
constexpr std::array<std::string_view, 18> verb_names{
    "",     "HELO", "EHLO", "MAIL", "RCPT", "DATA", "BDAT",     "RSET",    "VRFY",
    "EXPN", "HELP", "NOOP", "QUIT", "TURN", "AUTH", "STARTTLS", "XCLIENT", "XFORWARD",
};
}  // namespace

std::string_view to_string(verb v) noexcept { return verb_names[static_cast<std::size_t>(v)]; }

namespace {
/// A four-letter verb as one word of its upper-case octets.
constexpr std::uint32_t verb_key(std::string_view w) noexcept {
  std::uint32_t k = 0;
  for (const char c : w) k = k << 8 | static_cast<unsigned char>(syntax::to_upper(c));
  return k;
}
constexpr auto verb_keys = [] {
  std::array<std::uint32_t, verb_names.size()> keys{};
  for (std::size_t i = 1; i < verb_names.size(); ++i) keys[i] = verb_names[i].size() == 4 ? verb_key(verb_names[i]) : 0;
  return keys;
}();
}  // namespace

verb find_verb(std::string_view written) noexcept {
  if (written.size() == 7) return syntax::iequals(written, "XCLIENT") ? verb::xclient : verb::unknown;
  if (written.size() == 8)
    return syntax::iequals(written, "STARTTLS")   ? verb::starttls
           : syntax::iequals(written, "XFORWARD") ? verb::xforward
                                                  : verb::unknown;
  if (written.size() != 4) return verb::unknown;
  const std::uint32_t k = verb_key(written);
  for (std::size_t i = 1; i < verb_keys.size(); ++i)
    if (k == verb_keys[i]) return static_cast<verb>(i);
  return verb::unknown;
}

bool is_lhlo(std::string_view written) noexcept { return written.size() == 4 && verb_key(written) == verb_key("LHLO"); }

std::ostream& operator<<(std::ostream& os, verb v) { return os << (v == verb::unknown ? "unknown" : to_string(v)); }

void format_command(const command& c, std::string& out) {
  if (c.kind == line_kind::sasl_response) {
    out += c.line;
    out += "\r\n";
    return;
  }
  out += c.verb == verb::unknown                        ? c.verb_text
         : c.verb == verb::ehlo && is_lhlo(c.verb_text) ? std::string_view("LHLO")
                                                        : to_string(c.verb);
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
