// How every regular expression of a scenario ("text", "arg", "capture") is
// compiled, by the loader that checks it and by the sessions that use it:
// ECMAScript, with ^ and $ matching at the ends of each line of a reply.
#pragma once

#include <regex>

namespace ehlo::scenario {

inline constexpr std::regex::flag_type regex_syntax = std::regex::ECMAScript | std::regex::multiline;

}  // namespace ehlo::scenario
