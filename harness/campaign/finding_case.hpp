// A finding's scenario: the edits the minimizer tries (fewer steps, fewer
// bytes of a step) and the file a finding is written as. Each result is
// settled (case_form.hpp): it loads, so `ehlo run --target` replays it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "campaign/oracle.hpp"
#include "scenario/scenario.hpp"

namespace ehlo::campaign {

/// `sc` with only its top-level steps at `keep` (indices, in order).
std::optional<scenario::scenario> keep_steps(const scenario::scenario& sc, const std::vector<std::size_t>& keep);

/// What the minimizer removes: units, as the mutator has them. The peer's
/// steps before ehlo's first (the greeting) stay; each unit after them is a
/// step ehlo sends with the peer's steps that follow it (or a step of both
/// sides: a TLS start, a pause, alternatives), so that what is left still
/// expects each reply after the command it answers.
struct units {
  std::size_t fixed = 0;                                ///< the leading steps kept
  std::vector<std::pair<std::size_t, std::size_t>> of;  ///< [from, to) of each unit
};
units units_of(const scenario::scenario& sc, scenario::side plays);
/// `sc` with its fixed steps and the units at `keep` (indices into u.of, in order).
std::optional<scenario::scenario> keep_units(const scenario::scenario& sc, const units& u,
                                             const std::vector<std::size_t>& keep);

/// `sc` up to and with the top-level step `pointer` names ("steps/7"; one
/// nested in it counts as it): what came after a crash is not needed to
/// reproduce it. nullopt when the pointer names no step.
std::optional<scenario::scenario> up_to(const scenario::scenario& sc, std::string_view pointer);

/// The top-level steps the byte pass shrinks: the commands (a line, or raw
/// bytes) ehlo sends when it plays the client, the replies' first lines when
/// it plays the server.
std::vector<std::size_t> shrinkable_steps(const scenario::scenario& sc, scenario::side plays);
/// The text the byte pass shrinks of step `i`, and the scenario with it
/// replaced by the bytes at `keep` (indices into that text).
std::string shrinkable_text(const scenario::scenario& sc, std::size_t i);
std::optional<scenario::scenario> with_text(const scenario::scenario& sc, std::size_t i,
                                            const std::vector<std::size_t>& keep);

/// What a finding's file says of where it came from.
struct finding_origin {
  std::uint64_t campaign_seed = 0;
  std::uint64_t case_number = 0;
  std::string parent;  ///< the corpus entry mutated
  std::vector<std::string> mutations;
  std::string state;             ///< the state it was found in (dedup)
  std::size_t steps_before = 0;  ///< of the case, before minimizing
  std::string replay;            ///< how to replay it: "ehlo run --target 127.0.0.1:2525 THIS-FILE"
  std::size_t serial = 0;        ///< the finding's number in the campaign
};

/// The scenario a finding is written as: named fuzz-ORACLE-RULE-N, tagged
/// "fuzz-finding" and the oracle, its description naming the oracle, the
/// rule, the state, the seed and how to replay it. A conformance finding is
/// the probe with only its conforming branches (one left: it stands in their
/// place), without its "probe" and "verdict" keys: a scenario that passes
/// against a server that conforms and fails where this one violated.
std::optional<scenario::scenario> finding_scenario(scenario::scenario sc, const fuzz_finding& f,
                                                   const finding_origin& o);

/// "exit-3", "5321-4-3-2": a rule as it goes into a name.
std::string slug(std::string_view text);

}  // namespace ehlo::campaign
