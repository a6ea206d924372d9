// A captured transcript as a scenario: `ehlo import`, and `ehlo run` given a
// transcript where a scenario was expected.
//
// The import records; it corrects nothing. Commands and replies stay as the
// capture shows them, quirks included ("EHLO: x", "RCPR TO:", a 234 to DATA);
// what would not load as written gets the allowance that lets it ("continuation"
// for an EHLO reply the capture cut off, "auth-not-offered" for an AUTH the
// server never offered). A STARTTLS answered 2xx becomes the switch to TLS.
// "$" is doubled and bytes that are not UTF-8 become ${hex('..')}, so every
// step sends exactly the bytes the capture shows.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"
#include "scenario/scenario_load.hpp"
#include "scenario/transcript.hpp"
#include "scenario/transcript_formats.hpp"

namespace ehlo::scenario {

/// The scenario of `steps`; `step_lines`, when given, gets the transcript line
/// each scenario step came from (a TLS step: its STARTTLS's 220 reply).
scenario import_transcript(std::span<const transcript_step> steps, std::string name, std::string description,
                           std::vector<std::size_t>* step_lines = nullptr);

struct import_settings {
  transcript_limits limits;
  load_settings load;  ///< what the scenario must pass: `ehlo validate`'s checks
};

struct imported {
  scenario sc;           ///< as loaded back from `json`
  std::string json;      ///< the scenario file: what `ehlo import` prints
  transcript_error err;  ///< the transcript's line, and why there is no scenario
};

/// `ehlo import` and `ehlo run` of a transcript: reads `text` in format `f`,
/// imports it, writes the scenario's JSON and loads it back with the checks
/// of `ehlo validate`. So what it gives is a scenario `ehlo validate` accepts,
/// or an error at a line of the transcript saying why there is none: a limit
/// of the transcript's, a line a scenario cannot hold (a CR inside it), no
/// conversation at all, a scenario bigger than a scenario file may be, or what
/// the loader says of the step that line became.
imported import_transcript_text(std::string_view text, transcript_format f, std::string name, std::string description,
                                const import_settings& settings = {});

/// A scenario name made from a file name: "swaks-tls.txt" -> "swaks-tls".
std::string name_from_file(std::string_view file_name);

}  // namespace ehlo::scenario
