// The shape of what a campaign plays. A seed scenario checks its peer step by
// step, and a mutated conversation would fail at its first surprise and stop
// sending: so before mutation, the steps of the peer are made to take
// whatever the peer does (campaign_form): a reply of any code, any command.
// What the peer does is judged afterwards, by the oracles (oracle.hpp), from
// what the conversation left.
//
// Every scenario a campaign plays or writes goes through settle(): printed and
// read back by the loader, so what runs is exactly what a finding's file
// holds, and `ehlo run` replays it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "scenario/scenario.hpp"

namespace ehlo::campaign {

struct form_settings {
  /// The wait for each step of the peer (the scenario's "timeout"): a reply
  /// due that has not come by then is a hang (oracle.hpp).
  scenario::duration reply_wait{1000};
};

/// `sc` as a campaign plays it when ehlo plays `plays`: each top-level step of
/// the peer accepts anything (a reply: any code, no text, status, offers or
/// lacks, but for STARTTLS's before a TLS start: any 2xx; a command: any), the peer's waits are form_settings::reply_wait,
/// attachments read from `folder` are written inline (so the case stands on
/// its own in a corpus folder), and what only self-play reads ("outcome",
/// "findings") is dropped. Alternatives (one_of) stay as they are: they are a
/// probe's questions. nullopt with `why` when an attachment cannot be read.
std::optional<scenario::scenario> campaign_form(scenario::scenario sc, scenario::side plays,
                                                const std::filesystem::path& folder, const form_settings& s,
                                                std::string& why);

/// A scenario made in code as the loader loads it: printed, read back and
/// checked. A problem the loader lets pass with an allowance ("allow
/// \"long-line\" if on purpose") gets the allowance on its step and the check
/// runs again; nullopt (with the loader's first complaint in `why`) when it
/// still does not load.
std::optional<scenario::scenario> settle(const scenario::scenario& sc, std::string* why = nullptr);

/// A reply step that takes any reply ("code": "xxx"); `line` is what it shows.
scenario::step any_reply(std::string line = "250 (any reply)");
/// The reply to STARTTLS before a TLS start: any 2xx ("code": "2xx"). A
/// refusal ends the case there, rather than a handshake the server does not
/// answer ending it a whole wait later.
scenario::step starttls_reply();
/// A command step that takes any command.
scenario::step any_command();

}  // namespace ehlo::campaign
