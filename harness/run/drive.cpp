#include "run/drive.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl/error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <array>

#include "net/error.hpp"

namespace ehlo::run {

namespace {

bool is_end_of_stream(const std::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

/// Half-closes our side, reads what the peer still sends until it closes,
/// `linger` passes or `max_drain` bytes were read, then closes: the peer reads
/// everything we sent, and a peer that never stops sending (a flood) cannot
/// hold the close beyond `linger`.
asio::awaitable<void> close_gracefully(net::connection& c, std::chrono::milliseconds linger) {
  constexpr std::size_t max_drain = std::size_t{1} << 20;
  if (!c.is_open()) co_return;
  const net::deadline until = net::after(linger);
  co_await c.shutdown(until);
  std::array<char, 4096> sink;
  std::size_t drained = 0;
  while (c.is_open() && drained < max_drain && net::clock::now() < until) {
    const auto r = co_await c.read_some(sink, until);
    if (r.ec) break;
    drained += r.bytes;
  }
  c.close();
}

}  // namespace

asio::awaitable<void> drive(net::connection& c, session::session& s, const drive_settings& settings) {
  using session::action;
  std::array<char, 16384> buf;
  std::uint32_t deadline_id = 0;
  net::deadline read_until{};
  bool first_read = true;
  for (;;) {
    const action a = s.next();
    switch (a.what) {
      case action::done:
        co_await close_gracefully(c, settings.linger);
        co_return;
      case action::send: {
        const auto ec = co_await c.write(a.bytes, net::after(settings.io_timeout));
        if (ec)
          s.failed("cannot send: " + ec.message());
        else
          s.sent();
        break;
      }
      case action::read: {
        // Reads of one unit share one deadline, so a peer cannot stretch a
        // step by dribbling bytes (session_types.hpp, action::deadline).
        if (first_read || a.deadline != deadline_id) {
          deadline_id = a.deadline;
          read_until = net::after(a.wait);
          first_read = false;
        }
        const auto r = co_await c.read_some(buf, read_until);
        if (r.bytes > 0) s.received({buf.data(), r.bytes});
        if (!r.ec) break;
        if (r.ec == net::error::timed_out) {
          s.timed_out();
        } else if (is_end_of_stream(r.ec)) {
          s.peer_closed();
        } else {
          c.close();
          s.failed(r.ec.message());
        }
        break;
      }
      case action::start_tls: {
        std::error_code ec = make_error_code(net::error::not_open);
        if (settings.tls == nullptr) {
          s.tls_failed("no TLS context for this role");
          break;
        }
        const net::deadline until = net::after(a.wait.count() > 0 ? a.wait : settings.io_timeout);
        if (s.role() == scenario::side::client)
          ec = co_await c.start_tls_client(*settings.tls, settings.server_name, until);
        else
          ec = co_await c.start_tls_server(*settings.tls, until);
        if (ec)
          s.tls_failed(ec.message());
        else
          s.tls_started(c.tls_version());
        break;
      }
      case action::pause: {
        asio::steady_timer timer(co_await asio::this_coro::executor, a.wait);
        co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        s.paused();
        break;
      }
      case action::close:
        // The peer expects the close: it reads our FIN and closes in turn.
        co_await close_gracefully(c, settings.linger);
        s.closed();
        break;
    }
  }
}

}  // namespace ehlo::run
