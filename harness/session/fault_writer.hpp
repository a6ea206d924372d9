// How the role that sends a step writes it: the step's fault plan
// (scenario::fault_plan, scenarios/README.md "Faults") turned into a sequence
// of moves for the session to ask its driver for: a delay before the first
// write, writes of the sizes "chunks" says, a gap between two writes, a close
// after "cut" bytes. The session decides what the bytes are (the step, its
// line ends, the lines it injects) and what follows the step; this decides
// only how the bytes leave.
//
// Socket-free and deterministic: "chunks": "random" draws its sizes from a
// splitmix64 generator seeded once per session (settings::seed), so a seed
// plays the same writes again on every platform. `ehlo fuzz` mutates these
// plans; its mutator draws from the same generator (splitmix64 below).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace ehlo::session {

/// splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", 2014): a few lines, and the same numbers from a seed on every
/// platform and standard library (std::uniform_int_distribution differs
/// between libraries), which a run that must repeat from its seed needs.
class splitmix64 {
 public:
  explicit splitmix64(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
  /// A number in [0, n), n > 0 (the modulo's bias is far below what matters here).
  std::uint64_t below(std::uint64_t n) noexcept { return next() % n; }
  /// True once in `n` draws on average (n > 0).
  bool one_in(std::uint64_t n) noexcept { return below(n) == 0; }
  std::uint64_t state() const noexcept { return state_; }

 private:
  std::uint64_t state_;
};

class fault_writer {
 public:
  /// What the sending role does next.
  enum class move : std::uint8_t {
    write,  ///< write piece(), then wrote()
    delay,  ///< wait wait() before the first write ("delay"), then resume()
    gap,    ///< wait wait() between two writes ("gap"), then resume()
    cut,    ///< close the connection: "cut" sent what it allows; the step is over
    done,   ///< the step is sent
  };

  explicit fault_writer(std::uint64_t seed) noexcept : random_(seed) {}

  /// Every CRLF of `bytes` made `ends` (a lone CR or LF is left as it is).
  static void apply_line_end(std::string& bytes, scenario::fault_plan::line_end ends);

  /// Starts sending `bytes`, the whole step as it goes on the wire, as `plan`
  /// says; `plan` must stay valid until the step is over (cut or done).
  move start(std::string bytes, const scenario::fault_plan& plan);
  /// The piece of the last write was written.
  move wrote();
  /// The delay or the gap has passed.
  move resume();

  /// The bytes of the write under way.
  std::string_view piece() const noexcept { return std::string_view(bytes_).substr(written_, piece_); }
  /// The wait of a delay or a gap.
  scenario::duration wait() const noexcept { return wait_; }
  /// Whether a step is being sent (started, not yet cut or done).
  bool sending() const noexcept { return plan_ != nullptr; }
  /// Drops the step under way (the peer reset the connection while it went).
  void abandon() { reset(); }

 private:
  move advance();
  std::uint32_t write_size();
  void reset();

  std::string bytes_;
  std::size_t written_ = 0;  ///< bytes the driver wrote
  std::size_t end_ = 0;      ///< bytes to write: all of them, or as many as "cut" says
  std::size_t piece_ = 0;    ///< the write under way
  std::size_t size_at_ = 0;  ///< the next of "chunks"' sizes
  scenario::duration wait_{};
  const scenario::fault_plan* plan_ = nullptr;
  splitmix64 random_;  ///< "chunks": "random"; one stream for the whole session
};

}  // namespace ehlo::session
