// Which probes `ehlo check` plays: the probes of the catalog (or the files
// named) for the side checked, narrowed by --probe, --category and --skip,
// in the order of the report (category, then id). Opt-in probes (open relay
// tests and the like) are played only when named by --probe or --category, or
// in a self-test.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace ehlo::check {

struct selection {
  std::vector<std::string> probes{};       ///< --probe ID: only these (they may be opt-in)
  std::vector<std::string> categories{};   ///< --category C: only these (their opt-in probes too)
  std::vector<std::string> skip{};         ///< --skip ID or CATEGORY
  std::vector<std::string> client_uses{};  ///< --client-uses: what the client run does
  /// --self-test: opt-in probes too, unnamed. They are opt-in to spare a real
  /// server (an open relay test sends mail toward a foreign domain); ehlo's own
  /// peer needs no sparing, and a probe nobody has seen fail proves nothing.
  bool opt_in_too = false;
};

/// One file named, as the caller loaded it.
struct candidate {
  std::string id;  ///< the probe's id: its scenario name
  const scenario::scenario* sc = nullptr;
};

struct plan {
  /// Indices into the candidates to play, in report order (category, then id).
  std::vector<std::size_t> play;
  /// Per entry of `play`: why it does not apply to this run ("the client run
  /// does not use starttls (--client-uses)"), or "" to play it.
  std::vector<std::string> not_applicable;
  std::size_t opt_in_left_out = 0;  ///< opt-in probes not named
  /// What --probe, --category or --skip named and no probe is: typos.
  std::vector<std::string> unmatched;
};

/// The probes among `all` that check `side`, selected as `sel` says.
/// Scenarios that are not probes, and probes of the other side, are not
/// candidates at all.
plan select(const std::vector<candidate>& all, scenario::side side, const selection& sel);

/// A line of `ehlo check --list`: "id  category  rules  severity  title", columns padded.
std::vector<std::string> list_lines(const std::vector<candidate>& all, const std::vector<std::size_t>& which);

}  // namespace ehlo::check
