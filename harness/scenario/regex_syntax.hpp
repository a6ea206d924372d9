// How every regular expression of a scenario ("text", "arg", "capture") is
// compiled, by the loader that checks it and by the sessions that use it:
// ECMAScript, with ^ and $ matching at the ends of each line of a reply.
//
// A leading "(?i)" makes it ignore case. That is the inline-flag spelling of
// PCRE, Python, Java and RE2; ECMAScript (and so std::regex) has no inline
// flags, so the prefix is taken off and std::regex::icase set instead. Only a
// leading one: the loader refuses "(?i)" anywhere else (see inline_flag_at).
#pragma once

#include <cstddef>
#include <regex>
#include <string_view>

namespace ehlo::scenario {

inline constexpr std::regex::flag_type regex_syntax = std::regex::ECMAScript | std::regex::multiline;

/// The prefix that makes a scenario regex ignore case.
inline constexpr std::string_view ignore_case_prefix = "(?i)";

/// What std::regex compiles for a scenario regex: the pattern without a
/// leading "(?i)", and the flags (icase added when it had one).
struct regex_parts {
  std::string_view pattern;
  std::regex::flag_type flags = regex_syntax;
};

inline regex_parts split_regex(std::string_view s) noexcept {
  if (s.starts_with(ignore_case_prefix)) return {s.substr(ignore_case_prefix.size()), regex_syntax | std::regex::icase};
  return {s, regex_syntax};
}

/// Compiles a scenario regex; throws std::regex_error as std::regex does.
inline std::regex make_regex(std::string_view s) {
  const auto parts = split_regex(s);
  return std::regex(parts.pattern.data(), parts.pattern.size(), parts.flags);
}

/// Where `pattern` (already without its leading "(?i)") has a group opening
/// "(?" that ECMAScript lacks: an inline flag such as "(?i)" in the middle,
/// or "(?<" (named groups, lookbehind). Only "(?:", "(?=" and "(?!" are
/// ECMAScript's. npos when there is none; escapes and bracket expressions are
/// skipped, where "(?" is literal.
inline std::size_t inline_flag_at(std::string_view pattern) noexcept {
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(' && i + 1 < pattern.size() && pattern[i + 1] == '?') {
      const char next = i + 2 < pattern.size() ? pattern[i + 2] : '\0';
      if (next != ':' && next != '=' && next != '!') return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace ehlo::scenario
