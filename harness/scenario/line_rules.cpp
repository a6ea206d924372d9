#include "scenario/line_rules.hpp"

#include <algorithm>

namespace ehlo::scenario {

namespace {

bool allows(std::uint8_t allowed, allowance a) { return (allowed & static_cast<std::uint8_t>(a)) != 0; }

line_problem problem(std::optional<allowance> a, std::string what) { return {a, 0, std::move(what)}; }

std::string quote(std::string_view s) { return "\"" + std::string(s.substr(0, 40)) + "\""; }

}  // namespace

std::optional<line_problem> reply_line_problem(std::string_view line, std::size_t index, std::size_t count,
                                               std::uint8_t allowed) {
  if (line.find_first_of("\r\n") != std::string_view::npos)
    return problem(std::nullopt,
                   "a reply line holds a CR or LF; write a line per string (or \"raw\": true for bytes as they are)");
  if (line.size() > 510 && !allows(allowed, allowance::long_line))
    return problem(allowance::long_line, "a reply line of " + std::to_string(line.size()) +
                                             " bytes; with its CRLF it passes the 512 of RFC 5321 §4.5.3.1.5 "
                                             "(allow \"long-line\" if on purpose)");
  if (allows(allowed, allowance::bad_code)) return std::nullopt;
  std::size_t digits = 0;
  while (digits < line.size() && line[digits] >= '0' && line[digits] <= '9') ++digits;
  if (digits != 3)
    return problem(allowance::bad_code, "reply code " + quote(line.substr(0, line.find_first_of(" -"))) +
                                            " is not three digits (allow \"bad-code\" if on purpose)");
  if (line[0] < '2' || line[0] > '5' || line[1] > '5')
    return problem(allowance::bad_code, "reply code " + quote(line.substr(0, 3)) +
                                            " is not a reply code: the first digit is 2-5, the second 0-5 "
                                            "(allow \"bad-code\" if on purpose)");
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-')
    return problem(allowance::bad_code, "after the code comes a space or '-', found " + quote(line.substr(3, 1)) +
                                            " (allow \"bad-code\" if on purpose)");
  if (allows(allowed, allowance::continuation)) return std::nullopt;
  const bool more = line.size() > 3 && line[3] == '-';
  if (index + 1 == count && more)
    return problem(allowance::continuation, "the last line of a reply says \"" + std::string(line.substr(0, 4)) +
                                                "\", so the reply goes on (allow \"continuation\" if on purpose)");
  if (index + 1 < count && !more)
    return problem(allowance::continuation, "line " + std::to_string(index + 1) + " of " + std::to_string(count) +
                                                " ends the reply: \"" + std::string(line.substr(0, 3)) +
                                                "-\" continues it (allow \"continuation\" if on purpose)");
  return std::nullopt;
}

std::optional<line_problem> mixed_codes_problem(const std::vector<std::string>& lines, std::uint8_t allowed) {
  if (allows(allowed, allowance::mixed_codes) || allows(allowed, allowance::bad_code)) return std::nullopt;
  for (std::size_t i = 1; i < lines.size(); ++i)
    if (lines[i].size() >= 3 && lines[0].size() >= 3 && lines[i].compare(0, 3, lines[0], 0, 3) != 0)
      return line_problem{allowance::mixed_codes, i,
                          "this line's code " + lines[i].substr(0, 3) + " differs from the reply's " +
                              lines[0].substr(0, 3) + " (allow \"mixed-codes\" if on purpose)"};
  return std::nullopt;
}

std::optional<line_problem> command_line_problem(std::string_view line, std::uint8_t allowed) {
  if (line.find_first_of("\r\n") != std::string_view::npos)
    return problem(std::nullopt,
                   "a command holds a CR or LF; CRLF is added after it (\"raw\": true sends bytes as they are)");
  if (line.size() > 510 && !allows(allowed, allowance::long_line))
    return problem(allowance::long_line, "a command line of " + std::to_string(line.size()) +
                                             " bytes; with its CRLF it passes the 512 of RFC 5321 §4.5.3.1.4 "
                                             "(allow \"long-line\" if on purpose)");
  return std::nullopt;
}

std::string leading_verb(std::string_view line) {
  std::string v;
  for (const char c : line) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) break;
    v += static_cast<char>(c >= 'a' ? c - 32 : c);
  }
  return v;
}

bool reply_offers_auth(const std::vector<std::string>& lines) {
  if (lines.empty() || !lines[0].starts_with("250")) return false;
  return std::any_of(lines.begin() + 1, lines.end(), [](const std::string& l) {
    return l.size() > 8 && leading_verb(std::string_view(l).substr(4)) == "AUTH" && (l[8] == ' ' || l[8] == '=');
  });
}

std::uint8_t allowances_for_reply(const std::vector<std::string>& lines) {
  std::uint8_t allowed = 0;
  // Each pass lets one more problem through; there are fewer allowances than passes.
  for (int pass = 0; pass < 8; ++pass) {
    std::optional<line_problem> p;
    for (std::size_t i = 0; i < lines.size() && !p; ++i) p = reply_line_problem(lines[i], i, lines.size(), allowed);
    if (!p) p = mixed_codes_problem(lines, allowed);
    if (!p || !p->allowed_by) break;
    allowed |= static_cast<std::uint8_t>(*p->allowed_by);
  }
  return allowed;
}

}  // namespace ehlo::scenario
