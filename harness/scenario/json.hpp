// A JSON reader (RFC 8259) that remembers where every value was written.
//
// Scenario files are checked by people: an error must say "x.json:14:9", not
// "byte 312", and a semantic error found long after parsing ("reply code 25 is
// not three digits") must still point at the value. Libraries that build a
// tree (nlohmann::json included) drop positions, hence this small reader.
//
// Strict: UTF-8 only, no comments, no trailing commas, no duplicate keys, no
// lone surrogates. Bounded: nesting depth, string length and value count are
// settings with their own errors, so a hostile file (ten thousand "[", a 1 GB
// string) fails fast in bounded memory. Recursion depth is bounded by the
// nesting limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ehlo::scenario::json {

/// 1-based line and column; columns count characters (UTF-8 sequences), not bytes.
struct position {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

enum class type : std::uint8_t { null, boolean, number, string, array, object };

/// "null", "true or false", ...: for "expected a string, found an array".
std::string_view type_name(type t) noexcept;

struct member;

struct value {
  type kind = type::null;
  position pos;
  bool boolean = false;
  double number = 0;
  std::string text;             ///< a string's value, or a number as written
  std::vector<value> items;     ///< an array's elements
  std::vector<member> members;  ///< an object's members, in file order

  bool is(type t) const noexcept { return kind == t; }
  /// The member named `key`, or nullptr.
  const value* find(std::string_view key) const noexcept;
};

struct member {
  std::string key;
  position key_pos;
  value val;
};

struct settings {
  std::size_t max_depth = 64;
  std::size_t max_string_bytes = 4u << 20;
  std::size_t max_values = 1u << 20;
};

struct parse_error {
  position pos;
  std::string what;
};

/// The document's one value, or nullopt with `err` saying where and what.
std::optional<value> parse(std::string_view text, parse_error& err, const settings& limits = {});

/// Writes `s` as a JSON string literal, quotes included: escapes what JSON
/// requires, and any other control character, as \uXXXX (\r \n \t by name).
void append_quoted(std::string& out, std::string_view s);

}  // namespace ehlo::scenario::json
