#include <algorithm>
#include <array>

#include "scenario/scenario_names.hpp"

namespace ehlo::scenario {

namespace {

constexpr std::string_view kinds[] = {"S", "C", "message", "bdat", "pipeline", "tls", "pause", "close", "one_of"};
constexpr std::string_view common[] = {"note", "timeout", "optional", "allow"};
constexpr std::string_view faults[] = {"delay", "chunks", "gap", "line_end", "cut", "inject", "stall"};
constexpr std::string_view reply_own[] = {"raw", "code", "status", "text", "offers", "lacks", "capture"};
constexpr std::string_view command_own[] = {"raw", "match", "arg"};
constexpr std::string_view bdat_own[] = {"last"};

template <std::size_t A, std::size_t B>
constexpr std::array<std::string_view, A + B> concat(const std::string_view (&a)[A], const std::string_view (&b)[B]) {
  std::array<std::string_view, A + B> out{};
  std::copy(std::begin(a), std::end(a), out.begin());
  std::copy(std::begin(b), std::end(b), out.begin() + A);
  return out;
}

// Every kind of step a role sends also takes the fault keys (fault_plan).
constexpr auto reply_keys = concat(reply_own, faults);
constexpr auto command_keys = concat(command_own, faults);
constexpr auto bdat_keys = concat(bdat_own, faults);

constexpr auto all_keys = [] {
  std::array<std::string_view, std::size(kinds) + std::size(common) + std::size(faults) + std::size(reply_own) + 2 + 1>
      a{};
  std::size_t n = 0;
  for (const auto k : kinds) a[n++] = k;
  for (const auto k : common) a[n++] = k;
  for (const auto k : reply_own) a[n++] = k;
  for (const auto k : faults) a[n++] = k;
  a[n++] = "match";
  a[n++] = "arg";
  a[n++] = "last";
  return a;
}();

// Indexed by the bit's position in allowance.
constexpr std::string_view allowances[] = {"mixed-codes",      "continuation",          "bad-code",
                                           "auth-not-offered", "no-tls-after-starttls", "tls-without-starttls",
                                           "long-line"};

bool contains(std::span<const std::string_view> set, std::string_view key) {
  return std::find(set.begin(), set.end(), key) != set.end();
}

}  // namespace

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

std::span<const std::string_view> step_kinds() noexcept { return kinds; }
bool is_step_kind(std::string_view key) noexcept { return contains(kinds, key); }

std::span<const std::string_view> keys_of(std::string_view kind) noexcept {
  if (kind == "S") return reply_keys;
  if (kind == "C") return command_keys;
  if (kind == "bdat") return bdat_keys;
  if (kind == "message" || kind == "pipeline") return faults;
  return {};
}

std::span<const std::string_view> fault_keys() noexcept { return faults; }
bool is_fault_key(std::string_view key) noexcept { return contains(faults, key); }

std::span<const std::string_view> common_step_keys() noexcept { return common; }
bool is_common_key(std::string_view key) noexcept { return contains(common, key); }
bool is_known_key(std::string_view key) noexcept { return contains(all_keys, key); }
std::span<const std::string_view> all_step_keys() noexcept { return all_keys; }

std::span<const std::string_view> allowance_names() noexcept { return allowances; }

std::optional<allowance> allowance_of(std::string_view name) noexcept {
  for (std::size_t i = 0; i < std::size(allowances); ++i)
    if (allowances[i] == name) return static_cast<allowance>(1u << i);
  return std::nullopt;
}

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
