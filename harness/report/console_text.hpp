// What the console reports (console.hpp for `ehlo run`, check_console.hpp for
// `ehlo check`) share: the colours, counted nouns, a text cut into lines, and
// the tail of a transcript. Everything taken from a session is made printable
// (printable.hpp) and cut when long.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ehlo::report::console_text {

inline constexpr std::string_view reset = "\x1b[0m";
inline constexpr std::string_view bold = "\x1b[1m";
inline constexpr std::string_view green = "\x1b[32m";
inline constexpr std::string_view red = "\x1b[1;31m";
inline constexpr std::string_view magenta = "\x1b[1;35m";
inline constexpr std::string_view yellow = "\x1b[33m";
inline constexpr std::string_view dim = "\x1b[2m";

/// At most this many bytes of one line of a field or of a transcript: a peer's line may be 32 KB.
inline constexpr std::size_t max_line_shown = 1000;

/// `text`, between `colour` and a reset when `on` (and `colour` is not empty).
void append_coloured(std::string& out, std::string_view text, std::string_view colour, bool on);

/// "1 finding", "3 findings".
std::string plural(std::size_t n, std::string_view one, std::string_view many);

/// The lines of `text`, without their LF and one CR before it; no empty last line.
std::vector<std::string_view> lines_of(std::string_view text);

/// `text` on one line: printable, each LF shown as "␊" (and a CR before it
/// dropped), at most `max` bytes of it then "...".
void append_one_line(std::string& out, std::string_view text, std::size_t max = max_line_shown);

/// How many columns `text` takes on a terminal, counting a code point as one
/// (what append_printable leaves is UTF-8 without controls).
std::size_t columns(std::string_view text) noexcept;

/// "transcript:" (or "transcript, last 8 of 15 lines:") after `indent`, then
/// the last `keep` lines of `transcript`, each after `indent` and two spaces.
/// Nothing when `keep` is 0 or the transcript is empty.
void append_transcript_tail(std::string& out, std::string_view transcript, std::size_t keep, std::string_view indent);

}  // namespace ehlo::report::console_text
