// The thin layer between a session and a socket: asks the session what to do,
// does it on the connection, tells the session how it went. All protocol
// decisions are the session's; this only moves bytes, runs the TLS handshake
// and keeps the deadlines the session asks for.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "net/connection.hpp"
#include "session/session.hpp"

namespace ehlo::run {

/// What the transport saw while a session was driven, for those who judge a
/// peer by more than the session's verdict (ehlo fuzz's oracles).
struct drive_events {
  bool timed_out = false;    ///< a read, write or handshake passed its deadline
  bool broken = false;       ///< the connection failed: a reset, a write error
  bool peer_closed = false;  ///< the peer closed its side
  bool expired = false;      ///< the whole-session limit passed
  std::size_t drained = 0;   ///< bytes read while closing, after the session was done
  /// drive_settings::nudge: what came of it.
  enum class nudge : std::uint8_t { not_tried, answered, closed, silent };
  nudge nudged = nudge::not_tried;
};

/// How an action ended, as the driver told the session.
enum class action_end : std::uint8_t {
  ok,           ///< sent(), received(), tls_started(), paused(), closed()
  timed_out,    ///< timed_out()
  peer_closed,  ///< peer_closed()
  reset,        ///< peer_reset(): the peer reset the connection
  failed,       ///< failed(): the connection broke
  tls_failed,   ///< tls_failed()
  expired,      ///< expired(): the whole-session limit
};

struct drive_settings {
  asio::ssl::context* tls = nullptr;  ///< the role's TLS context; nullptr: a TLS start fails
  std::string server_name;            ///< client role: SNI and the name the certificate is checked against
  /// The wait of a write or a handshake when the session gives none (it
  /// always gives its step's, action::wait).
  std::chrono::milliseconds io_timeout{10'000};
  /// After the session is done: how long to read on for the peer's close
  /// before closing, so unread bytes never turn the close into a reset.
  std::chrono::milliseconds linger{1'000};
  /// The watchdog over the whole session, from the start of drive(): each
  /// step has its own deadline, but a peer that answers every step just before
  /// it could otherwise hold the session for steps x wait. Past it the session
  /// gets expired(). Zero: no limit.
  std::chrono::milliseconds session_limit{0};
  /// When set, filled with what the transport saw.
  drive_events* events = nullptr;
  /// When the session failed waiting for the peer (a read's deadline), these
  /// bytes are sent before the close, and whether the peer answers within
  /// nudge_wait is told in events: a peer that answers was waiting for more
  /// (a line end, the end of a message), one that says nothing is stuck.
  std::string nudge;
  std::chrono::milliseconds nudge_wait{1000};
  /// Called after each action but the final close, once the session was told
  /// how it went: `ehlo load` reads its clock there and asks the session what
  /// the action did (run/load_runner.cpp). Empty: nothing is called.
  std::function<void(session::action::kind, action_end)> observer;
};

/// Plays `s` over `c` until the session is done, then closes the connection.
asio::awaitable<void> drive(net::connection& c, session::session& s, const drive_settings& settings);

}  // namespace ehlo::run
