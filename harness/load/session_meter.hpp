// The latencies of one client session's steps, as `ehlo load` records them:
// the driver calls after() once each action has ended, with its clock's
// reading; this asks the session what the action did (the lines it sent that
// now wait for replies, the replies it took) and records each step's latency
// and each message's outcome. Socket-free: a test drives it with a clock of
// its own.
#pragma once

#include "load/load_stats.hpp"
#include "load/step_timer.hpp"
#include "session/client_session.hpp"

namespace ehlo::load {

class session_meter {
 public:
  using time = step_timer::time;

  /// `cs` plays with settings::reply_events on; `connected`: when its
  /// connection was established (the greeting's clock starts there, or at the
  /// end of the handshake of implicit TLS).
  session_meter(session::client_session& cs, load_recorder& rec, time connected);

  /// Action `k` ended at `now`, well (`ok`: the bytes went, the handshake
  /// finished) or not.
  void after(session::action::kind k, bool ok, time now);

 private:
  session::client_session& cs_;
  load_recorder& rec_;
  step_timer timer_;
  time before_;  ///< when the previous action ended: where a handshake began
  bool greeted_ = false;
  std::size_t queued_ = 0;  ///< lines awaiting replies after the previous action: the next write's among them
};

}  // namespace ehlo::load
