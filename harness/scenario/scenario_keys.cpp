#include "scenario/scenario_keys.hpp"

#include <algorithm>

namespace ehlo::scenario::keys {

const key* find(std::string_view name, std::uint32_t place) noexcept {
  const auto* k =
      std::find_if(std::begin(table), std::end(table), [&](const key& e) { return e.at(place) && e.name == name; });
  return k == std::end(table) ? nullptr : k;
}

const key* step_kind(std::string_view name) noexcept {
  const key* k = find(name, at::every_step);
  return k != nullptr && k->need == need::kind ? k : nullptr;
}

bool is_step_key(std::string_view name) noexcept { return find(name, at::every_step) != nullptr; }

std::uint32_t place_of(const step::kind& k) noexcept {
  static_assert(std::variant_size_v<step::kind> == 10 && at::S == 2 && at::silent == 1u << 10,
                "the at:: bits of the kinds follow the order of step::kind");
  return 1u << (k.index() + 1);
}

std::optional<allowance> allowance_of(std::string_view name) noexcept {
  for (const auto& a : allowances)
    if (a.name == name) return a.bit;
  return std::nullopt;
}

std::string_view name_of(allowance a) noexcept {
  for (const auto& n : allowances)
    if (n.bit == a) return n.name;
  return {};
}

}  // namespace ehlo::scenario::keys
