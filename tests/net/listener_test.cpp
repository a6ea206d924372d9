#include "net/listener.hpp"

#include <asio/error.hpp>
#include <asio/post.hpp>
#include <doctest/doctest.h>

#include "net/error.hpp"
#include "net/net_support.hpp"

namespace net = ehlo::net;
using namespace ehlo::test;

TEST_CASE("net: a listener on port 0 reports the port it got") {
  loop l;
  net::listener server(l.executor());
  CHECK(server.port() == 0);
  REQUIRE_FALSE(server.listen());
  CHECK(server.local_endpoint().address() == asio::ip::make_address("127.0.0.1"));
  CHECK(server.port() != 0);

  net::listener by_name(l.executor());
  REQUIRE_FALSE(by_name.listen({"localhost", 0}));
  CHECK(by_name.local_endpoint().address().is_loopback());
  CHECK(by_name.port() != 0);
}

TEST_CASE("net: a port already listened on cannot be bound again") {
  loop l;
  net::listener first(l.executor());
  REQUIRE_FALSE(first.listen());
  net::listener second(l.executor());
  CHECK(second.listen({"127.0.0.1", first.port()}) == asio::error::address_in_use);
  CHECK(second.port() == 0);
}

TEST_CASE("net: accept times out by its deadline and the listener goes on listening") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto task = [&]() -> asio::awaitable<void> {
    const auto start = net::clock::now();
    auto first = co_await server.accept(start + 200ms);
    CHECK(first.ec == net::error::timed_out);
    CHECK(net::clock::now() - start >= 200ms);
    CHECK(net::clock::now() - start < deadline_slack);
    CHECK_FALSE(first.conn.is_open());

    auto [client, connect_ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
    CHECK_FALSE(connect_ec);
    auto second = co_await server.accept(soon());
    CHECK_FALSE(second.ec);
    CHECK(second.conn.remote_endpoint() == client.local_endpoint());
  };
  l.spawn(task());
  l.run();
}

TEST_CASE("net: stop() ends a pending accept with stopped, and every later one") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto waiting = [&]() -> asio::awaitable<void> {
    auto r = co_await server.accept();  // no deadline: until stopped
    CHECK(r.ec == net::error::stopped);
    CHECK((co_await server.accept(soon())).ec == net::error::stopped);
    CHECK(server.listen() == net::error::stopped);
  };
  l.spawn(waiting());
  // As a signal_set handler would: on the listener's executor, while it waits.
  asio::post(l.io, [&] { server.stop(); });
  l.run();
  CHECK(server.stopped());
}
