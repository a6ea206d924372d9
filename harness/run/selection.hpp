// Which inputs `ehlo run` plays (--tag, --skip-tag), and what it was told
// that no input has: a --var no scenario uses, a tag no scenario carries.
// Those are most often typos, which would otherwise pass without a word.
#pragma once

#include <string>
#include <vector>

#include "run/inputs.hpp"
#include "scenario/text_template.hpp"

namespace ehlo::run {

/// Why `sc` is not played: "tagged slow (--skip-tag)" when it has a tag of
/// `skip_tags` (the first it has), else "not tagged smoke" ("not tagged a or
/// b") when `tags` is given and it has none of them; "" when it is played.
std::string skip_reason(const scenario::scenario& sc, const std::vector<std::string>& tags,
                        const std::vector<std::string>& skip_tags);

/// Whether `sc` knows the variable `name`: in "vars", "secrets", or as a
/// capture (the loader makes every ${name} a scenario reads one of these).
bool names_variable(const scenario::scenario& sc, const std::string& name);

/// The options no input matches, over all of `inputs` (those skipped too), as
/// sentences that name the option: "--var passwrd: no scenario uses this
/// variable", "--tag smoke: no scenario has this tag", "--skip-tag slow: no
/// scenario has this tag". In the order the kinds are listed, each kind sorted.
std::vector<std::string> unmatched_options(const std::vector<input>& inputs, const scenario::variables& vars,
                                           const std::vector<std::string>& tags,
                                           const std::vector<std::string>& skip_tags);

}  // namespace ehlo::run
