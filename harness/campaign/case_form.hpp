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
/// lacks, but for STARTTLS's before a TLS start: any 2xx; a command: any), the peer's waits are
/// form_settings::reply_wait, attachments read from `folder` are written inline (so the case stands on its own in a
/// corpus folder), and what only self-play reads ("outcome", "findings") is dropped. Alternatives (one_of) stay as they
/// are: they are a probe's questions. nullopt with `why` when an attachment cannot be read.
std::optional<scenario::scenario> campaign_form(scenario::scenario sc, scenario::side plays,
                                                const std::filesystem::path& folder, const form_settings& s,
                                                std::string& why);

/// Where a probe's question begins: its first one_of, or its first raw step
/// of the role that `plays`; sc.steps.size() when `sc` is no probe.
std::size_t question_at(const scenario::scenario& sc, scenario::side plays);
/// The first step a mutation leaves as it is: a probe's question with its
/// gate, the last of the peer's steps before it (the reply to DATA before a
/// smuggling probe's message). The gate keeps the probe's own expectation
/// (campaign_form leaves it as written), so a case asks the question only in
/// the state the probe asks it in. sc.steps.size() when `sc` is no probe.
std::size_t guarded_from(const scenario::scenario& sc, scenario::side plays);
/// Whether a probe's question is behind its gate: the last of the peer's
/// steps before it keeps an expectation of its own (not "any"), or there is
/// none. A case that lost its gate (to the minimizer, to a splice) is judged
/// by no probe: its question is no longer asked where the probe asks it (a
/// "2xx at once" to a look-alike sent after the greeting is no verdict).
bool gated(const scenario::scenario& sc, scenario::side plays);

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
