// `ehlo load`: plays scenarios as the client against one server, over and
// over, and measures: a closed loop (`concurrency` sessions at all times) or
// an open loop (`rate` new sessions a second, whether or not the server keeps
// up), for a duration or a number of sessions, every check of the client role
// on. A failed session is counted by its cause (load/failure_cause.hpp) and the
// load goes on, unless stop_on_error. Every step's latency goes into a
// histogram (load/load_stats.hpp), timed here from the driver's callbacks
// (drive_settings::observer); the sessions themselves never read a clock.
//
// One thread: every wait is a coroutine's. SIGINT and SIGTERM stop the run at
// once; the sessions under way are counted as interrupted.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "load/load_stats.hpp"
#include "run/inputs.hpp"
#include "run/runner.hpp"

namespace ehlo::run {

struct load_options {
  net::endpoint target{"127.0.0.1", 0};
  std::size_t concurrency = 1;  ///< closed loop, when rate is 0
  double rate = 0;              ///< open loop: new sessions a second
  /// No new session after this long; those under way finish within their deadlines.
  std::optional<std::chrono::milliseconds> duration;
  std::uint64_t sessions = 0;  ///< at most this many sessions (0: no limit)
  /// The scenario's message part (load/message_part.hpp) played this many
  /// times in each session.
  std::size_t messages_per_session = 1;
  bool stop_on_error = false;
  /// Open loop: a session due while this many are under way is not started,
  /// and counted as an error; it bounds memory and file descriptors when the
  /// server falls behind.
  std::size_t max_in_flight = 1000;
  /// Session settings (--var, --timeout), --session-timeout, and the TLS
  /// options of the client role; the rest is not used.
  options base;

  /// Called once a second, and once at the end for what is left of the last
  /// second (`last`), with the point just closed and the whole so far.
  std::function<void(const load::interval&, const load::load_stats&, bool last)> on_second;
};

/// The message part of each input, or why one has none, when
/// messages_per_session > 1; empty when every input has one (or M is 1).
std::vector<std::string> check_message_parts(const std::vector<input>& inputs, const load_options& opt);

/// Plays the inputs in turn (session k plays input k mod n) until the
/// duration, the session count, an error (stop_on_error) or a signal ends the
/// run. Errors that stop it before anything is played (a TLS file that cannot
/// be read) go to `fatal`.
load::load_stats run_load(const std::vector<input>& inputs, const load_options& opt, std::string& fatal);

}  // namespace ehlo::run
