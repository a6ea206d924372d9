#include "scenario/scenario.hpp"

#include <algorithm>

namespace ehlo::scenario {

bool code_pattern::matches(int code) const noexcept {
  if (code < 0 || code > 999) return false;
  const char digits[3] = {static_cast<char>('0' + code / 100), static_cast<char>('0' + code / 10 % 10),
                          static_cast<char>('0' + code % 10)};
  for (int i = 0; i < 3; ++i)
    if (c[i] != 'x' && c[i] != digits[i]) return false;
  return true;
}

namespace {

bool uses_seed(const std::vector<step>& steps) noexcept {
  return std::any_of(steps.begin(), steps.end(), [](const step& s) {
    if (s.fault.random()) return true;
    const auto* o = std::get_if<one_of_step>(&s.what);
    return o != nullptr &&
           std::any_of(o->branches.begin(), o->branches.end(), [](const auto& b) { return uses_seed(b); });
  });
}

}  // namespace

bool uses_seed(const scenario& sc) noexcept { return uses_seed(sc.steps); }

bool parse_code_pattern(std::string_view s, code_pattern& out) noexcept {
  if (s.size() != 3) return false;
  for (int i = 0; i < 3; ++i) {
    if (s[i] != 'x' && (s[i] < '0' || s[i] > '9')) return false;
    out.c[i] = s[i];
  }
  return true;
}

std::string to_string(const code_pattern& c) { return std::string(c.c, 3); }

}  // namespace ehlo::scenario
