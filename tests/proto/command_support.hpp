// Owned, comparable, printable copies of what command_parser produces, and a
// stream driver, so every command test can run on every split of its input.
#pragma once

#include <doctest/doctest.h>

#include <ostream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "proto/command_parser.hpp"
#include "support/findings.hpp"
#include "support/split.hpp"

namespace doctest {
/// Prints string lists (expected findings) in failed CHECKs.
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string s = "{";
    for (const auto& e : v) s += "\n  \"" + e + "\"";
    return String((s + " }").c_str());
  }
};
}  // namespace doctest

namespace ehlo::test {

/// The known parameters in one line: " size=500000 ret=HDRS envid=124567".
inline std::string summarize(const proto::esmtp_values& v) {
  std::ostringstream os;
  if (v.has_size) os << " size=" << v.size;
  if (v.body != proto::body_type::none) os << " body=" << static_cast<int>(v.body);
  if (v.ret != proto::ret_type::none) os << " ret=" << (v.ret == proto::ret_type::full ? "FULL" : "HDRS");
  if (v.notify) os << " notify=" << static_cast<int>(v.notify);
  if (v.smtputf8) os << " smtputf8";
  if (v.requiretls) os << " requiretls";
  if (v.has_envid) os << " envid=" << v.envid;
  if (v.has_orcpt) os << " orcpt=" << v.orcpt_type << ";" << v.orcpt;
  if (v.has_auth) os << " auth=" << v.auth;
  return os.str();
}

struct seen_command {
  proto::line_kind kind = proto::line_kind::command;
  proto::verb verb = proto::verb::unknown;
  std::string verb_text, argument;
  std::error_code syntax;
  std::string path;    ///< canonical, "" when no path was parsed
  std::string params;  ///< canonical
  std::string values;  ///< summarize()
  std::string domain;  ///< HELO/EHLO
  std::string mechanism, initial_response;
  std::uint64_t chunk_size = 0;
  bool last = false;
  std::vector<seen> findings;
  friend bool operator==(const seen_command&, const seen_command&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const seen_command& c) {
  os << "{" << (c.kind == proto::line_kind::sasl_response ? "sasl" : "cmd") << " " << c.verb << " '" << c.verb_text
     << "' arg='" << c.argument << "' syntax=" << c.syntax.message() << " path=" << c.path << " params='" << c.params
     << "' values='" << c.values << "' domain=" << c.domain << " mech=" << c.mechanism << " ir=" << c.initial_response
     << " bdat=" << c.chunk_size << (c.last ? " LAST" : "") << " findings:";
  for (const auto& f : c.findings) os << " " << f;
  return os << "}";
}

inline seen_command copy_command(const proto::command_parser& p) {
  const proto::command& c = p.get();
  seen_command s;
  s.kind = c.kind;
  s.verb = c.verb;
  s.verb_text = c.verb_text;
  s.argument = c.argument;
  s.syntax = c.syntax;
  if (!c.path.text.empty()) s.path = proto::to_string(c.path);
  proto::format_esmtp_params(c.params, s.params);
  s.values = summarize(c.values);
  s.domain = c.domain;
  s.mechanism = c.mechanism;
  s.initial_response = c.initial_response;
  s.chunk_size = c.chunk_size;
  s.last = c.last;
  s.findings = findings_of(p.findings());
  return s;
}

struct seen_stream {
  std::vector<seen_command> commands;
  std::error_code end;              ///< drive()'s result
  std::vector<seen> last_findings;  ///< the findings of the line that failed, if one did
  friend bool operator==(const seen_stream&, const seen_stream&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const seen_stream& s) {
  for (const auto& c : s.commands) os << c << "\n";
  os << "end: " << s.end.message();
  for (const auto& f : s.last_findings) os << " " << f;
  return os;
}

/// Parses a stream of lines. After an AUTH without an initial response, the
/// next `sasl_lines` lines are read as SASL responses (AUTH LOGIN sends two).
inline seen_stream parse_commands(const chunks& input, const proto::command_settings& settings = {},
                                  int sasl_lines = 2) {
  proto::command_parser parser(settings);
  seen_stream out;
  int sasl_left = 0;
  out.end = drive(parser, input, [&](proto::command_parser& p) {
    out.commands.push_back(copy_command(p));
    const auto& c = p.get();
    if (c.kind == proto::line_kind::command && c.verb == proto::verb::auth && !c.has_initial_response)
      sasl_left = sasl_lines;
    else if (sasl_left > 0)
      --sasl_left;
    if (sasl_left > 0) p.expect_sasl_response();
  });
  if (out.end && !proto::is_need_more(out.end)) out.last_findings = findings_of(parser.findings());
  return out;
}

/// parse_commands() on every split of input; returns the whole-input result.
inline seen_stream parse_commands_every_split(std::string_view input, const proto::command_settings& settings = {},
                                              int sasl_lines = 2) {
  return parse_every_split(input, [&](const chunks& c) { return parse_commands(c, settings, sasl_lines); });
}

/// One line, every split; REQUIREs that it parsed as exactly one command.
inline seen_command parse_one(std::string_view line, const proto::command_settings& settings = {}) {
  const seen_stream s = parse_commands_every_split(line, settings, 0);
  REQUIRE(s.commands.size() == 1);
  CHECK_FALSE(s.end);
  return s.commands.front();
}

}  // namespace ehlo::test

namespace ehlo::test {

/// The findings of a command as "[id] @offset: what" strings.
inline std::vector<std::string> findings_of(const seen_command& c) {
  std::vector<std::string> out;
  for (const auto& f : c.findings) {
    std::ostringstream os;
    os << f;
    out.push_back(os.str());
  }
  return out;
}

}  // namespace ehlo::test
