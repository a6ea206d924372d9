// The thin layer between a session and a socket: asks the session what to do,
// does it on the connection, tells the session how it went. All protocol
// decisions are the session's; this only moves bytes, runs the TLS handshake
// and keeps the deadlines the session asks for.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "net/connection.hpp"
#include "session/session.hpp"

namespace ehlo::run {

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
  /// Called after each action but the final close, once the session was told
  /// how it went: `ehlo load` reads its clock there and asks the session what
  /// the action did (run/load_runner.cpp). Empty: nothing is called.
  std::function<void(session::action::kind, action_end)> observer;
};

/// Plays `s` over `c` until the session is done, then closes the connection.
asio::awaitable<void> drive(net::connection& c, session::session& s, const drive_settings& settings);

}  // namespace ehlo::run
