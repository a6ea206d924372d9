// One scenario into another: the mutations of a fuzzing campaign, on the
// side ehlo sends (the client's steps against a server, the server's replies
// against a client), never on the bytes of the file. Deterministic: the same
// parent and seed give the same mutant on every platform (splitmix64, as the
// sessions draw fault sizes), so a campaign repeats from its --seed.
//
// Against a server (ehlo plays the client), a unit is a step ehlo sends
// (command, pipeline, message, BDAT chunk) with the replies that follow it;
// units are inserted, deleted, duplicated, swapped and grouped into pipelines;
// a command's verb, parameters, argument lengths, bytes, encodings and case
// change, with words from the dictionary (dictionary.hpp); its line end
// becomes a bare LF, a bare CR or one with a NUL; its bytes are split into
// writes (the fault keys); STARTTLS and AUTH go in anywhere; message content
// gets end-of-data look-alikes (and commands smuggled after them), long lines,
// 8-bit bytes and nested MIME; BDAT chunks change size and LAST.
// Against a client (ehlo plays the server), replies change: codes,
// continuation shapes, lengths, lines and keywords of the EHLO reply,
// enhanced status codes, injected lines, the fault keys; replies are inserted,
// deleted and duplicated.
//
// A probe's question (its steps from the first one_of, or the first raw
// step, on) keeps its bytes: only how they are split into writes changes, so
// a conformance verdict on a mutant is the probe's, not the mutation's.
//
// Every mutant is settled (case_form.hpp): it loads as a file, so a finding
// replays with `ehlo run`. One that would not is mutated again, at most
// mutator_settings::tries times, then given up (nullopt).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "campaign/dictionary.hpp"
#include "scenario/scenario.hpp"

namespace ehlo::campaign {

struct mutator_settings {
  std::size_t max_steps = 200;        ///< top-level steps of a mutant
  std::size_t max_text = 64 * 1024;   ///< bytes of a step's text that a mutation grows it to
  unsigned max_stack = 4;             ///< havoc: 1 to this many mutations in one mutant
  unsigned tries = 8;                 ///< mutants tried before havoc() gives up
  scenario::duration short_wait{50};  ///< the wait for a reply after a step that may get none (a bare LF)
};

struct mutant {
  scenario::scenario sc;
  std::vector<std::string> how;  ///< the mutations, in order: "verb steps/3", "length 64 steps/5 (local part)"
};

class mutator {
 public:
  /// `plays`: the role ehlo plays, whose steps are mutated.
  mutator(const dictionary& words, scenario::side plays, mutator_settings s = {});

  /// 1 to max_stack random mutations of `parent` (a scenario in campaign form),
  /// from `seed`. `other`, when given, is a second parent whose steps a
  /// splice may take.
  std::optional<mutant> havoc(const scenario::scenario& parent, std::uint64_t seed,
                              const scenario::scenario* other = nullptr) const;

  /// The deterministic sweep of a parent: every argument of every command it
  /// sends (a path's local part and domain, a parameter's value, a word) and
  /// every BDAT chunk's size set to each of interesting_lengths(), one at a
  /// time; against a client, each reply's text. sweep_slots() names each slot
  /// by what it is in ("RCPT TO:<bob@example.com>", the local part), so that a
  /// campaign sweeps a command many seeds share once; sweep() makes the mutant
  /// of slot `slot` at length interesting_lengths()[length] (nullopt when it
  /// does not settle).
  std::vector<std::string> sweep_slots(const scenario::scenario& parent) const;
  std::optional<mutant> sweep(const scenario::scenario& parent, std::size_t slot, std::size_t length) const;

  /// The lengths that find off-by-one errors at the limits programs set
  /// (64 for a local part, 255 for a domain, 512 for a line).
  static std::span<const std::uint32_t> interesting_lengths() noexcept;

  scenario::side plays() const noexcept { return plays_; }

 private:
  const dictionary& words_;
  scenario::side plays_;
  mutator_settings settings_;
};

}  // namespace ehlo::campaign
