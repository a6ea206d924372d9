#include <algorithm>
#include <array>

#include "scenario/scenario_names.hpp"

namespace ehlo::scenario {

namespace {

constexpr std::string_view kinds[] = {"S", "C", "message", "bdat", "pipeline", "tls", "pause", "close", "one_of"};
constexpr std::string_view common[] = {"note", "timeout", "optional", "allow"};
constexpr std::string_view reply_keys[] = {"raw", "code", "status", "text", "offers", "lacks", "capture"};
constexpr std::string_view command_keys[] = {"raw", "match", "arg"};
constexpr std::string_view bdat_keys[] = {"last"};

constexpr auto all_keys = [] {
  std::array<std::string_view, std::size(kinds) + std::size(common) + std::size(reply_keys) + 2 + 1> a{};
  std::size_t n = 0;
  for (const auto k : kinds) a[n++] = k;
  for (const auto k : common) a[n++] = k;
  for (const auto k : reply_keys) a[n++] = k;
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

std::span<const std::string_view> step_kinds() noexcept { return kinds; }
bool is_step_kind(std::string_view key) noexcept { return contains(kinds, key); }

std::span<const std::string_view> keys_of(std::string_view kind) noexcept {
  if (kind == "S") return reply_keys;
  if (kind == "C") return command_keys;
  if (kind == "bdat") return bdat_keys;
  return {};
}

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
