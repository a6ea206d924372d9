#include "scenario/text_template.hpp"

#include <chrono>
#include <random>

#include "proto/base64.hpp"
#include "proto/mime_builder.hpp"
#include "proto/sasl_cram_md5.hpp"
#include "proto/sasl_messages.hpp"
#include "proto/syntax_chars.hpp"

namespace ehlo::scenario {

namespace {

struct function_spec {
  std::string_view name;
  std::size_t min_args, max_args;
};

constexpr function_spec functions[] = {
    {"auth_plain", 2, 3}, {"base64", 1, 1}, {"cram_md5", 3, 3}, {"cram_md5_challenge", 0, 1},
    {"date", 0, 0},       {"domain", 1, 1}, {"hex", 1, 1},      {"local_part", 1, 1},
    {"message_id", 0, 1}, {"repeat", 2, 2}, {"xoauth2", 2, 2},
};

/// The most an expanded text may hold: repeat() is the one function whose
/// output is not bounded by its input, and a short file must not make ehlo
/// build gigabytes.
constexpr std::size_t max_expanded = 16u << 20;

/// repeat()'s count: 0 to 8 decimal digits, no sign.
bool parse_count(std::string_view s, std::size_t& n) {
  if (s.empty() || s.size() > 8) return false;
  n = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return true;
}

/// What repeat(text, count) cannot do, or empty: `already` octets are in the output before it.
std::string repeat_problem(std::string_view text, std::string_view count, std::size_t already, std::size_t& n) {
  if (!parse_count(count, n)) return "repeat(): the count \"" + std::string(count) + "\" is not 1 to 8 decimal digits";
  if (already > max_expanded || (n != 0 && text.size() > (max_expanded - already) / n))
    return "repeat(): " + std::to_string(text.size()) + " octets " + std::to_string(n) +
           " times would make the text longer than " + std::to_string(max_expanded >> 20) + " MiB";
  return {};
}

/// An address's two halves, split at its last "@" (a quoted local part may hold one).
bool split_address(std::string_view address, std::string_view& local, std::string_view& domain) {
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  local = address.substr(0, at);
  domain = address.substr(at + 1);
  return true;
}

const function_spec* find_function(std::string_view name) {
  for (const auto& f : functions)
    if (f.name == name) return &f;
  return nullptr;
}

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// hex('0d 0a ff'): pairs of hex digits, spaces between pairs ignored.
bool decode_hex(std::string_view s, std::string& out) {
  int high = -1;
  for (const char c : s) {
    if (c == ' ') {
      if (high >= 0) return false;
      continue;
    }
    const int h = hex_value(c);
    if (h < 0) return false;
    if (high < 0) {
      high = h;
    } else {
      out += static_cast<char>(high << 4 | h);
      high = -1;
    }
  }
  return high < 0;
}

/// Parses "${" ... "}" starting at `s[at]` == '$'; on success `at` is past the "}".
bool parse_expansion(std::string_view s, std::size_t& at, template_part& part, template_error& err) {
  const std::size_t start = at;
  at += 2;
  const auto skip_space = [&] {
    while (at < s.size() && s[at] == ' ') ++at;
  };
  const auto fail = [&](std::size_t where, std::string what) {
    err = {where, std::move(what)};
    return false;
  };
  skip_space();
  const std::size_t name_at = at;
  if (at >= s.size() || !is_ident_start(s[at]))
    return fail(start, "\"${\" must be followed by a variable or function name (write \"$$\" for a \"$\")");
  while (at < s.size() && is_ident(s[at])) ++at;
  part.text = s.substr(name_at, at - name_at);
  skip_space();
  if (at < s.size() && s[at] == '(') {
    part.what = template_part::kind::call;
    const function_spec* f = find_function(part.text);
    if (f == nullptr) return fail(name_at, "unknown function " + part.text + "()");
    ++at;
    skip_space();
    if (at < s.size() && s[at] == ')') {
      ++at;
    } else {
      while (true) {
        skip_space();
        template_arg arg;
        if (at < s.size() && s[at] == '\'') {
          const std::size_t close = s.find('\'', at + 1);
          if (close == std::string_view::npos) return fail(at, "a 'quoted' argument is not closed");
          arg = {true, std::string(s.substr(at + 1, close - at - 1))};
          at = close + 1;
        } else if (at < s.size() && is_ident_start(s[at])) {
          const std::size_t b = at;
          while (at < s.size() && is_ident(s[at])) ++at;
          arg = {false, std::string(s.substr(b, at - b))};
        } else {
          return fail(at, "an argument of " + part.text + "() must be a variable name or a 'quoted' literal");
        }
        part.args.push_back(std::move(arg));
        skip_space();
        if (at < s.size() && s[at] == ',') {
          ++at;
          continue;
        }
        if (at < s.size() && s[at] == ')') {
          ++at;
          break;
        }
        return fail(at, "expected ',' or ')' in the arguments of " + part.text + "()");
      }
    }
    if (part.args.size() < f->min_args || part.args.size() > f->max_args) {
      const std::string want = f->min_args == f->max_args
                                   ? std::to_string(f->min_args)
                                   : std::to_string(f->min_args) + " or " + std::to_string(f->max_args);
      return fail(name_at, part.text + "() takes " + want + " argument" + (f->max_args == 1 ? "" : "s") + ", not " +
                               std::to_string(part.args.size()));
    }
    if (part.text == "hex" && part.args[0].literal) {
      std::string ignored;
      if (!decode_hex(part.args[0].text, ignored))
        return fail(name_at, "hex('" + part.args[0].text + "') is not pairs of hex digits");
    }
    if ((part.text == "domain" || part.text == "local_part") && part.args[0].literal) {
      std::string_view local, domain;
      if (!split_address(part.args[0].text, local, domain))
        return fail(name_at, part.text + "('" + part.args[0].text + "') has no \"@\"");
    }
    if (part.text == "repeat" && part.args[1].literal) {
      std::size_t n = 0;
      const std::string problem =
          repeat_problem(part.args[0].literal ? part.args[0].text : std::string_view(), part.args[1].text, 0, n);
      if (!problem.empty()) return fail(name_at, problem);
    }
    skip_space();
  } else {
    part.what = template_part::kind::variable;
  }
  if (at >= s.size() || s[at] != '}') return fail(start, "\"${\" is not closed by \"}\"");
  ++at;
  return true;
}

std::string random_token() {
  static thread_local std::mt19937_64 gen{std::random_device{}()};
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (std::uint64_t v = gen(), i = 0; i < 16; ++i, v >>= 4) out += hex[v & 0xf];
  return out;
}

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::vector<template_part> parse_template(std::string_view written, template_error& err) {
  err = {};
  std::vector<template_part> parts;
  const auto literal = [&](std::string_view text) {
    if (parts.empty() || parts.back().what != template_part::kind::literal) parts.push_back({});
    parts.back().text.append(text);
  };
  std::size_t at = 0;
  while (at < written.size()) {
    const std::size_t dollar = written.find('$', at);
    literal(written.substr(at, dollar == std::string_view::npos ? std::string_view::npos : dollar - at));
    if (dollar == std::string_view::npos) break;
    at = dollar;
    if (written.substr(at).starts_with("$$")) {
      literal("$");
      at += 2;
    } else if (written.substr(at).starts_with("${")) {
      template_part part;
      if (!parse_expansion(written, at, part, err)) return parts;
      parts.push_back(std::move(part));
    } else {
      literal("$");
      ++at;
    }
  }
  return parts;
}

std::vector<std::string> variables_read(const std::vector<template_part>& parts) {
  std::vector<std::string> names;
  for (const auto& p : parts) {
    if (p.what == template_part::kind::variable) names.push_back(p.text);
    for (const auto& a : p.args)
      if (!a.literal) names.push_back(a.text);
  }
  return names;
}

std::string escape_template(std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '$') {
      out += "$$";
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (const std::size_t n = proto::syntax::utf8_sequence(bytes.substr(i)); n != 0) {
      out.append(bytes.substr(i, n));
      i += n;
    } else {
      out += "${hex('";
      out += hex[c >> 4];
      out += hex[c & 0xf];
      out += "')}";
      ++i;
    }
  }
  return out;
}

bool expand(std::string_view written, const expansion_env& env, std::string& out, std::string& error) {
  out.clear();
  error.clear();
  // Most lines expand nothing: no template to parse (`ehlo load` expands every line of every session).
  if (written.find('$') == std::string_view::npos) {
    out.assign(written);
    return true;
  }
  template_error terr;
  const auto parts = parse_template(written, terr);
  if (terr) {
    error = terr.what;
    return false;
  }
  const auto value_of = [&](const template_arg& a, std::string& v) {
    if (a.literal) {
      v = a.text;
      return true;
    }
    const auto it = env.vars ? env.vars->find(a.text) : variables::const_iterator{};
    if (env.vars == nullptr || it == env.vars->end()) {
      error = "variable \"" + a.text + "\" is not set";
      return false;
    }
    v = it->second;
    return true;
  };
  for (const auto& p : parts) {
    if (p.what == template_part::kind::literal) {
      out += p.text;
      continue;
    }
    if (p.what == template_part::kind::variable) {
      std::string v;
      if (!value_of({false, p.text}, v)) return false;
      out += v;
      continue;
    }
    std::vector<std::string> a(p.args.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!value_of(p.args[i], a[i])) return false;
    if (p.text == "base64") {
      out += proto::base64::encode(a[0]);
    } else if (p.text == "auth_plain") {
      out += a.size() == 3 ? proto::base64::encode(proto::sasl::make_plain(a[0], a[1], a[2]))
                           : proto::base64::encode(proto::sasl::make_plain({}, a[0], a[1]));
    } else if (p.text == "xoauth2") {
      out += proto::base64::encode(proto::sasl::make_xoauth2(a[0], a[1]));
    } else if (p.text == "cram_md5") {
      std::error_code ec;
      const std::string challenge = proto::base64::decode(a[2], ec);
      if (ec) {
        error = "cram_md5(): the challenge \"" + a[2] + "\" is not base64";
        return false;
      }
      char digest[proto::sasl::cram_md5_digest_size];
      if (!proto::sasl::cram_md5_digest(a[1], challenge, digest)) {
        error = "cram_md5(): OpenSSL cannot compute HMAC-MD5 here";
        return false;
      }
      out += proto::base64::encode(proto::sasl::make_cram_md5(a[0], {digest, sizeof digest}));
    } else if (p.text == "hex") {
      if (!decode_hex(a[0], out)) {
        error = "hex(): \"" + a[0] + "\" is not pairs of hex digits";
        return false;
      }
    } else if (p.text == "message_id" || p.text == "cram_md5_challenge") {
      // RFC 5322's msg-id and RFC 2195's challenge have the same shape: a
      // unique <token.time@host>; the challenge goes in base64.
      const std::string token = env.unique_token ? env.unique_token() : random_token();
      const std::int64_t now = env.now ? env.now() : system_now();
      const std::string id =
          "<" + token + "." + std::to_string(now) + "@" + (a.empty() ? std::string("ehlo.invalid") : a[0]) + ">";
      out += p.text == "message_id" ? id : proto::base64::encode(id);
    } else if (p.text == "date") {
      out += proto::mime::format_date(env.now ? env.now() : system_now());
    } else if (p.text == "domain" || p.text == "local_part") {
      std::string_view local, domain;
      if (!split_address(a[0], local, domain)) {
        error = p.text + "(): \"" + a[0] + "\" has no \"@\"";
        return false;
      }
      out += p.text == "domain" ? domain : local;
    } else if (p.text == "repeat") {
      std::size_t n = 0;
      error = repeat_problem(a[0], a[1], out.size(), n);
      if (!error.empty()) return false;
      out.reserve(out.size() + a[0].size() * n);
      for (std::size_t i = 0; i < n; ++i) out += a[0];
    }
  }
  return true;
}

}  // namespace ehlo::scenario
