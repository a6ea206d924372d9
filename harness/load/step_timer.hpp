// Which reply ends which step, for `ehlo load`'s latencies, without a clock:
// the driver reads its clock and gives the times; this pairs them.
//
// Replies answer the client's lines first in, first out (RFC 2920 §3.1), and
// the client session's conversation counts the lines still waiting for one
// (session::client_session::awaiting()). So after each write the lines it
// carried are queued with the time the write ended (sent(): the lines awaited
// before it, session_meter.hpp), and each reply the session took pops the
// oldest: a command's latency runs from the end of the write that carried it
// (a pipelined group: the same write for all) to the read that completed its
// reply, and the end of a message's data likewise. The greeting runs from the
// connection's establishment. A 220 to STARTTLS voids the lines pipelined
// behind it (RFC 3207 §4.2): settle() drops them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "load/step_kind.hpp"
#include "proto/conversation.hpp"

namespace ehlo::load {

class step_timer {
 public:
  using time = std::chrono::steady_clock::time_point;

  struct sample {
    step_kind step = step_kind::other;
    std::uint64_t us = 0;
  };

  /// The connection is established: the greeting's clock starts.
  void connected(time t) noexcept { connected_ = t; }
  /// A write ended at `t`; with it, the conversation waits for `awaiting` replies.
  void sent(time t, std::size_t awaiting);
  /// A reply taken at `t`, answering `what` (a command: `verb`). Nothing for a
  /// reply that answered no line of this client's.
  std::optional<sample> reply(time t, proto::conversation::answered what, proto::verb verb);
  /// After the session took its replies: `awaiting` is what it still waits for.
  void settle(std::size_t awaiting);

  std::size_t queued() const noexcept { return queued_.size(); }

 private:
  time connected_{};
  std::deque<time> queued_;  ///< one per line awaiting its reply: when its write ended
};

/// Microseconds from `from` to `to`, 0 if negative.
std::uint64_t micros(step_timer::time from, step_timer::time to) noexcept;

}  // namespace ehlo::load
