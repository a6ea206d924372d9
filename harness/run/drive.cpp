#include "run/drive.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/ssl/error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <array>
#include <string>

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
asio::awaitable<std::size_t> close_gracefully(net::connection& c, std::chrono::milliseconds linger) {
  constexpr std::size_t max_drain = std::size_t{1} << 20;
  if (!c.is_open()) co_return 0;
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
  co_return drained;
}

/// Sends `bytes` and waits up to `wait` for anything back.
asio::awaitable<drive_events::nudge> nudge(net::connection& c, std::string_view bytes, std::chrono::milliseconds wait) {
  const net::deadline until = net::after(wait);
  const std::error_code ec = co_await c.write(bytes, until);
  if (ec) co_return ec == net::error::timed_out ? drive_events::nudge::silent : drive_events::nudge::closed;
  std::array<char, 512> sink;
  const auto r = co_await c.read_some(sink, until);
  if (r.bytes > 0) co_return drive_events::nudge::answered;
  co_return r.ec == net::error::timed_out ? drive_events::nudge::silent : drive_events::nudge::closed;
}

}  // namespace

asio::awaitable<void> drive(net::connection& c, session::session& s, const drive_settings& settings) {
  using session::action;
  std::array<char, 16384> buf;
  std::uint32_t deadline_id = 0;
  net::deadline read_until{};
  bool first_read = true;
  const bool client = s.role() == scenario::side::client;
  // Every wait ends by the session's own deadline at the latest; a wait that
  // ended there expires the session rather than the step.
  const net::deadline session_until =
      settings.session_limit.count() > 0 ? net::after(settings.session_limit) : net::deadline::max();
  const auto within = [&](net::deadline d) { return std::min(d, session_until); };
  const auto expired = [&](const std::error_code& ec, net::deadline used) {
    return ec == net::error::timed_out && used == session_until;
  };
  bool read_timed_out = false;  ///< the last read ended at its deadline
  drive_events ignored;
  drive_events& seen = settings.events != nullptr ? *settings.events : ignored;
  for (;;) {
    const action a = s.next();
    switch (a.what) {
      case action::done:
        if (!settings.nudge.empty() && read_timed_out && !s.result().passed() && c.is_open())
          seen.nudged = co_await nudge(c, settings.nudge, settings.nudge_wait);
        seen.drained += co_await close_gracefully(c, settings.linger);
        co_return;
      case action::send: {
        read_timed_out = false;
        // Each piece gets the step's wait: a peer that stops reading ends the
        // write within it, one that reads on keeps it going (as reads inside
        // a message do) up to the session's limit. A piece is far larger than
        // what SMTP sends in one go but for a message, so a pipelined group
        // still leaves in one write.
        constexpr std::size_t piece = 64 * 1024;
        const auto wait = a.wait.count() > 0 ? a.wait : settings.io_timeout;
        std::string_view rest = a.bytes;
        std::error_code ec;
        net::deadline until{};
        do {
          const std::string_view now = rest.substr(0, piece);
          until = within(net::after(wait));
          ec = co_await c.write(now, until);
          rest.remove_prefix(now.size());
        } while (!ec && !rest.empty());
        action_end end = action_end::ok;
        if (expired(ec, until)) {
          seen.expired = true;
          s.expired(settings.session_limit);
          end = action_end::expired;
        } else if (ec == net::error::timed_out) {
          seen.timed_out = true;
          s.timed_out();
          end = action_end::timed_out;
        } else if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
          seen.broken = true;
          c.close();
          s.reset_while_sending("cannot send: " + ec.message());
          end = action_end::failed;
        } else if (ec) {
          seen.broken = true;
          s.failed("cannot send: " + ec.message());
          end = action_end::failed;
        } else {
          s.sent();
        }
        if (settings.observer) settings.observer(a.what, end);
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
        const net::deadline until = within(read_until);
        const auto r = co_await c.read_some(buf, until);
        read_timed_out = r.ec == net::error::timed_out && !expired(r.ec, until);
        if (r.bytes > 0) s.received({buf.data(), r.bytes});
        action_end end = action_end::ok;
        if (!r.ec) {
          // Bytes came; the session has them.
        } else if (expired(r.ec, until)) {
          seen.expired = true;
          s.expired(settings.session_limit);
          end = action_end::expired;
        } else if (r.ec == net::error::timed_out) {
          seen.timed_out = true;
          s.timed_out();
          end = action_end::timed_out;
        } else if (is_end_of_stream(r.ec)) {
          seen.peer_closed = true;
          s.peer_closed();
          end = action_end::peer_closed;
        } else if (r.ec == asio::error::connection_reset) {
          seen.broken = true;
          c.close();
          s.peer_reset(r.ec.message());
          end = action_end::reset;
        } else {
          seen.broken = true;
          const std::string why = c.tls_failure(r.ec);
          c.close();
          s.failed(why);
          end = action_end::failed;
        }
        if (settings.observer) settings.observer(a.what, end);
        break;
      }
      case action::start_tls: {
        std::error_code ec = make_error_code(net::error::not_open);
        if (settings.tls == nullptr) {
          s.tls_failed("no TLS context for this role");
          if (settings.observer) settings.observer(a.what, action_end::tls_failed);
          break;
        }
        // The handshake is one of the step's waits: --timeout bounds it too.
        const net::deadline until = within(net::after(a.wait.count() > 0 ? a.wait : settings.io_timeout));
        if (client)
          ec = co_await c.start_tls_client(*settings.tls, settings.server_name, until);
        else
          ec = co_await c.start_tls_server(*settings.tls, until);
        // The client checks the server's certificate whether or not the
        // context refuses one that fails: either way the reason is told, in
        // the failure when it is what failed the handshake, else as a finding.
        const std::string unverified = client ? c.peer_verify_reason() : std::string();
        action_end end = action_end::ok;
        if (expired(ec, until)) {
          seen.expired = true;
          s.expired(settings.session_limit);
          end = action_end::expired;
        } else if (ec == net::error::timed_out) {
          seen.timed_out = true;
          s.timed_out();
          end = action_end::timed_out;
        } else if (ec) {
          seen.broken = true;
          const std::string why = c.tls_failure(ec);
          if (!unverified.empty() && !net::is_verify_failure(ec)) s.tls_unverified(unverified);
          s.tls_failed(why);
          end = action_end::tls_failed;
        } else {
          if (!unverified.empty()) s.tls_unverified(unverified);
          s.tls_started(c.tls_version());
        }
        if (settings.observer) settings.observer(a.what, end);
        break;
      }
      case action::pause: {
        const net::deadline until = within(net::after(a.wait));
        asio::steady_timer timer(co_await asio::this_coro::executor, until);
        co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
        const bool over = until == session_until;
        if (over) {
          seen.expired = true;
          s.expired(settings.session_limit);
        } else {
          s.paused();
        }
        if (settings.observer) settings.observer(a.what, over ? action_end::expired : action_end::ok);
        break;
      }
      case action::close:
        // The peer expects the close: it reads our FIN and closes in turn.
        co_await close_gracefully(c, settings.linger);
        s.closed();
        if (settings.observer) settings.observer(a.what, action_end::ok);
        break;
    }
  }
}

}  // namespace ehlo::run
