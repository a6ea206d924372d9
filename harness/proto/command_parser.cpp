#include "proto/command_parser.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "proto/error.hpp"
#include "proto/syntax_chars.hpp"
#include "proto/xtext.hpp"

namespace ehlo::proto {

namespace {

using namespace syntax;

constexpr std::array<std::string_view, 19> messages{
    "",
    "command line too long",
    "bare LF in a command line",
    "bare CR in a command line",
    "NUL in a command line",
    "empty command line",
    "unknown command verb",
    "colon after the verb",
    "more than one SP after the verb, or SP at the end of the line",
    "the command needs an argument",
    "the command takes no argument",
    "MAIL without FROM: or RCPT without TO:",
    "space around the colon of FROM: or TO:",
    "path not enclosed in <>",
    "display name before the path",
    "not a SASL mechanism name",
    "initial response not base64 or \"=\"",
    "BDAT chunk size not a number",
    "SASL response not base64 or \"*\"",
};
const table_category category{"ehlo.command", messages};

constexpr std::size_t rfc_line_limit = 512;  // RFC 5321 §4.5.3.1.4, with the CRLF

// What the framing scan looks at; everything else is skipped in one loop.
enum frame_class : std::uint8_t { ordinary, cr, lf, nul, control, eight_bit };

constexpr std::array<std::uint8_t, 256> make_frame_classes() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 32; ++c) t[static_cast<std::size_t>(c)] = control;
  t[127] = control;
  for (int c = 128; c < 256; ++c) t[static_cast<std::size_t>(c)] = eight_bit;
  t['\r'] = cr;
  t['\n'] = lf;
  t[0] = nul;
  return t;
}
constexpr auto frame_classes = make_frame_classes();

/// True when one of the eight octets of w is not ordinary: a control (below
/// 0x20, or 0x7f) or past ASCII. Word-at-a-time, so a line's plain text is
/// skipped eight octets per step.
constexpr bool has_special(std::uint64_t w) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const std::uint64_t below_space = (w - 0x20 * ones) & ~w;
  const std::uint64_t x = w ^ (0x7f * ones);
  const std::uint64_t del = (x - ones) & ~x;
  return ((w | below_space | del) & highs) != 0;
}

/// A word holding a NUL, CR or LF, or, until the line has shown both kinds,
/// a control or non-ASCII octet.
constexpr bool needs_look(std::uint64_t w, bool seen_all) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t x) { return (x - ones) & ~x & highs; };
  if ((has_zero(w) | has_zero(w ^ ('\r' * ones)) | has_zero(w ^ ('\n' * ones))) != 0) return true;
  return !seen_all && has_special(w);
}

enum seen_bits : std::uint8_t { seen_control = 1, seen_eight_bit = 2 };

/// Base64 as RFC 4954 §4 takes it: the alphabet, a multiple of four, "="
/// only as the last one or two.
bool is_base64(std::string_view s) noexcept {
  if (s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  while (pad < 2 && pad < s.size() && s[s.size() - 1 - pad] == '=') ++pad;
  for (std::size_t i = 0; i + pad < s.size(); ++i)
    if (!has(s[i], base64)) return false;
  return true;
}

/// RFC 5322's display-name as loose clients write it: words, dots and quotes,
/// no "@" (which would make it an unbracketed address) and no "=" (a parameter).
bool looks_like_display_name(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s)
    if (c == '@' || c == '=' || !(has(c, atext) || c == ' ' || c == '.' || c == '"')) return false;
  return true;
}

std::size_t count_spaces(std::string_view s, std::size_t from) noexcept {
  std::size_t i = from;
  while (i < s.size() && s[i] == ' ') ++i;
  return i - from;
}

}  // namespace

const std::error_category& command_error_category() noexcept { return category; }
std::error_code make_error_code(command_error e) noexcept { return {static_cast<int>(e), category}; }

void command_parser::reset() noexcept {
  cmd_ = {};
  findings_.clear();
  params_.clear();
  error_ = {};
  error_end_ = 0;
  consumed_ = 0;
  line_offset_ = 0;
  scanned_ = 0;
  first_8bit_ = 0;
  seen_ = 0;
  line_done_ = true;
  sasl_next_ = false;
}

void command_parser::start_line() noexcept {
  // Clears only what the last line's verb can have set: a whole `cmd_ = {}`
  // per line was a quarter of the parse time.
  switch (cmd_.verb) {
    case verb::mail:
    case verb::rcpt:
      cmd_.path = {};
      cmd_.params = {};
      cmd_.values = {};
      break;
    case verb::helo:
    case verb::ehlo:
      cmd_.domain = {};
      cmd_.domain_type = domain_kind::none;
      break;
    case verb::auth:
      cmd_.mechanism = {};
      cmd_.initial_response = {};
      cmd_.has_initial_response = false;
      break;
    case verb::bdat:
      cmd_.chunk_size = 0;
      cmd_.last = false;
      break;
    default:
      break;
  }
  cmd_.kind = line_kind::command;
  cmd_.verb = verb::unknown;
  cmd_.verb_text = {};
  cmd_.argument = {};
  cmd_.line = {};
  if (cmd_.syntax) cmd_.syntax.clear();
  findings_.clear();
  params_.clear();
  line_offset_ = consumed_;
  scanned_ = 0;
  first_8bit_ = 0;
  seen_ = 0;
  line_done_ = false;
}

void command_parser::note(const rule& r, std::string_view what, std::size_t at) {
  findings_.add(r, what, line_offset_ + at);
}

std::size_t command_parser::fail(command_error e, std::size_t end, std::error_code& ec) {
  error_ = e;
  error_end_ = end;
  ec = e;
  return 0;
}

std::size_t command_parser::put(std::string_view in, std::error_code& ec) {
  if (error_) {
    ec = error_;
    return 0;
  }
  if (line_done_) start_line();
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  // The longest line content that still fits with its CRLF; no need to look
  // past it for a line ending.
  const std::size_t max_content = settings_.max_line_length >= 2 ? settings_.max_line_length - 2 : 0;
  const std::size_t end = std::min(n, max_content + 1);
  std::size_t i = scanned_;
  std::size_t ending = 0;  // octets of the line ending once found
  bool wait = false;       // a CR ends the input: its LF may be in the next read
  while (i < end && ending == 0 && !wait) {
    // A word with nothing to look at is skipped whole; otherwise its octets are
    // looked at one by one.
    std::size_t stop = end;
    if (i + 8 <= end) {
      std::uint64_t w = 0;
      std::memcpy(&w, p + i, 8);
      if (!needs_look(w, seen_ == (seen_control | seen_eight_bit))) {
        i += 8;
        continue;
      }
      stop = i + 8;
    }
    for (; i < stop; ++i) {
      const std::uint8_t k = frame_classes[p[i]];
      if (k == ordinary) continue;
      if (k == cr) {
        if (i + 1 >= n) {
          wait = true;
          break;
        }
        if (p[i + 1] == '\n') {
          ending = 2;
          break;
        }
        note(rules::line_ending, "a bare CR", i);
        if (!settings_.allow_bare_cr) return fail(command_error::bare_cr, i + 1, ec);
      } else if (k == lf) {
        note(rules::line_ending, "a bare LF", i);
        if (!settings_.allow_bare_lf) return fail(command_error::bare_lf, i + 1, ec);
        ending = 1;
        break;
      } else if (k == nul) {
        note(rules::command_chars, "a NUL", i);
        if (!settings_.allow_nul) return fail(command_error::nul, i + 1, ec);
      } else if (k == control) {
        if (!(seen_ & seen_control)) note(rules::command_chars, "a control character", i);
        seen_ |= seen_control;
      } else if (!(seen_ & seen_eight_bit)) {
        seen_ |= seen_eight_bit;
        first_8bit_ = i;
      }
    }
  }
  if (ending == 0) {
    if (!wait && i > max_content) {
      if (max_content + 2 > rfc_line_limit) note(rules::command_line_len, "a line past the parser's limit", 0);
      return fail(command_error::line_too_long, i, ec);
    }
    scanned_ = i;
    ec = error::need_more;
    return 0;
  }
  parse(std::string_view(in.data(), i));
  const std::size_t used = i + ending;
  consumed_ += used;
  line_done_ = true;
  ec = {};
  return used;
}

void command_parser::parse(std::string_view line) {
  cmd_.line = line;
  if (sasl_next_) {
    sasl_next_ = false;
    parse_sasl(line);
    return;
  }
  if (line.empty()) {
    note(rules::commands, "an empty command line", 0);
    verdict(command_error::empty_line);
    return;
  }

  std::size_t v = 0;
  while (v < line.size() && line[v] != ' ' && line[v] != ':') ++v;
  cmd_.verb_text = slice(line, 0, v);
  cmd_.verb = find_verb(cmd_.verb_text);
  if (settings_.lmtp) {
    if (cmd_.verb == verb::helo || cmd_.verb == verb::ehlo)
      note(rules::lmtp, "HELO or EHLO in LMTP, where LHLO is due", 0);
    else if (is_lhlo(cmd_.verb_text))
      cmd_.verb = verb::ehlo;
  }
  if (cmd_.verb == verb::unknown) {
    // Kept as written: the argument is what follows the verb's first separator.
    if (v == 0)
      note(rules::command_syntax, "a line that does not start with a verb", 0);
    else
      note(rules::commands, "an unknown command verb", 0);
    verdict(command_error::unknown_verb);
    cmd_.argument = v == 0 ? line : slice(line, v + (v < line.size() ? 1 : 0));
    check_line(line);
    return;
  }
  std::size_t a = v;
  if (a < line.size() && line[a] == ':') {
    note(rules::command_syntax, "a colon after the verb", a);
    if (!settings_.allow_colon_after_verb) verdict(command_error::colon_after_verb);
    ++a;
  }

  // The argument: after one SP (or the colon of "EHLO:", and one SP after it),
  // without the SP at the end of the line.
  const std::size_t spaces = count_spaces(line, a);
  const std::size_t begin = a + spaces;
  std::size_t end = line.size();
  while (end > begin && line[end - 1] == ' ') --end;
  if (begin == line.size() && spaces > 0) {
    note(rules::command_syntax, "SP at the end of the line", a);
    if (!settings_.allow_extra_spaces) verdict(command_error::extra_spaces);
  } else {
    if (spaces > 1) {
      note(rules::command_syntax, "more than one SP after the verb", a + 1);
      if (!settings_.allow_extra_spaces) verdict(command_error::extra_spaces);
    }
    if (end < line.size()) {
      note(rules::command_syntax, "SP at the end of the line", end);
      if (!settings_.allow_extra_spaces) verdict(command_error::extra_spaces);
    }
  }
  const std::string_view arg = slice(line, begin, end - begin);
  cmd_.argument = arg;

  switch (cmd_.verb) {
    case verb::unknown:
      break;
    case verb::helo:
    case verb::ehlo:
      if (arg.empty()) {
        note(rules::command_syntax, "HELO or EHLO without a domain", line.size());
        verdict(command_error::missing_argument);
      } else {
        std::error_code ec;
        const std::size_t len = parse_domain(arg, cmd_.domain_type, ec, settings_.smtputf8);
        cmd_.domain = slice(arg, 0, len);
        if (ec || len != arg.size()) {
          note(rules::address_syntax, "HELO or EHLO argument not a domain or address literal", begin + len);
          verdict(ec ? ec : make_error_code(path_error::bad_domain));
        }
      }
      break;
    case verb::mail:
    case verb::rcpt:
      parse_envelope(arg, begin);
      break;
    case verb::data:
    case verb::rset:
    case verb::quit:
    case verb::starttls:
    case verb::turn:
      if (!arg.empty()) {
        note(rules::command_replies, "an argument on a command that takes none", begin);
        verdict(command_error::unexpected_argument);
      }
      break;
    case verb::vrfy:
    case verb::expn:
      if (arg.empty()) {
        note(rules::command_syntax, "VRFY or EXPN without an argument", line.size());
        verdict(command_error::missing_argument);
      }
      break;
    case verb::help:
    case verb::noop:
      break;
    case verb::auth:
      parse_auth(arg, begin);
      break;
    case verb::bdat:
      parse_bdat(arg, begin);
      break;
    case verb::xclient:
    case verb::xforward:
      parse_attributes(arg, begin);
      break;
  }

  check_line(line);
}

void command_parser::parse_attributes(std::string_view arg, std::size_t at) {
  // XCLIENT_README: attribute-name "=" attribute-value, separated by SP; the
  // value xtext, or [UNAVAILABLE] / [TEMPUNAVAIL] for what the proxy does not know.
  static constexpr std::array<std::string_view, 8> xclient_names{"NAME", "ADDR",  "PORT",     "PROTO",
                                                                 "HELO", "LOGIN", "DESTADDR", "DESTPORT"};
  static constexpr std::array<std::string_view, 7> xforward_names{"NAME", "ADDR",  "PORT",  "PROTO",
                                                                  "HELO", "IDENT", "SOURCE"};
  const bool xclient = cmd_.verb == verb::xclient;
  if (arg.empty()) {
    note(rules::xclient, "XCLIENT or XFORWARD without an attribute", at);
    verdict(command_error::missing_argument);
    return;
  }
  std::size_t pos = 0;
  while (pos <= arg.size()) {
    const std::size_t space = std::min(arg.find(' ', pos), arg.size());
    const std::string_view pair = arg.substr(pos, space - pos);
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const bool known = xclient ? std::any_of(xclient_names.begin(), xclient_names.end(),
                                             [&](std::string_view n) { return syntax::iequals(n, name); })
                               : std::any_of(xforward_names.begin(), xforward_names.end(),
                                             [&](std::string_view n) { return syntax::iequals(n, name); });
    if (eq == std::string_view::npos || name.empty()) {
      note(rules::xclient, "an attribute without NAME=VALUE", at + pos);
    } else if (!known) {
      note(rules::xclient, xclient ? "an attribute XCLIENT does not define" : "an attribute XFORWARD does not define",
           at + pos);
    } else {
      const std::string_view value = pair.substr(eq + 1);
      std::error_code ec;
      if (value != "[UNAVAILABLE]" && value != "[TEMPUNAVAIL]" && xtext::validate(value, ec) != std::string_view::npos)
        note(rules::xclient, "an attribute value that is not xtext", at + pos + eq + 1);
    }
    pos = space + 1;
  }
}

void command_parser::check_line(std::string_view line) {
  // RFC 5321 §4.5.3.1.4 and the extensions that lengthen MAIL's line.
  std::size_t limit = rfc_line_limit;
  if (cmd_.verb == verb::mail) {
    for (const esmtp_param& p : params_) {
      if (p.kind == param_keyword::auth) limit += 500;     // RFC 4954 §3
      if (p.kind == param_keyword::size) limit += 26;      // RFC 1870 §4
      if (p.kind == param_keyword::smtputf8) limit += 10;  // RFC 6531 §3.1
    }
  }
  if (line.size() + 2 > limit) note(rules::command_line_len, "a command line over the RFC's limit", 0);
  if ((seen_ & seen_eight_bit) && !settings_.smtputf8 && !cmd_.values.smtputf8)
    note(rules::command_chars, "an 8-bit octet without SMTPUTF8", first_8bit_);
}

void command_parser::parse_envelope(std::string_view arg, std::size_t at) {
  const bool mail = cmd_.verb == verb::mail;
  const std::string_view word = mail ? "FROM" : "TO";
  std::size_t j = word.size();
  const std::size_t before = istarts_with(arg, word) ? count_spaces(arg, j) : 0;
  j += before;
  if (!istarts_with(arg, word) || j >= arg.size() || arg[j] != ':') {
    note(rules::mail_syntax, mail ? "MAIL without FROM:" : "RCPT without TO:", at);
    verdict(command_error::missing_from_to);
    return;
  }
  ++j;
  const std::size_t after = count_spaces(arg, j);
  if (before + after > 0) {
    note(rules::mail_syntax, "a space around the colon", at + word.size());
    if (!settings_.allow_space_around_colon) verdict(command_error::space_around_colon);
  }
  j += after;

  const std::string_view rest = slice(arg, j);
  const std::size_t rest_at = at + j;
  path_options po;
  po.allow_null = mail;
  po.allow_postmaster = !mail;
  // A MAIL that carries SMTPUTF8 may hold UTF-8 in its own path (RFC 6531 §3.4).
  po.smtputf8 = settings_.smtputf8 || (mail && (seen_ & seen_eight_bit) && has_word(rest, "SMTPUTF8"));
  std::error_code ec;
  std::size_t taken = 0;
  if (rest.empty() || rest[0] == '<') {
    taken = parse_path(rest, cmd_.path, ec, po, &findings_, line_offset_ + rest_at);
  } else if (const std::size_t lt = rest.find('<');
             lt != std::string_view::npos && looks_like_display_name(slice(rest, 0, lt))) {
    note(rules::mail_syntax, "an RFC 822 display name before the path", rest_at);
    if (!settings_.allow_display_name) verdict(command_error::display_name);
    taken = parse_path(slice(rest, lt), cmd_.path, ec, po, &findings_, line_offset_ + rest_at + lt);
    if (!ec) taken += lt;
  } else {
    note(rules::mail_syntax, "a path not enclosed in <>", rest_at);
    if (!settings_.allow_unbracketed_path) verdict(command_error::unbracketed_path);
    po.bracketed = false;
    taken = parse_path(rest, cmd_.path, ec, po, &findings_, line_offset_ + rest_at);
  }
  if (ec) {
    verdict(ec);
    return;
  }
  param_options opt;
  opt.target = mail ? param_target::mail : param_target::rcpt;
  opt.smtputf8 = po.smtputf8;
  opt.allow_extra_spaces = settings_.allow_extra_spaces;
  opt.max_params = settings_.max_params;
  const std::error_code pv =
      parse_esmtp_params(slice(rest, taken), params_, cmd_.values, opt, &findings_, line_offset_ + rest_at + taken);
  cmd_.params = params_;
  if (pv) verdict(pv);
}

void command_parser::parse_auth(std::string_view arg, std::size_t at) {
  if (arg.empty()) {
    note(rules::command_syntax, "AUTH without a mechanism", at);
    verdict(command_error::missing_argument);
    return;
  }
  const std::size_t sp = arg.find(' ');
  cmd_.mechanism = slice(arg, 0, sp);
  // RFC 4422 §3.1: 1 to 20 of upper-case letters, digits, "-" and "_"; SMTP
  // clients write them in either case, which servers accept.
  bool ok = cmd_.mechanism.size() <= 20;
  for (const char c : cmd_.mechanism) ok = ok && (is_alnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
  if (!ok) {
    note(rules::auth, "not a SASL mechanism name", at);
    verdict(command_error::bad_mechanism);
  }
  if (sp == std::string_view::npos) return;
  cmd_.initial_response = slice(arg, sp + 1);
  cmd_.has_initial_response = true;
  if (cmd_.initial_response != "=" && !is_base64(cmd_.initial_response)) {
    note(rules::auth, "an initial response not base64 or \"=\"", at + sp + 1);
    verdict(command_error::bad_initial_response);
  }
}

void command_parser::parse_bdat(std::string_view arg, std::size_t at) {
  if (arg.empty()) {
    note(rules::chunking, "BDAT without a chunk size", at);
    verdict(command_error::missing_argument);
    return;
  }
  const std::size_t sp = arg.find(' ');
  const std::string_view size = slice(arg, 0, sp);
  std::uint64_t n = 0;
  bool ok = !size.empty();
  for (const char c : size) {
    const auto d = static_cast<unsigned>(c - '0');
    if (d > 9 || n > (UINT64_MAX - d) / 10) {
      ok = false;
      break;
    }
    n = n * 10 + d;
  }
  if (!ok) {
    note(rules::chunking, "a BDAT chunk size that is not a 64-bit number", at);
    verdict(command_error::bad_chunk_size);
  } else {
    cmd_.chunk_size = n;
  }
  if (sp == std::string_view::npos) return;
  if (iequals(slice(arg, sp + 1), "LAST")) {
    cmd_.last = true;
  } else {
    note(rules::chunking, "BDAT's second argument is not LAST", at + sp + 1);
    verdict(command_error::unexpected_argument);
  }
}

void command_parser::parse_sasl(std::string_view line) {
  cmd_.kind = line_kind::sasl_response;
  cmd_.argument = line;
  if (line != "*" && !is_base64(line)) {
    note(rules::auth, "a SASL response not base64 or \"*\"", 0);
    verdict(command_error::bad_sasl_response);
  }
}

}  // namespace ehlo::proto
