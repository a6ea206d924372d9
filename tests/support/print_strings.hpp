// Lets doctest print a vector of strings (transcript lines, findings) when a CHECK fails.
#pragma once

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& lines) {
    std::ostringstream os;
    for (const auto& l : lines) os << "\n  \"" << l << '"';
    return os.str().c_str();
  }
};
}  // namespace doctest
