#include "proto/esmtp_params.hpp"

#include <array>
#include <limits>
#include <ostream>

#include "proto/error.hpp"
#include "proto/syntax_chars.hpp"
#include "proto/xtext.hpp"

namespace ehlo::proto {

namespace {

using namespace syntax;

constexpr std::array<std::string_view, 14> messages{
    "",
    "a parameter not preceded by SP",
    "more than one SP between parameters",
    "not an esmtp-keyword",
    "not an esmtp-value",
    "too many parameters",
    "SIZE= is not 1 to 20 digits",
    "BODY= is not 7BIT, 8BITMIME or BINARYMIME",
    "RET= is not FULL or HDRS",
    "ENVID= is not xtext",
    "NOTIFY= is not NEVER or a list of SUCCESS, FAILURE and DELAY",
    "ORCPT= is not addr-type \";\" xtext",
    "AUTH= is not xtext or \"<>\"",
    "a value on a parameter that takes none",
};
const table_category category{"ehlo.esmtp-param", messages};

constexpr std::array<std::string_view, 10> keyword_names{
    "", "SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "NOTIFY", "ORCPT", "AUTH", "REQUIRETLS",
};

bool is_keyword(std::string_view k) noexcept {
  if (k.empty() || !is_alnum(static_cast<unsigned char>(k[0]))) return false;
  for (const char c : k)
    if (!is_alnum(static_cast<unsigned char>(c)) && c != '-') return false;
  return true;
}

bool is_value(std::string_view v, bool smtputf8) noexcept {
  if (v.empty()) return false;
  for (std::size_t i = 0; i < v.size();) {
    if (has(v[i], esmtp_value)) {
      ++i;
    } else if (const std::size_t n =
                   smtputf8 && static_cast<unsigned char>(v[i]) >= 0x80 ? utf8_sequence(slice(v, i)) : 0) {
      i += n;
    } else {
      return false;
    }
  }
  return true;
}

bool is_xtext(std::string_view v) noexcept {
  std::error_code ec;
  return xtext::validate(v, ec) == std::string_view::npos;
}

/// NOTIFY's value as flags, or 0 when it is not NEVER or a list of the others.
std::uint8_t parse_notify(std::string_view v) noexcept {
  if (iequals(v, "NEVER")) return notify_never;
  std::uint8_t flags = 0;
  while (true) {
    const std::size_t comma = v.find(',');
    const std::string_view item = slice(v, 0, comma);
    if (iequals(item, "SUCCESS"))
      flags |= notify_success;
    else if (iequals(item, "FAILURE"))
      flags |= notify_failure;
    else if (iequals(item, "DELAY"))
      flags |= notify_delay;
    else
      return 0;
    if (comma == std::string_view::npos) return flags;
    v.remove_prefix(comma + 1);
  }
}

const rule& rule_of(param_keyword k) noexcept {
  switch (k) {
    case param_keyword::size:
      return rules::mail_size;
    case param_keyword::body:
      return rules::body_param;
    case param_keyword::smtputf8:
      return rules::smtputf8_param;
    case param_keyword::ret:
      return rules::dsn_ret;
    case param_keyword::envid:
      return rules::dsn_envid;
    case param_keyword::notify:
      return rules::dsn_notify;
    case param_keyword::orcpt:
      return rules::dsn_orcpt;
    case param_keyword::auth:
      return rules::mail_auth;
    case param_keyword::requiretls:
      return rules::requiretls_param;
    case param_keyword::unknown:
      break;
  }
  return rules::param_syntax;
}

/// Checks a known parameter's value and records it in `values`; returns the
/// problem, or success.
param_error check_known(const esmtp_param& p, esmtp_values& values) noexcept {
  const std::string_view v = p.value;
  switch (p.kind) {
    case param_keyword::size: {
      if (!p.has_value || v.size() > 20) return param_error::bad_size;
      std::uint64_t n = 0;
      for (const char c : v) {
        if (!is_digit(static_cast<unsigned char>(c))) return param_error::bad_size;
        const auto d = static_cast<std::uint64_t>(c - '0');
        constexpr auto max = std::numeric_limits<std::uint64_t>::max();
        n = n > (max - d) / 10 ? max : n * 10 + d;
      }
      values.has_size = true;
      values.size = n;
      return {};
    }
    case param_keyword::body:
      if (iequals(v, "7BIT"))
        values.body = body_type::seven_bit;
      else if (iequals(v, "8BITMIME"))
        values.body = body_type::eight_bit_mime;
      else if (iequals(v, "BINARYMIME"))
        values.body = body_type::binary_mime;
      else
        return param_error::bad_body;
      return {};
    case param_keyword::ret:
      if (iequals(v, "FULL"))
        values.ret = ret_type::full;
      else if (iequals(v, "HDRS"))
        values.ret = ret_type::hdrs;
      else
        return param_error::bad_ret;
      return {};
    case param_keyword::envid:
      if (!p.has_value || !is_xtext(v)) return param_error::bad_envid;
      values.has_envid = true;
      values.envid = v;
      return {};
    case param_keyword::notify: {
      const std::uint8_t flags = p.has_value ? parse_notify(v) : 0;
      if (flags == 0) return param_error::bad_notify;
      values.notify = flags;
      return {};
    }
    case param_keyword::orcpt: {
      // addr-type is an RFC 822 atom: the same octets as RFC 5322's atext.
      const std::size_t semi = v.find(';');
      if (!p.has_value || semi == 0 || semi == std::string_view::npos) return param_error::bad_orcpt;
      for (const char c : slice(v, 0, semi))
        if (!has(c, atext)) return param_error::bad_orcpt;
      if (!is_xtext(slice(v, semi + 1))) return param_error::bad_orcpt;
      values.has_orcpt = true;
      values.orcpt_type = slice(v, 0, semi);
      values.orcpt = slice(v, semi + 1);
      return {};
    }
    case param_keyword::auth:
      if (!p.has_value || !is_xtext(v)) return param_error::bad_auth;
      values.has_auth = true;
      values.auth = v;
      return {};
    case param_keyword::smtputf8:
      if (p.has_value) return param_error::unexpected_value;
      values.smtputf8 = true;
      return {};
    case param_keyword::requiretls:
      if (p.has_value) return param_error::unexpected_value;
      values.requiretls = true;
      return {};
    case param_keyword::unknown:
      break;
  }
  return {};
}

bool belongs_to(param_keyword k, param_target t) noexcept {
  const bool rcpt_only = k == param_keyword::notify || k == param_keyword::orcpt;
  return k == param_keyword::unknown || rcpt_only == (t == param_target::rcpt);
}

}  // namespace

const std::error_category& param_error_category() noexcept { return category; }
std::error_code make_error_code(param_error e) noexcept { return {static_cast<int>(e), category}; }

std::string_view to_string(param_keyword k) noexcept { return keyword_names[static_cast<std::size_t>(k)]; }

param_keyword find_param_keyword(std::string_view written) noexcept {
  if (written.empty()) return param_keyword::unknown;
  // At most two keywords share a first letter: look only at those.
  const auto is = [&](param_keyword k) { return iequals(written, keyword_names[static_cast<std::size_t>(k)]); };
  switch (to_upper(written[0])) {
    case 'S':
      if (is(param_keyword::size)) return param_keyword::size;
      if (is(param_keyword::smtputf8)) return param_keyword::smtputf8;
      break;
    case 'B':
      if (is(param_keyword::body)) return param_keyword::body;
      break;
    case 'R':
      if (is(param_keyword::ret)) return param_keyword::ret;
      if (is(param_keyword::requiretls)) return param_keyword::requiretls;
      break;
    case 'E':
      if (is(param_keyword::envid)) return param_keyword::envid;
      break;
    case 'N':
      if (is(param_keyword::notify)) return param_keyword::notify;
      break;
    case 'O':
      if (is(param_keyword::orcpt)) return param_keyword::orcpt;
      break;
    case 'A':
      if (is(param_keyword::auth)) return param_keyword::auth;
      break;
    default:
      break;
  }
  return param_keyword::unknown;
}

bool operator==(const esmtp_param& a, const esmtp_param& b) noexcept {
  if (a.keyword.size() != b.keyword.size() || a.has_value != b.has_value || a.value != b.value || a.kind != b.kind)
    return false;
  for (std::size_t i = 0; i < a.keyword.size(); ++i)
    if (to_upper(a.keyword[i]) != to_upper(b.keyword[i])) return false;
  return true;
}

std::ostream& operator<<(std::ostream& os, const esmtp_param& p) {
  os << p.keyword;
  if (p.has_value) os << '=' << p.value;
  return os;
}

std::error_code parse_esmtp_params(std::string_view in, std::vector<esmtp_param>& out, esmtp_values& values,
                                   const param_options& opt, finding_log* log, std::uint64_t offset) {
  std::error_code verdict;
  const auto problem = [&](const rule& r, param_error e, std::size_t at) {
    if (log) log->add(r, messages[static_cast<std::size_t>(e)], offset + at);
    if (!verdict) verdict = e;
  };
  if (in.empty()) return verdict;
  if (in[0] != ' ') problem(rules::param_syntax, param_error::missing_space, 0);

  std::size_t count = 0;
  bool spaces_reported = false;
  std::size_t i = in[0] == ' ' ? 1 : 0;
  while (i <= in.size()) {
    // One token per SP; an empty token is a doubled (or trailing) SP.
    const std::size_t end = std::min(in.find(' ', i), in.size());
    const std::string_view token = slice(in, i, end - i);
    if (token.empty()) {
      if (!spaces_reported) {
        spaces_reported = true;
        if (log)
          log->add(rules::param_syntax, messages[static_cast<std::size_t>(param_error::extra_spaces)], offset + i);
        if (!opt.allow_extra_spaces && !verdict) verdict = param_error::extra_spaces;
      }
    } else {
      if (++count > opt.max_params) {
        problem(rules::param_syntax, param_error::too_many, i);
        break;
      }
      esmtp_param p;
      const std::size_t eq = token.find('=');
      p.keyword = slice(token, 0, eq);
      if (eq != std::string_view::npos) {
        p.has_value = true;
        p.value = slice(token, eq + 1);
      }
      p.kind = find_param_keyword(p.keyword);
      if (!is_keyword(p.keyword)) {
        problem(rules::param_syntax, param_error::bad_keyword, i);
      } else if (p.has_value && !is_value(p.value, opt.smtputf8)) {
        problem(rules::param_syntax, param_error::bad_value, i + eq + 1);
      } else if (!belongs_to(p.kind, opt.target)) {
        // Not a syntax error: the server answers 555 (RFC 5321 §4.1.1.11).
        if (log)
          log->add(rule_of(p.kind),
                   opt.target == param_target::mail ? "a RCPT parameter on MAIL" : "a MAIL parameter on RCPT",
                   offset + i);
      } else if (const param_error e = check_known(p, values); e != param_error{}) {
        problem(rule_of(p.kind), e, p.has_value ? i + eq + 1 : i);
      }
      out.push_back(p);
    }
    if (end == in.size()) break;
    i = end + 1;
  }
  return verdict;
}

void format_esmtp_params(std::span<const esmtp_param> params, std::string& out) {
  for (const esmtp_param& p : params) {
    out += ' ';
    if (p.kind != param_keyword::unknown)
      out += to_string(p.kind);
    else
      for (const char c : p.keyword) out += to_upper(c);
    if (p.has_value) {
      out += '=';
      out += p.value;
    }
  }
}

}  // namespace ehlo::proto
