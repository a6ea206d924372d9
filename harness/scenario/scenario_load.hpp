// Loading a scenario file: JSON in, the model out, and every error a person
// can act on, each with the file's line and column and the JSON pointer of the
// value ("steps/3/S: reply code \"25\" is not three digits").
//
// Loading checks everything that can be known without running: the syntax,
// the keys and their types, reply and command lines, regular expressions,
// durations, ${...} expansions, and the flow of the conversation (a variable
// used but never set, a capture never used, AUTH after an EHLO reply that
// offered none, STARTTLS answered 220 with no TLS step after it). It never
// throws and stays bounded on any input (see json.hpp and the settings).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/json.hpp"
#include "scenario/scenario.hpp"

namespace ehlo::scenario {

struct diagnostic {
  json::position pos;
  std::string pointer;  ///< "steps/3/S"; empty for the document as a whole
  std::string what;
};

/// "x.json:14:9: steps/3/S: reply code \"25\" is not three digits". The
/// pointer and the message are cut at these many bytes ("..." after a cut):
/// a pointer holds the file's keys, of any length. Neither is escaped for a
/// terminal: the caller does that (report/printable.hpp).
inline constexpr std::size_t max_pointer_shown = 200;
inline constexpr std::size_t max_what_shown = 1000;
std::string to_string(std::string_view file, const diagnostic& d);

struct load_settings {
  json::settings json;
  std::size_t max_file_bytes = 16u << 20;
  std::size_t max_steps = 100'000;  ///< over the whole file, alternatives included
  std::size_t max_errors = 50;      ///< then one more saying how many were left out
  std::size_t max_regex_bytes = 1024;
  /// The most RE2 instructions a regular expression may compile to. RE2's time
  /// is linear in the text, but at worst (its NFA, when the DFA gives up, and
  /// for a capture's group) also in the program: 10-20 ns of CPU per
  /// instruction and byte on this project's machine. The worst built within
  /// this limit, a capture "(?s)(.*a){248}" (996 instructions) over a 64 KiB
  /// reply (session settings' max_regex_subject), took 1.3 s of CPU; ordinary
  /// patterns compile to tens of instructions and take microseconds. A counted
  /// repetition x{n} compiles x n times, and "." is two ([^\n] in bytes):
  /// ".{500}" is over the limit.
  std::size_t max_regex_program = 1000;
  /// Where attachment files are looked for; empty: not checked.
  std::filesystem::path folder;
};

struct loaded {
  scenario sc;
  std::vector<diagnostic> errors;
  bool ok() const noexcept { return errors.empty(); }
};

/// Loads and checks the text of a scenario file.
loaded load_scenario(std::string_view text, const load_settings& settings = {});

/// Reads `file` (refusing one larger than the limit before reading it) and
/// loads it; attachments are looked for beside it.
loaded load_scenario_file(const std::filesystem::path& file, load_settings settings = {});

/// The static checks of the conversation's flow, on a scenario that loaded
/// without structural errors (load_scenario runs them; exposed for scenarios
/// made in code, such as imported transcripts).
void check_flow(const scenario& sc, const load_settings& settings, std::vector<diagnostic>& errors);

}  // namespace ehlo::scenario
