// Lets doctest print a vector of transcript steps when a CHECK fails.
#pragma once

#include <doctest/doctest.h>

#include <sstream>
#include <vector>

#include "scenario/transcript.hpp"

namespace doctest {
template <>
struct StringMaker<std::vector<ehlo::scenario::transcript_step>> {
  static String convert(const std::vector<ehlo::scenario::transcript_step>& steps) {
    std::ostringstream os;
    for (const auto& s : steps) os << "\n  " << s;
    return os.str().c_str();
  }
};
}  // namespace doctest
