// The text of S, C, message and bdat steps: bytes with ${...} expansions.
//
//   ${name}                     a variable (vars, --var, or a capture)
//   ${f(arg, 'literal')}        a function of variables and 'quoted' literals
//   $$                          one "$"; a "$" before anything else is itself
//
// A file's templates are parsed when it is loaded (syntax, function names and
// argument counts are checked then) and expanded when a runner plays the step,
// because captures are only known then.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ehlo::scenario {

struct template_arg {
  bool literal = false;  ///< 'quoted' text, or else a variable's name
  std::string text;
  friend bool operator==(const template_arg&, const template_arg&) = default;
};

struct template_part {
  enum class kind : std::uint8_t { literal, variable, call };
  kind what = kind::literal;
  std::string text;  ///< the literal bytes, the variable's name, or the function's name
  std::vector<template_arg> args;
  friend bool operator==(const template_part&, const template_part&) = default;
};

struct template_error {
  std::size_t offset = 0;  ///< into the written text
  std::string what;        ///< empty: no error
  explicit operator bool() const noexcept { return !what.empty(); }
};

/// The parts of `written`, or an error on a bad expansion (unterminated "${",
/// an unknown function, a wrong argument count, hex() of something not hex,
/// domain() or local_part() of a literal without "@", repeat() of a count
/// that is not decimal or too large).
std::vector<template_part> parse_template(std::string_view written, template_error& err);

/// The variables `parts` read, in order (duplicates kept).
std::vector<std::string> variables_read(const std::vector<template_part>& parts);

/// Writes `bytes` as template text that expands back to exactly them: "$"
/// doubled, and bytes that are not UTF-8 as ${hex('..')}.
std::string escape_template(std::string_view bytes);

using variables = std::map<std::string, std::string, std::less<>>;

/// What expansion needs beyond the variables: time and randomness, so tests
/// and --seed runs can fix them.
struct expansion_env {
  const variables* vars = nullptr;
  std::function<std::int64_t()> now;          ///< unix seconds; default: the system clock
  std::function<std::string()> unique_token;  ///< for message_id(); default: random hex
};

/// The bytes `written` stands for. False with `error` set when a variable is
/// not set or a function cannot compute (cram_md5 of a challenge that is not
/// base64, domain() of a value without "@", a repeat() past 16 MiB of text).
bool expand(std::string_view written, const expansion_env& env, std::string& out, std::string& error);

}  // namespace ehlo::scenario
