// Writes a scenario as the JSON text of its file, laid out like a transcript:
// a step per line, the lines of a multi-line reply under each other. Loading
// the text gives the same scenario back (positions aside).
#pragma once

#include <string>

#include "scenario/scenario.hpp"

namespace ehlo::scenario {

std::string to_json(const scenario& sc);

/// "250ms", "2s", "1m": the shortest exact form.
std::string to_string(duration d);

}  // namespace ehlo::scenario
