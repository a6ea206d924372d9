// The words of the file format in one place: step kinds, the keys each kind
// takes, allowances, code patterns. The loader, the printer and the JSON
// Schema test read them from here.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace ehlo::scenario {

/// "S", "C", "message", "bdat", "pipeline", "tls", "pause", "close", "one_of".
std::span<const std::string_view> step_kinds() noexcept;
bool is_step_kind(std::string_view key) noexcept;
/// The keys a step of `kind` takes besides its kind key and the common ones.
std::span<const std::string_view> keys_of(std::string_view kind) noexcept;
/// "delay", "chunks", "gap", "line_end", "cut", "inject", "stall": the keys
/// of a fault_plan, taken by every kind of step a role sends.
std::span<const std::string_view> fault_keys() noexcept;
bool is_fault_key(std::string_view key) noexcept;
/// "note", "timeout", "optional", "allow": keys every step takes.
std::span<const std::string_view> common_step_keys() noexcept;
bool is_common_key(std::string_view key) noexcept;
/// Whether some kind of step takes `key` (so a misplaced key is told apart from a misspelt one).
bool is_known_key(std::string_view key) noexcept;
/// Every key a step can hold: kinds, their keys and the common ones.
std::span<const std::string_view> all_step_keys() noexcept;

/// "mixed-codes", "continuation", ... in the order of the allowance bits.
std::span<const std::string_view> allowance_names() noexcept;
std::optional<allowance> allowance_of(std::string_view name) noexcept;

/// "250", "2xx", "25x": three of 0-9 or 'x'.
bool parse_code_pattern(std::string_view s, code_pattern& out) noexcept;
std::string to_string(const code_pattern& c);

}  // namespace ehlo::scenario
