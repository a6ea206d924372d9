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

#include <span>
#include <string>

#include "scenario/scenario.hpp"
#include "scenario/transcript.hpp"

namespace ehlo::scenario {

scenario import_transcript(std::span<const transcript_step> steps, std::string name, std::string description);

/// A scenario name made from a file name: "swaks-tls.txt" -> "swaks-tls".
std::string name_from_file(std::string_view file_name);

}  // namespace ehlo::scenario
