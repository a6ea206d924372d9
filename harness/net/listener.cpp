#include "net/listener.hpp"

#include <asio/ip/address.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>

#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/error.hpp"
#include "net/race.hpp"

namespace ehlo::net {

namespace {

/// Makes way for a Unix socket at `path`: nothing there, or a socket file
/// nobody listens on (removed). Someone listening: address in use.
std::error_code clear_unix_path(const asio::any_io_executor& ex, const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return {};  // nothing there (or bind will say why)
  if (!S_ISSOCK(st.st_mode)) return error::not_a_socket;
  asio::local::stream_protocol::socket probe(ex);
  std::error_code ec;
  probe.connect(asio::local::stream_protocol::endpoint(path), ec);
  if (!ec) return asio::error::address_in_use;
  if (ec == asio::error::connection_refused && unlink(path.c_str()) != 0) return {errno, std::generic_category()};
  return {};
}

}  // namespace

listener::listener(const asio::any_io_executor& ex) : acceptor_(ex) {}
listener::~listener() { remove_socket_file(); }

void listener::remove_socket_file() noexcept {
  if (!path_.empty()) unlink(path_.c_str());
  path_.clear();
}

std::error_code listener::listen(const endpoint& where, int backlog) {
  if (stopped_) return error::stopped;
  std::error_code ec;
  acceptor_.close(ec);
  remove_socket_file();
  if (where.is_unix()) {
    if ((ec = clear_unix_path(acceptor_.get_executor(), where.path))) return ec;
    const asio::local::stream_protocol::endpoint at(where.path);
    acceptor_.open(asio::generic::stream_protocol(at.protocol()), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) path_ = where.path;
    if (!ec) acceptor_.listen(backlog, ec);
    if (ec) {
      std::error_code ignored;
      acceptor_.close(ignored);
      remove_socket_file();
    }
    return ec;
  }
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
  acceptor_.open(asio::generic::stream_protocol(bind_to.protocol()), ec);
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
  remove_socket_file();
}

asio::ip::tcp::endpoint listener::local_endpoint() const {
  std::error_code ignored;
  return tcp_of(acceptor_.local_endpoint(ignored));
}

std::string listener::name() const {
  if (!path_.empty()) return "unix:" + path_;
  const auto t = local_endpoint();
  return to_string(endpoint(t.address().to_string(), t.port()));
}

}  // namespace ehlo::net
