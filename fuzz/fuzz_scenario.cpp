// dictionary: scenario.dict
//
// Scenario loading: the JSON reader, the loader and its static checks.
// Properties:
//  (a) any bytes end in a scenario or in errors, in bounded time and memory,
//      every error with a position inside the text;
//  (b) round trip: a scenario that loads prints as JSON that loads back to
//      the same scenario, and prints the same again.
//
// Input: the text of a scenario file. Limits are small, so that hostile
// shapes (deep nesting, long strings, many steps) reach them quickly.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hpp"
#include "scenario/scenario_load.hpp"
#include "scenario/scenario_print.hpp"

namespace {

EHLO_FUZZ_HARNESS std::size_t lines_of(std::string_view text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ehlo::scenario::load_settings settings;
  settings.json.max_depth = 24;
  settings.json.max_string_bytes = 4096;
  settings.json.max_values = 4096;
  settings.max_steps = 256;
  settings.max_errors = 16;

  const auto first = ehlo::scenario::load_scenario(text, settings);
  const std::size_t lines = lines_of(text);
  for (const auto& d : first.errors) {
    FUZZ_CHECK(d.pos.line >= 1 && d.pos.line <= lines);
    FUZZ_CHECK(d.pos.column >= 1 && d.pos.column <= size + 1);
    FUZZ_CHECK(!d.what.empty());
  }
  FUZZ_CHECK(first.errors.size() <= settings.max_errors + 1);
  if (!first.ok()) return 0;

  const std::string printed = ehlo::scenario::to_json(first.sc);
  settings.json.max_string_bytes = 1u << 20;  // printing escapes, so strings may grow
  settings.json.max_values = 1u << 20;
  const auto second = ehlo::scenario::load_scenario(printed, settings);
  FUZZ_CHECK(second.ok());
  FUZZ_CHECK(second.sc == first.sc);
  FUZZ_CHECK(ehlo::scenario::to_json(second.sc) == printed);
  return 0;
}
