// The message part of a scenario: the steps `ehlo load --messages-per-session
// M` plays M times in one session, as smtp-source -m with -d sends message
// after message over one connection.
//
// It is found, not marked: the top-level steps from the first one that sends
// MAIL (a C step, or a pipeline whose first command is MAIL) to the first
// reply after the end of that message's data (a "message" step, a "bdat" step
// with "last", or a C step "." after DATA), both included. So EHLO, STARTTLS
// and AUTH before it are played once, and QUIT after it once, and a scenario
// written for one message needs no change. Steps inside a "one_of" are not
// looked into: a part must begin and end at the top level. A step the client
// sends between the message and its reply (QUIT pipelined behind it) would be
// repeated with it: such a scenario has no part to repeat.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "scenario/scenario.hpp"

namespace ehlo::load {

/// The top-level steps [first, end).
struct message_part {
  std::size_t first = 0;
  std::size_t end = 0;
  friend bool operator==(const message_part&, const message_part&) = default;
};

/// The first message part of `sc`; unset, with `why` ("no step sends MAIL"),
/// when it has none.
std::optional<message_part> find_message_part(const scenario::scenario& sc, std::string& why);

}  // namespace ehlo::load
