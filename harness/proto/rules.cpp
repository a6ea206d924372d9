#include "proto/rules.hpp"

#include <array>

namespace ehlo::proto {

namespace {
constexpr std::array table{
#define RULE(name, id, section, summary) &rules::name,
#include "proto/rules.def"
#undef RULE
};
}  // namespace

std::span<const rule* const> all_rules() noexcept { return table; }

const rule* find_rule(std::string_view id) noexcept {
  for (const rule* r : table)
    if (r->id == id) return r;
  return nullptr;
}

}  // namespace ehlo::proto
