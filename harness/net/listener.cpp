#include "net/listener.hpp"

#include <asio/ip/address.hpp>
#include <asio/steady_timer.hpp>

#include <string>

#include "net/error.hpp"
#include "net/race.hpp"

namespace ehlo::net {

listener::listener(const asio::any_io_executor& ex) : acceptor_(ex) {}

std::error_code listener::listen(const endpoint& where, int backlog) {
  if (stopped_) return error::stopped;
  std::error_code ec;
  asio::ip::tcp::endpoint bind_to;
  const auto literal = asio::ip::make_address(where.host, ec);
  if (!ec) {
    bind_to = {literal, where.port};
  } else {
    asio::ip::tcp::resolver resolver(acceptor_.get_executor());
    const auto found =
        resolver.resolve(where.host, std::to_string(where.port),
                         asio::ip::tcp::resolver::numeric_service | asio::ip::tcp::resolver::passive, ec);
    if (ec) return ec;
    if (found.empty()) return error::no_address;
    bind_to = found.begin()->endpoint();
  }
  acceptor_.close(ec);
  acceptor_.open(bind_to.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(bind_to, ec);
  if (!ec) acceptor_.listen(backlog, ec);
  if (ec) {
    std::error_code ignored;
    acceptor_.close(ignored);
  }
  return ec;
}

asio::awaitable<connect_result> listener::accept(deadline d) {
  const auto ex = acceptor_.get_executor();
  if (stopped_) co_return connect_result{connection(ex), error::stopped};
  if (!acceptor_.is_open()) co_return connect_result{connection(ex), error::not_open};
  asio::steady_timer timer(ex, d);
  auto [order, ec, socket, timer_ec] = co_await detail::race(timer, acceptor_.async_accept(detail::deferred));
  static_cast<void>(order);
  if (stopped_)
    ec = error::stopped;
  else if (detail::timed_out(ec, timer_ec))
    ec = error::timed_out;
  if (ec) co_return connect_result{connection(ex), ec};
  co_return connect_result{connection(std::move(socket)), {}};
}

void listener::stop() noexcept {
  stopped_ = true;
  std::error_code ignored;
  acceptor_.close(ignored);
}

asio::ip::tcp::endpoint listener::local_endpoint() const {
  std::error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

}  // namespace ehlo::net
