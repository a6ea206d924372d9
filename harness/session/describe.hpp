// How failure messages show what was expected and what came: bounded, with
// control bytes escaped, so a hostile peer can neither flood a report nor
// write escape sequences into a terminal.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace ehlo::session {

/// At most `max` bytes of `bytes`, CR LF TAB and other controls as \r \n \t
/// \xNN, then "..." if cut. Not quoted.
std::string printable(std::string_view bytes, std::size_t max = 200);
/// printable() in double quotes (a quote or backslash inside escaped).
std::string quote(std::string_view bytes, std::size_t max = 200);
/// What a failure shows of a unit a parser could not read: `unit` holds its
/// bytes up to where the parser decided, which do not depend on how reads were
/// cut. Quoted whole when it fits in `max`; else from `from` (the offending
/// line, or the last `max` bytes) after "... ", cut at `max`.
std::string excerpt(std::string_view unit, std::size_t from, std::size_t max = 200);
/// "10s", "250ms", "1.5s", "2m".
std::string to_string(scenario::duration d);
/// A reply's lines as one line: "250-a / 250-b / 250 c", bounded.
std::string lines_joined(std::span<const std::string> lines, std::size_t max = 300);
/// How a step is sent under its fault plan, for a transcript note:
/// "after 2s, a byte per write, LF line ends, the first 5 bytes and then the close".
std::string describe(const scenario::fault_plan& f);
/// "250", "250 or 251", "2xx".
std::string codes_text(std::span<const scenario::code_pattern> codes);

}  // namespace ehlo::session
