// The state a campaign steers by: what a conversation went through, as the
// sequence of (command, reply code, enhanced status code) its replies answered,
// each with the phase it was in (inside TLS, authenticated). Other network
// fuzzers key their state on the reply code alone; the command and the status
// tell "550 5.1.1 to RCPT" from "550 5.7.1 to MAIL", and the phase tells an
// EHLO inside TLS from one outside.
//
// A case whose trace holds a state or a transition (two states in a row) the
// model has not seen joins the corpus. The learned machine is written as
// Graphviz dot: a node per state, an edge per transition with how often it
// was taken.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "scenario/scenario.hpp"
#include "scenario/transcript.hpp"

namespace ehlo::campaign {

/// The states a conversation went through, in order, from its transcript
/// (replies matched to what they answered as proto::conversation matches
/// them): "<greeting> 220", "EHLO 250", "MAIL 250 2.1.0", "<data> 250 2.0.0",
/// "AUTH 235 2.7.0 +tls", "? 500 5.5.2" (a verb ehlo does not know),
/// "<none> 250" (a reply no line asked for).
/// With `made`, also how many states the steps up to each one made
/// (made->at(i)), for state_at(). From the first client step of the scenario
/// at line `unaligned_from` on (see unaligned_from()), which line a reply
/// answered cannot be told: those states say "~" for the command.
std::vector<std::string> trace_of(std::span<const scenario::transcript_step> transcript,
                                  std::vector<std::size_t>* made = nullptr,
                                  std::optional<std::uint32_t> unaligned_from = std::nullopt);

/// The file line of the first step of `sc` whose lines the transcript does
/// not keep as they went on the wire (raw bytes, a line end made bare,
/// injected lines, a cut): past it a peer may have read more or fewer lines
/// than the transcript shows. Unset when every step is sent as written.
std::optional<std::uint32_t> unaligned_from(const scenario::scenario& sc);

/// The state transcript step `step` was in: the last state made up to it
/// ("<start>" before any); the last of the trace when `step` is unset.
std::string state_at(const std::vector<std::string>& trace, const std::vector<std::size_t>& made,
                     std::optional<std::size_t> step);

class state_model {
 public:
  struct limits {
    std::size_t max_states = 4096;  ///< past these, new ones are not learned (nor novel)
    std::size_t max_transitions = 65536;
  };
  struct novelty {
    std::size_t states = 0;
    std::size_t transitions = 0;
    bool any() const noexcept { return states + transitions > 0; }
  };

  state_model() = default;
  explicit state_model(limits l) : limits_(l) {}

  /// Learns a trace (from a virtual "<start>"); says what was new.
  novelty learn(const std::vector<std::string>& trace);
  /// What learn() would say, learning nothing.
  novelty novel(const std::vector<std::string>& trace) const;

  std::size_t states() const noexcept { return names_.size(); }
  std::size_t transitions() const noexcept { return edges_.size(); }

  /// The machine as Graphviz dot.
  std::string dot() const;

  /// The machine as text to keep between runs (--dir), and back.
  std::string save() const;
  bool restore(std::string_view text);

 private:
  std::size_t id_of(const std::string& name);
  std::size_t find(const std::string& name) const;

  limits limits_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::size_t> ids_;
  std::map<std::pair<std::size_t, std::size_t>, std::uint64_t> edges_;
};

}  // namespace ehlo::campaign
