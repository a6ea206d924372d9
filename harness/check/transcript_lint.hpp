// Checks a captured conversation against the SMTP rules, from both sides.
//
// Each server step goes through the reply parser and each client line through
// the command parser, both with every leniency on: a capture is evidence to
// be read to the end, not a peer to be refused. The parsers' findings come
// back with the transcript's line numbers, and the conversation itself,
// followed by proto::conversation (the model the sessions share), is
// checked: the reply each command got (RFC 5321 §4.3.2), AUTH where the EHLO
// reply offered none (RFC 4954), challenges that are not base64, the command
// after STARTTLS (RFC 3207), commands pipelined without PIPELINING (RFC 2920).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "proto/rules.hpp"
#include "scenario/transcript.hpp"

namespace ehlo::check {

struct lint_finding {
  std::size_t line = 0;  ///< 1-based line of the transcript
  const proto::rule* broken = nullptr;
  std::string what;  ///< what is wrong, quoting what was seen
};

std::vector<lint_finding> lint_transcript(std::span<const scenario::transcript_step> steps);

}  // namespace ehlo::check
