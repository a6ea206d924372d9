// run::drive over loopback against hand-written peers that stop in the middle:
// every wait, the TLS handshake and a write the peer does not read included,
// ends after the step's own wait (not a longer one of the driver's), with a
// failure that says what it waited for.
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "net/net_support.hpp"
#include "run/drive.hpp"
#include "session/client_session.hpp"
#include "session/server_session.hpp"
#include "support/session_driver.hpp"

namespace net = ehlo::net;
namespace run = ehlo::run;
namespace ss = ehlo::session;
using namespace ehlo::test;

namespace {

using clock = std::chrono::steady_clock;

/// The step waits are 300 ms; the driver's own fallback is 10 s. A run that
/// ends within this bound kept the step's wait, however busy the machine.
constexpr auto bound = std::chrono::seconds(5);

constexpr std::string_view starttls = R"json({"version": 1, "name": "starttls", "steps": [
  {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"}, {"S": ["250-mx.example", "250 STARTTLS"]},
  {"C": "STARTTLS"}, {"S": "220 2.0.0 Ready"}, {"tls": "start", "timeout": "300ms"},
  {"C": "EHLO client.example"}, {"S": "250 mx.example"}, {"C": "QUIT"}, {"S": "221 bye"}]})json";

/// A peer that answers each line it reads with the next of `replies`, then
/// reads and drops whatever comes until the other side closes (or 8 s).
asio::awaitable<void> answer_then_sit(net::connection& c, std::vector<std::string> replies, bool greet) {
  std::string in;
  for (std::size_t i = 0; i < replies.size(); ++i) {
    if (i > 0 || !greet) {
      if (co_await read_until(c, in, "\r\n", soon())) co_return;
      in.erase(0, in.find("\r\n") + 2);
    }
    if (co_await c.write(replies[i], soon())) co_return;
  }
  co_await read_to_end(c, net::after(std::chrono::seconds(8)));
}

}  // namespace

TEST_CASE("drive: a server that answers STARTTLS and never speaks TLS fails the handshake after the step's wait") {
  const auto sc = scenario_of(starttls);
  loop l;
  net::listener listener(l.executor());
  REQUIRE_FALSE(listener.listen());
  auto client_ctx = trusting_client_context();
  ss::client_session client(sc, fixed_settings());
  run::drive_settings d;
  d.tls = &client_ctx;
  d.linger = std::chrono::milliseconds(200);
  auto silent = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await listener.accept(soon());
    REQUIRE_FALSE(ec);
    // Named: g++ 12 cannot keep a braced list's array in a coroutine frame.
    std::vector<std::string> replies{"220 mx.example ESMTP\r\n", "250-mx.example\r\n250 STARTTLS\r\n",
                                     "220 2.0.0 Ready\r\n"};
    co_await answer_then_sit(conn, std::move(replies), true);
  };
  const auto start = clock::now();
  auto play = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", listener.port(), soon());
    REQUIRE_FALSE(ec);
    co_await run::drive(conn, client, d);
  };
  l.spawn(silent());
  l.spawn(play());
  l.run(std::chrono::seconds(20));
  CHECK(clock::now() - start < bound);
  CHECK(client.result().pointer == "steps/5");
  CHECK(client.result().message == "timed out after 300ms waiting for the TLS handshake at steps/5");
}

TEST_CASE("drive: implicit TLS against a server that never speaks fails after the scenario's wait") {
  const auto sc = scenario_of(R"json({"version": 1, "name": "implicit", "tls": "implicit", "timeout": "300ms",
    "steps": [{"S": "220 mx.example ESMTP"}, {"C": "QUIT"}, {"S": "221 bye"}]})json");
  loop l;
  net::listener listener(l.executor());
  REQUIRE_FALSE(listener.listen());
  auto client_ctx = trusting_client_context();
  ss::client_session client(sc, fixed_settings());
  run::drive_settings d;
  d.tls = &client_ctx;
  d.linger = std::chrono::milliseconds(200);
  auto silent = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await listener.accept(soon());
    REQUIRE_FALSE(ec);
    co_await answer_then_sit(conn, {}, true);
  };
  const auto start = clock::now();
  auto play = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", listener.port(), soon());
    REQUIRE_FALSE(ec);
    co_await run::drive(conn, client, d);
  };
  l.spawn(silent());
  l.spawn(play());
  l.run(std::chrono::seconds(20));
  CHECK(clock::now() - start < bound);
  CHECK(client.result().pointer == "tls");
  CHECK(client.result().message == "timed out after 300ms waiting for the TLS handshake at tls");
}

TEST_CASE("drive: a client that stalls after STARTTLS fails the server's handshake after the step's wait") {
  const auto sc = scenario_of(starttls);
  loop l;
  net::listener listener(l.executor());
  REQUIRE_FALSE(listener.listen());
  auto server_ctx = server_context();
  ss::server_session server(sc, fixed_settings());
  run::drive_settings d;
  d.tls = &server_ctx;
  d.linger = std::chrono::milliseconds(200);
  const auto start = clock::now();
  auto serve = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await listener.accept(soon());
    REQUIRE_FALSE(ec);
    co_await run::drive(conn, server, d);
  };
  auto stalled = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", listener.port(), soon());
    REQUIRE_FALSE(ec);
    std::string in;
    REQUIRE_FALSE(co_await read_until(conn, in, "220 mx.example ESMTP\r\n", soon()));
    REQUIRE_FALSE(co_await conn.write("EHLO client.example\r\n", soon()));
    REQUIRE_FALSE(co_await read_until(conn, in, "250 STARTTLS\r\n", soon()));
    REQUIRE_FALSE(co_await conn.write("STARTTLS\r\n", soon()));
    REQUIRE_FALSE(co_await read_until(conn, in, "220 2.0.0 Ready\r\n", soon()));
    co_await read_to_end(conn, net::after(std::chrono::seconds(8)));  // no handshake from here
  };
  l.spawn(serve());
  l.spawn(stalled());
  l.run(std::chrono::seconds(20));
  CHECK(clock::now() - start < bound);
  CHECK(server.result().pointer == "steps/5");
  CHECK(server.result().message == "timed out after 300ms waiting for the TLS handshake at steps/5");
}

TEST_CASE("drive: a message the server does not read fails its write after the step's wait") {
  // 12 MB (three attachments of 3 MB: a JSON string holds at most 4 MB) to a
  // server that has stopped reading and keeps its receive buffer small: more
  // than the kernel holds on both sides (at most 4 MB to send), so the write
  // blocks.
  const std::string part = R"json({"name": "a.bin", "type": "application/octet-stream", "content": ")json" +
                           std::string(3u << 20, 'x') + "\"}";
  const auto sc = scenario_of(R"json({"version": 1, "name": "big", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "DATA"}, {"S": "354 go ahead"},
    {"message": {"headers": ["Subject: big"], "body": "big\n", "attachments": [)json" +
                              part + "," + part + "," + part + R"json(]}, "timeout": "300ms"},
    {"S": "250 ok"}]})json");
  ss::settings settings = fixed_settings();
  settings.data.max_size = 64u << 20;
  ss::client_session client(sc, settings);
  loop l;
  asio::ip::tcp::acceptor acceptor(l.io);
  const asio::ip::tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
  acceptor.open(local.protocol());
  acceptor.set_option(asio::socket_base::receive_buffer_size(4096));  // the accepted socket inherits it
  acceptor.bind(local);
  acceptor.listen();
  run::drive_settings d;
  d.linger = std::chrono::milliseconds(200);
  const auto start = clock::now();
  auto deaf = [&]() -> asio::awaitable<void> {
    net::connection conn(co_await acceptor.async_accept(asio::use_awaitable));
    REQUIRE_FALSE(co_await conn.write("220 mx.example ESMTP\r\n", soon()));
    std::string in;
    REQUIRE_FALSE(co_await read_until(conn, in, "DATA\r\n", soon()));
    REQUIRE_FALSE(co_await conn.write("354 go ahead\r\n", soon()));
    // Reads nothing more: waits for the client to give up and close.
    asio::steady_timer timer(l.executor());
    while (conn.is_open() && clock::now() - start < std::chrono::seconds(8)) {
      timer.expires_after(std::chrono::milliseconds(50));
      co_await timer.async_wait(asio::use_awaitable);
      if (client.next().what == ss::action::done) break;
    }
  };
  auto play = [&]() -> asio::awaitable<void> {
    auto [conn, ec] =
        co_await net::connection::connect(l.executor(), "127.0.0.1", acceptor.local_endpoint().port(), soon());
    REQUIRE_FALSE(ec);
    co_await run::drive(conn, client, d);
  };
  l.spawn(deaf());
  l.spawn(play());
  l.run(std::chrono::seconds(20));
  CHECK(clock::now() - start < bound);
  CHECK(client.result().pointer == "steps/3");
  CHECK(client.result().message == "timed out after 300ms sending steps/3 (the server stopped reading)");
}
