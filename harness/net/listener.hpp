// A listener on TCP or a Unix-domain socket: binds an endpoint and accepts
// connections with a deadline, until stop().
//
// A Unix socket's path: a socket file left by an earlier run that nobody
// listens on any more is replaced (as Postfix and Dovecot do); one someone
// listens on gives "address in use"; a path that is not a socket is never
// removed (error::not_a_socket). The listener removes its socket file when it
// is stopped or destroyed.
//
// stop() is for the caller's shutdown path (an asio::signal_set handler, a
// test): it closes the acceptor, a pending accept() ends with error::stopped,
// and later ones fail the same way at once. Call it on the listener's
// executor, as a signal_set handler on the same io_context is.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/basic_socket_acceptor.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>

#include <cstdint>
#include <string>
#include <system_error>

#include "net/connection.hpp"
#include "net/deadline.hpp"
#include "net/endpoint.hpp"

namespace ehlo::net {

class listener {
 public:
  explicit listener(const asio::any_io_executor& ex);
  listener(const listener&) = delete;
  listener& operator=(const listener&) = delete;
  ~listener();

  /// Binds and listens. The host is an address literal or a name (resolved
  /// now, blocking: this is start-up; the first address is bound). Port 0
  /// binds an ephemeral port: port() tells which. SO_REUSEADDR is set, so a
  /// restarted harness can bind a port left in TIME_WAIT. Or a Unix socket's
  /// path (where.path).
  std::error_code listen(const endpoint& where = {"127.0.0.1", 0},
                         int backlog = asio::socket_base::max_listen_connections);

  /// The next connection. With no deadline (deadline::max()), waits until
  /// stop(). A timeout leaves the listener listening.
  asio::awaitable<connect_result> accept(deadline d = deadline::max());

  void stop() noexcept;
  bool stopped() const noexcept { return stopped_; }

  /// The TCP address bound (empty on a Unix socket); its port.
  asio::ip::tcp::endpoint local_endpoint() const;
  std::uint16_t port() const { return local_endpoint().port(); }
  /// What was bound, as a user writes it: "127.0.0.1:41234" or "unix:PATH".
  std::string name() const;

 private:
  void remove_socket_file() noexcept;

  asio::basic_socket_acceptor<asio::generic::stream_protocol> acceptor_;
  std::string path_;  // the Unix socket file this listener made, removed when it stops
  bool stopped_ = false;
};

}  // namespace ehlo::net
