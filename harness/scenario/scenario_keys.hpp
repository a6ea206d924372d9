// The table of scenario keys (scenario_keys.def): every key of the format,
// where it may appear, its value, whether it is required, and its description.
// The loader reads keys through it, the printer writes them in its order, and
// `ehlo schema` makes the JSON Schema from it, so a key is added in one place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace ehlo::scenario::keys {

/// Where a key may appear: a bit per object a key can go in.
namespace at {
enum : std::uint32_t {
  file = 1u << 0,
  // The kinds of steps, in the order of step::kind.
  S = 1u << 1,
  C = 1u << 2,
  message = 1u << 3,
  bdat = 1u << 4,
  pipeline = 1u << 5,
  tls = 1u << 6,
  pause = 1u << 7,
  close = 1u << 8,
  one_of = 1u << 9,
  silent = 1u << 10,
  // Objects inside values.
  built_message = 1u << 11,  ///< {"message": {...}}
  attachment = 1u << 12,     ///< an element of "attachments"
  pipelined = 1u << 13,      ///< an object element of "pipeline"
  probe = 1u << 14,          ///< "probe"
  verdict = 1u << 15,        ///< "verdict" written as an object
  probe_exit = 1u << 16,     ///< the probe's "exit"
};
inline constexpr std::uint32_t every_step = S | C | message | bdat | pipeline | tls | pause | close | one_of | silent;
/// The steps a role sends: they take the fault keys (fault_plan).
inline constexpr std::uint32_t sent = S | C | message | bdat | pipeline;
/// The steps a probe's verdict can mark: what one side sends, as the other side sees it.
inline constexpr std::uint32_t judged = S | C | close | silent;
}  // namespace at

enum class need : std::uint8_t {
  optional,
  required,
  kind,  ///< the key that makes a step this kind; required where its object is not a step
};

enum class id : std::uint16_t {
#define KEY(id, where, name, need, value, schema, description) id,
#include "scenario/scenario_keys.def"
};
inline constexpr std::size_t count = 0
#define KEY(id, where, name, need, value, schema, description) +1
#include "scenario/scenario_keys.def"
    ;

struct key {
  keys::id id;
  std::string_view ident;  ///< the id as written in the table: "fault_delay"
  std::string_view name;
  std::uint32_t where;
  keys::need need;
  std::string_view value;   ///< JSON type or value words, as scenarios/README.md writes them
  std::string_view schema;  ///< JSON Schema members after "description"
  std::string_view description;
  bool at(std::uint32_t place) const noexcept { return (where & place) != 0; }
};

inline constexpr key table[] = {
#define KEY(id_, where, name, need_, value, schema, description) \
  {id::id_, #id_, name, where, need::need_, value, schema, description},
#include "scenario/scenario_keys.def"
};
static_assert(std::size(table) == count);

inline constexpr const key& of(id i) noexcept { return table[static_cast<std::size_t>(i)]; }

/// An object keys go in: its name under the schema's $defs, and what relates its keys.
struct place {
  std::uint32_t bit;
  std::string_view def;
  std::string_view description;
  std::string_view extra;  ///< JSON Schema members relating its keys; may be empty
};
inline constexpr place places[] = {
#define PLACE(bit, def, description, extra) {bit, def, description, extra},
#include "scenario/scenario_keys.def"
};

/// A value type under the schema's $defs.
struct type {
  std::string_view def;
  std::string_view schema;
  std::string_view description;
};
inline constexpr type types[] = {
#define TYPE(def, schema, description) {def, schema, description},
#include "scenario/scenario_keys.def"
};

struct allowance_name {
  ehlo::scenario::allowance bit;
  std::string_view name;
  std::string_view description;  ///< what it lets a step do
};
inline constexpr allowance_name allowances[] = {
#define ALLOWANCE(enumerator, name, description) {ehlo::scenario::allowance::enumerator, name, description},
#include "scenario/scenario_keys.def"
};

/// The kind a step's key names ("S", "silent"), or nullptr.
const key* step_kind(std::string_view name) noexcept;
/// The key `name` at `place`, or nullptr.
const key* find(std::string_view name, std::uint32_t place) noexcept;
/// Whether some kind of step takes `name` (so a misplaced key is told apart from a misspelt one).
bool is_step_key(std::string_view name) noexcept;
/// The at:: bit of a step of this kind.
std::uint32_t place_of(const step::kind& k) noexcept;

/// The verdict words, indexed by verdict_kind: "conforms", "violates", ...
inline constexpr std::string_view verdict_words[] = {"conforms", "violates", "exploitable", "inconclusive",
                                                     "not-applicable"};
/// The severity words, indexed by severity: "must", "should", "lenient", "pedantic".
inline constexpr std::string_view severity_words[] = {"must", "should", "lenient", "pedantic"};
/// What "client_uses" takes.
inline constexpr std::string_view client_use_words[] = {"starttls", "auth", "require-tls"};

std::optional<allowance> allowance_of(std::string_view name) noexcept;
std::string_view name_of(allowance a) noexcept;

/// The JSON Schema of the format (scenarios/scenario.schema.json), made from the table.
std::string json_schema();

}  // namespace ehlo::scenario::keys
