#include "proto/path.hpp"

#include <array>
#include <ostream>

#include "proto/error.hpp"
#include "proto/syntax_chars.hpp"

namespace ehlo::proto {

namespace {

using namespace syntax;

constexpr std::array<std::string_view, 10> messages{
    "",
    "no path",
    "a path does not start with \"<\"",
    "a path does not end with \">\" after its mailbox",
    "a source route is not a list of \"@domain\" ended by \":\"",
    "a local part is neither a dot-string nor a quoted string",
    "a local part is not followed by \"@\" and a domain",
    "not a domain name",
    "not an IPv4, IPv6 or general address literal",
    "the null path \"<>\" where a mailbox is needed",
};
const table_category category{"ehlo.path", messages};

constexpr std::size_t max_local_part = 64;  // RFC 5321 §4.5.3.1.1
constexpr std::size_t max_domain = 255;     // §4.5.3.1.2
constexpr std::size_t max_path = 256;       // §4.5.3.1.3, with its punctuation

/// Length of a non-ASCII character usable as atext or in a label, or 0.
std::size_t utf8_at(std::string_view s, bool smtputf8) noexcept {
  return smtputf8 && !s.empty() && static_cast<unsigned char>(s[0]) >= 0x80 ? utf8_sequence(s) : 0;
}

/// Snum 3("." Snum): four decimals of at most three digits, each at most 255.
bool is_ipv4(std::string_view s) noexcept {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t digits = 0;
    int value = 0;
    while (i < s.size() && is_digit(static_cast<unsigned char>(s[i])) && digits < 4) {
      value = value * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0 || digits > 3 || value > 255) return false;
    if (++parts == 4) return i == s.size();
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
  }
}

/// Counts the IPv6-hex groups of a ":"-separated list; the last item may be an
/// IPv4 address when v4_ok. False when an item is neither.
bool ipv6_groups(std::string_view s, bool v4_ok, int& groups, bool& v4) noexcept {
  groups = 0;
  v4 = false;
  if (s.empty()) return true;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = s.find(':', start);
    const std::string_view item =
        slice(s, start, colon == std::string_view::npos ? std::string_view::npos : colon - start);
    const bool last = colon == std::string_view::npos;
    if (last && v4_ok && item.find('.') != std::string_view::npos) {
      if (!is_ipv4(item)) return false;
      v4 = true;
      return true;
    }
    if (item.empty() || item.size() > 4) return false;
    for (const char c : item)
      if (!is_hex(static_cast<unsigned char>(c))) return false;
    ++groups;
    if (last) return true;
    start = colon + 1;
  }
}

/// RFC 5321's IPv6-addr: full, compressed ("::" stands for at least two
/// groups), and both with a trailing IPv4 address.
bool is_ipv6(std::string_view s) noexcept {
  const std::size_t dc = s.find("::");
  int left = 0;
  int right = 0;
  bool v4_left = false;
  bool v4 = false;
  if (dc == std::string_view::npos) {
    if (!ipv6_groups(s, true, left, v4)) return false;
    return v4 ? left == 6 : left == 8;
  }
  if (s.find("::", dc + 1) != std::string_view::npos) return false;
  if (!ipv6_groups(slice(s, 0, dc), false, left, v4_left)) return false;
  if (!ipv6_groups(slice(s, dc + 2), true, right, v4)) return false;
  return left + right <= (v4 ? 4 : 6);
}

/// Ldh-str ending in a letter or digit, as a general literal's tag.
bool is_tag(std::string_view s) noexcept {
  if (s.empty() || !is_alnum(static_cast<unsigned char>(s.back()))) return false;
  for (const char c : s)
    if (!is_alnum(static_cast<unsigned char>(c)) && c != '-') return false;
  return true;
}

/// Parses "[...]" at the start of s.
std::size_t parse_literal(std::string_view s, domain_kind& kind, std::error_code& ec) noexcept {
  const std::size_t close = s.find(']');
  if (close == std::string_view::npos) {
    ec = path_error::bad_address_literal;
    return 0;
  }
  const std::string_view body = slice(s, 1, close - 1);
  const std::size_t colon = body.find(':');
  if (is_ipv4(body)) {
    kind = domain_kind::ipv4;
  } else if (colon != std::string_view::npos && iequals(slice(body, 0, colon), "IPV6")) {
    // A standardized tag means what its standard says: no fall-back to the general form.
    if (!is_ipv6(slice(body, colon + 1))) {
      ec = path_error::bad_address_literal;
      return 0;
    }
    kind = domain_kind::ipv6;
  } else if (colon != std::string_view::npos && is_tag(slice(body, 0, colon)) && colon + 1 < body.size()) {
    for (const char c : slice(body, colon + 1))
      if (!has(c, dcontent)) {
        ec = path_error::bad_address_literal;
        return 0;
      }
    kind = domain_kind::general;
  } else {
    ec = path_error::bad_address_literal;
    return 0;
  }
  return close + 1;
}

/// Parses a dot-string or quoted-string local part at the start of s.
std::size_t parse_local(std::string_view s, bool smtputf8, bool& quoted, std::error_code& ec) noexcept {
  quoted = false;
  if (!s.empty() && s[0] == '"') {
    quoted = true;
    for (std::size_t i = 1; i < s.size();) {
      const char c = s[i];
      if (c == '"') return i + 1;
      if (c == '\\') {
        if (i + 1 >= s.size() || s[i + 1] < 32 || s[i + 1] > 126) break;
        i += 2;
      } else if (has(c, qtext)) {
        ++i;
      } else if (const std::size_t n = utf8_at(slice(s, i), smtputf8)) {
        i += n;
      } else {
        break;
      }
    }
    ec = path_error::bad_local_part;
    return 0;
  }
  std::size_t i = 0;
  bool atom_open = false;  // the current atom has at least one character
  while (i < s.size()) {
    const char c = s[i];
    if (has(c, atext)) {
      atom_open = true;
      ++i;
    } else if (c == '.') {
      if (!atom_open) break;  // leading or doubled dot
      atom_open = false;
      ++i;
    } else if (const std::size_t n = utf8_at(slice(s, i), smtputf8)) {
      atom_open = true;
      i += n;
    } else {
      break;
    }
  }
  if (i == 0 || !atom_open) {  // empty, or a dot where an atom belongs
    ec = path_error::bad_local_part;
    return 0;
  }
  return i;
}

std::string_view error_what(path_error e) noexcept { return messages[static_cast<std::size_t>(e)]; }

/// Reads a local part's value octet by octet, undoing quotes and quoted-pairs.
class value_reader {
 public:
  explicit value_reader(std::string_view local) noexcept {
    if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
      s_ = slice(local, 1, local.size() - 2);
      quoted_ = true;
    } else {
      s_ = local;
    }
  }
  bool next(char& c) noexcept {
    if (i_ >= s_.size()) return false;
    if (quoted_ && s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
    c = s_[i_++];
    return true;
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  bool quoted_ = false;
};

bool same_local_part(std::string_view a, std::string_view b) noexcept {
  value_reader ra(a);
  value_reader rb(b);
  char ca = 0;
  char cb = 0;
  while (true) {
    const bool ha = ra.next(ca);
    const bool hb = rb.next(cb);
    if (ha != hb) return false;
    if (!ha) return true;
    if (ca != cb) return false;
  }
}

}  // namespace

const std::error_category& path_error_category() noexcept { return category; }
std::error_code make_error_code(path_error e) noexcept { return {static_cast<int>(e), category}; }

std::string_view to_string(domain_kind k) noexcept {
  switch (k) {
    case domain_kind::none:
      return "none";
    case domain_kind::name:
      return "name";
    case domain_kind::ipv4:
      return "ipv4";
    case domain_kind::ipv6:
      return "ipv6";
    case domain_kind::general:
      return "general";
  }
  return "?";
}

bool operator==(const path& a, const path& b) noexcept {
  return a.is_null == b.is_null && a.is_postmaster == b.is_postmaster && a.kind == b.kind &&
         a.source_route == b.source_route && a.domain == b.domain && same_local_part(a.local_part, b.local_part);
}

std::ostream& operator<<(std::ostream& os, const path& p) { return os << to_string(p); }

std::size_t parse_domain(std::string_view in, domain_kind& kind, std::error_code& ec, bool smtputf8) noexcept {
  ec = {};
  kind = domain_kind::none;
  if (in.empty()) {
    ec = path_error::bad_domain;
    return 0;
  }
  if (in[0] == '[') return parse_literal(in, kind, ec);
  // sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str]: letters,
  // digits and hyphens, beginning and ending with a letter or digit.
  std::size_t i = 0;
  bool label_open = false;  // the current label has a character
  bool last_hyphen = false;
  while (i < in.size()) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (is_alnum(c)) {
      label_open = true;
      last_hyphen = false;
      ++i;
    } else if (c == '-') {
      if (!label_open) break;
      last_hyphen = true;
      ++i;
    } else if (c == '.') {
      if (!label_open || last_hyphen) break;
      label_open = false;
      ++i;
    } else if (const std::size_t n = utf8_at(slice(in, i), smtputf8)) {
      label_open = true;
      last_hyphen = false;
      i += n;
    } else {
      break;
    }
  }
  if (!label_open || last_hyphen) {
    ec = path_error::bad_domain;
    return 0;
  }
  kind = domain_kind::name;
  return i;
}

std::size_t parse_path(std::string_view in, path& out, std::error_code& ec, const path_options& opt, finding_log* log,
                       std::uint64_t offset) {
  out = {};
  ec = {};
  std::size_t i = 0;
  const auto fail = [&](path_error e, std::size_t at) -> std::size_t {
    ec = e;
    if (log) log->add(rules::address_syntax, error_what(e), offset + at);
    return 0;
  };
  const auto note = [&](const rule& r, std::string_view what, std::size_t at) {
    if (log) log->add(r, what, offset + at);
  };

  if (opt.bracketed) {
    if (in.empty()) return fail(path_error::missing_path, 0);
    if (in[0] != '<') return fail(path_error::missing_open_bracket, 0);
    i = 1;
    if (i < in.size() && in[i] == '>') {
      if (!opt.allow_null) return fail(path_error::null_path, 0);
      out.is_null = true;
      out.text = slice(in, 0, 2);
      return 2;
    }
    if (i < in.size() && in[i] == '@') {
      // A-d-l = At-domain *( "," At-domain ), At-domain = "@" Domain.
      while (true) {
        if (i >= in.size() || in[i] != '@') return fail(path_error::bad_source_route, i);
        domain_kind k;
        std::error_code dec;
        const std::size_t n = parse_domain(slice(in, i + 1), k, dec, opt.smtputf8);
        if (dec || k != domain_kind::name) return fail(path_error::bad_source_route, i + 1);
        i += 1 + n;
        if (i < in.size() && in[i] == ',') {
          ++i;
          continue;
        }
        if (i < in.size() && in[i] == ':') break;
        return fail(path_error::bad_source_route, i);
      }
      out.source_route = slice(in, 1, i - 1);
      note(rules::address_syntax, "a source route (deprecated; ignored)", 1);
      ++i;
    }
  } else if (in.empty()) {
    return fail(path_error::missing_path, 0);
  }

  const std::size_t local_at = i;
  std::error_code lec;
  const std::size_t local_len = parse_local(slice(in, i), opt.smtputf8, out.quoted, lec);
  if (lec) return fail(path_error::bad_local_part, i);
  out.local_part = slice(in, i, local_len);
  i += local_len;
  // An octet past ASCII that the local part could not take (no SMTPUTF8, or
  // not UTF-8) is the local part's fault, not a missing "@".
  if (i < in.size() && static_cast<unsigned char>(in[i]) >= 0x80) return fail(path_error::bad_local_part, i);

  if (i < in.size() && in[i] == '@') {
    ++i;
    std::error_code dec;
    const std::size_t n = parse_domain(slice(in, i), out.kind, dec, opt.smtputf8);
    if (dec)
      return fail(dec == path_error::bad_address_literal ? path_error::bad_address_literal : path_error::bad_domain, i);
    out.domain = slice(in, i, n);
    i += n;
    if (i < in.size() && static_cast<unsigned char>(in[i]) >= 0x80) return fail(path_error::bad_domain, i);
  } else if (opt.allow_postmaster && !out.quoted && iequals(out.local_part, "POSTMASTER") && out.source_route.empty() &&
             (opt.bracketed ? i < in.size() && in[i] == '>' : true)) {
    out.is_postmaster = true;
  } else {
    return fail(path_error::missing_at, i);
  }

  if (opt.bracketed) {
    if (i >= in.size() || in[i] != '>') return fail(path_error::missing_close_bracket, i);
    ++i;
  }
  out.text = slice(in, 0, i);

  if (out.local_part.size() > max_local_part) note(rules::path_len, "a local part over 64 octets", local_at);
  if (out.domain.size() > max_domain) note(rules::path_len, "a domain over 255 octets", local_at + local_len + 1);
  if (out.text.size() + (opt.bracketed ? 0 : 2) > max_path) note(rules::path_len, "a path over 256 octets", 0);
  return i;
}

bool is_dot_string(std::string_view s, bool smtputf8) noexcept {
  std::error_code ec;
  bool quoted = false;
  return !s.empty() && s[0] != '"' && parse_local(s, smtputf8, quoted, ec) == s.size();
}

std::size_t local_part_value(std::string_view local_part, char* out) noexcept {
  value_reader r(local_part);
  char* o = out;
  for (char c = 0; r.next(c);) *o++ = c;
  return static_cast<std::size_t>(o - out);
}

std::string local_part_value(std::string_view local_part) {
  std::string out(local_part.size(), '\0');
  out.resize(local_part_value(local_part, out.data()));
  return out;
}

void format_local_part(std::string_view value, std::string& out) {
  // Octets past ASCII are atext here: a value holding them came from an
  // SMTPUTF8 parse, and its canonical text is for the same kind of parse.
  if (is_dot_string(value, true)) {
    out += value;
    return;
  }
  out += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

void format_path(const path& p, std::string& out) {
  if (p.is_null) {
    out += "<>";
    return;
  }
  out += '<';
  if (!p.source_route.empty()) {
    out += p.source_route;
    out += ':';
  }
  if (p.quoted) {
    std::string value(p.local_part.size(), '\0');
    value.resize(local_part_value(p.local_part, value.data()));
    format_local_part(value, out);
  } else {
    out += p.local_part;
  }
  if (!p.is_postmaster) {
    out += '@';
    out += p.domain;
  }
  out += '>';
}

std::string to_string(const path& p) {
  std::string s;
  format_path(p, s);
  return s;
}

}  // namespace ehlo::proto
