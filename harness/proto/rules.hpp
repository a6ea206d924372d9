// The checkable SMTP rules, each with the id that findings and reports carry.
//
// The rules themselves are written once, in rules.def. A rule is a constant
// with static storage: findings point at it, so the same rule object is the
// same rule everywhere, and comparing findings is cheap.
#pragma once

#include <span>
#include <string_view>

namespace ehlo::proto {

struct rule {
  std::string_view id;       ///< "5321-4.2.1"
  std::string_view section;  ///< where the rule is stated: "RFC 5321 §4.2.1"
  std::string_view summary;  ///< the rule, in one sentence
};

namespace rules {
#define RULE(name, id, section, summary) inline constexpr rule name{id, section, summary};
#include "proto/rules.def"
#undef RULE
}  // namespace rules

/// Every rule, in the order of rules.def, for reports and `ehlo rules`.
std::span<const rule* const> all_rules() noexcept;
/// The rule with this id, or nullptr.
const rule* find_rule(std::string_view id) noexcept;

}  // namespace ehlo::proto
