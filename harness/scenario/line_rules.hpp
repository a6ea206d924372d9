// The rules one reply or command line of a scenario must follow, and the
// allowance that lets a step break each on purpose. The loader turns a
// problem into an error; the importer, which records what a transcript says,
// turns it into the allowance instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"

namespace ehlo::scenario {

struct line_problem {
  std::optional<allowance> allowed_by;  ///< nullopt: no allowance lets it pass
  std::size_t line = 0;                 ///< which line of a reply
  std::string what;
};

/// Line `index` of a reply of `count` lines: CR or LF inside, length, code, continuation mark.
std::optional<line_problem> reply_line_problem(std::string_view line, std::size_t index, std::size_t count,
                                               std::uint8_t allowed);
/// The lines of one reply carry the same code.
std::optional<line_problem> mixed_codes_problem(const std::vector<std::string>& lines, std::uint8_t allowed);
/// A command line (not raw): CR or LF inside, length.
std::optional<line_problem> command_line_problem(std::string_view line, std::uint8_t allowed);

/// The leading letters of a command line, upper-cased: "EHLO" for "EHLO: x"
/// too, so a quirky command still counts for the checks that follow it.
std::string leading_verb(std::string_view line);

/// Whether a reply to EHLO (its lines, codes included) is a 250 that offers
/// AUTH, in either form ("250-AUTH LOGIN", the pre-standard "250-AUTH=LOGIN").
bool reply_offers_auth(const std::vector<std::string>& lines);

/// The allowances a recorded reply needs to load: every problem of its lines that an allowance lets pass.
std::uint8_t allowances_for_reply(const std::vector<std::string>& lines);

}  // namespace ehlo::scenario
