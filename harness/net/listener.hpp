// A TCP listener: binds an endpoint and accepts connections with a deadline,
// until stop().
//
// stop() is for the caller's shutdown path (an asio::signal_set handler, a
// test): it closes the acceptor, a pending accept() ends with error::stopped,
// and later ones fail the same way at once. Call it on the listener's
// executor, as a signal_set handler on the same io_context is.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include <cstdint>
#include <system_error>

#include "net/connection.hpp"
#include "net/deadline.hpp"
#include "net/endpoint.hpp"

namespace ehlo::net {

class listener {
 public:
  explicit listener(const asio::any_io_executor& ex);

  /// Binds and listens. The host is an address literal or a name (resolved
  /// now, blocking: this is start-up; the first address is bound). Port 0
  /// binds an ephemeral port: port() tells which. SO_REUSEADDR is set, so a
  /// restarted harness can bind a port left in TIME_WAIT.
  std::error_code listen(const endpoint& where = {"127.0.0.1", 0},
                         int backlog = asio::socket_base::max_listen_connections);

  /// The next connection. With no deadline (deadline::max()), waits until
  /// stop(). A timeout leaves the listener listening.
  asio::awaitable<connect_result> accept(deadline d = deadline::max());

  void stop() noexcept;
  bool stopped() const noexcept { return stopped_; }

  asio::ip::tcp::endpoint local_endpoint() const;
  std::uint16_t port() const { return local_endpoint().port(); }

 private:
  asio::ip::tcp::acceptor acceptor_;
  bool stopped_ = false;
};

}  // namespace ehlo::net
