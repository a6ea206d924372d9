// Loopback tests of the transport: coroutines on one io_context, bounded in
// time, and small helpers over net::connection.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include "net/connection.hpp"
#include "net/deadline.hpp"
#include "net/listener.hpp"
#include "net/tls_context.hpp"

namespace ehlo::test {

using namespace std::chrono_literals;

/// How late a deadline may fire and still count as kept. The tests show that a
/// deadline of a few hundred milliseconds ends the wait (without one it would
/// last for ever), not how punctually: CI is a busy 2-core machine, where a
/// sanitized build beside the tests can hold a timer back by seconds.
inline constexpr auto deadline_slack = 10s;

/// The coroutines of one test. run() lets them work for at most `limit` and
/// checks that all of them finished: a hang fails the test instead of hanging it.
/// Coroutine lambdas must outlive run(): keep them in named variables.
class loop {
 public:
  asio::io_context io;

  void spawn(asio::awaitable<void> task) {
    ++spawned_;
    asio::co_spawn(io, std::move(task), [this](std::exception_ptr e) {
      ++finished_;
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        FAIL_CHECK("a coroutine threw: " << x.what());
      } catch (...) {
        // doctest's REQUIRE: already reported
      }
    });
  }

  void run(std::chrono::steady_clock::duration limit = 30s) {
    io.run_for(limit);
    CHECK(finished_ == spawned_);
  }

  asio::any_io_executor executor() { return io.get_executor(); }

 private:
  std::size_t spawned_ = 0;
  std::size_t finished_ = 0;
};

/// A deadline for steps that should be quick: generous, so a loaded machine
/// (or ASan) does not fail them, yet bounded.
inline net::deadline soon() { return net::after(2s); }

/// Reads until `in` holds `needle` (kept in `in`, with whatever came after it).
inline asio::awaitable<std::error_code> read_until(net::connection& c, std::string& in, std::string_view needle,
                                                   net::deadline d) {
  char buf[4096];
  while (in.find(needle) == std::string::npos) {
    auto [n, ec] = co_await c.read_some(buf, d);
    if (ec) co_return ec;
    in.append(buf, n);
  }
  co_return std::error_code{};
}

/// Reads until the peer ends the stream; returns everything and the ending error.
inline asio::awaitable<std::pair<std::string, std::error_code>> read_to_end(net::connection& c, net::deadline d) {
  std::string all;
  char buf[16384];
  for (;;) {
    auto [n, ec] = co_await c.read_some(buf, d);
    if (ec) co_return std::pair{std::move(all), ec};
    all.append(buf, n);
  }
}

/// A server context with the in-memory certificate; fails the test if it cannot be made.
inline asio::ssl::context server_context(net::server_tls_settings s = {}) {
  std::error_code ec;
  std::string detail;
  auto ctx = net::make_server_context(s, ec, &detail);
  REQUIRE_MESSAGE(ctx.has_value(), ec.message() << ": " << detail);
  return std::move(*ctx);
}

inline asio::ssl::context client_context(net::client_tls_settings s = {}) {
  std::error_code ec;
  std::string detail;
  auto ctx = net::make_client_context(s, ec, &detail);
  REQUIRE_MESSAGE(ctx.has_value(), ec.message() << ": " << detail);
  return std::move(*ctx);
}

/// A client context that does not refuse the self-signed test certificate.
inline asio::ssl::context trusting_client_context(net::tls_version max = net::tls_version::tls1_3) {
  net::client_tls_settings s;
  s.verify_peer = false;
  s.max_version = max;
  return client_context(s);
}

/// Bytes that show where a piece went missing or moved: no period shorter than 251.
inline std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('!' + i % 251 % 94);
  return s;
}

}  // namespace ehlo::test
