#include "net/connection.hpp"

#include <asio/error.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <doctest/doctest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "net/error.hpp"
#include "net/listener.hpp"
#include "net/net_support.hpp"
#include "report/temp_folder.hpp"

namespace net = ehlo::net;
using namespace ehlo::test;

namespace {

// Accepts one connection, echoes one line back, then shuts down.
asio::awaitable<void> echo_one_line(net::listener& l) {
  auto [conn, ec] = co_await l.accept(soon());
  REQUIRE_FALSE(ec);
  std::string in;
  CHECK_FALSE(co_await read_until(conn, in, "\r\n", soon()));
  CHECK_FALSE(co_await conn.write(in, soon()));
  CHECK_FALSE(co_await conn.shutdown(soon()));
}

bool has_ipv6_loopback() {
  asio::io_context io;
  asio::ip::tcp::acceptor a(io);
  std::error_code ec;
  a.open(asio::ip::tcp::v6(), ec);
  if (!ec) a.bind({asio::ip::address_v6::loopback(), 0}, ec);
  return !ec;
}

}  // namespace

TEST_CASE("net: a line echoed over plain TCP on 127.0.0.1, then eof") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  REQUIRE(server.port() != 0);
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
    REQUIRE_FALSE(ec);
    CHECK(conn.is_open());
    CHECK_FALSE(conn.is_tls());
    CHECK(conn.remote_endpoint().port() == server.port());
    CHECK(co_await conn.write("EHLO client.example\r\n", soon()) == std::error_code{});
    auto [echoed, end] = co_await read_to_end(conn, soon());
    CHECK(echoed == "EHLO client.example\r\n");
    CHECK(end == asio::error::eof);
    CHECK(conn.bytes_out() == 21);
    CHECK(conn.bytes_in() == 21);
    CHECK(conn.tls_version() == "");
    CHECK(conn.peer_verify_result() == -1);
  };
  l.spawn(echo_one_line(server));
  l.spawn(client());
  l.run();
}

TEST_CASE("net: a name that resolves to several addresses: connect tries each") {
  // localhost is ::1 and 127.0.0.1 on most machines; the server listens on
  // 127.0.0.1 alone, so a first try at ::1 is refused and the next one works.
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "localhost", server.port(), soon());
    REQUIRE_FALSE(ec);
    CHECK(conn.remote_endpoint().address() == asio::ip::make_address("127.0.0.1"));
    CHECK_FALSE(co_await conn.write("QUIT\r\n", soon()));
    auto [echoed, end] = co_await read_to_end(conn, soon());
    CHECK(echoed == "QUIT\r\n");
  };
  l.spawn(echo_one_line(server));
  l.spawn(client());
  l.run();
}

TEST_CASE("net: a line echoed over [::1]") {
  if (!has_ipv6_loopback()) {
    MESSAGE("no IPv6 loopback on this machine: skipped");
    return;
  }
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen({"::1", 0}));
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "::1", server.port(), soon());
    REQUIRE_FALSE(ec);
    CHECK(conn.local_endpoint().address().is_v6());
    CHECK_FALSE(co_await conn.write("NOOP\r\n", soon()));
    auto [echoed, end] = co_await read_to_end(conn, soon());
    CHECK(echoed == "NOOP\r\n");
    CHECK(end == asio::error::eof);
  };
  l.spawn(echo_one_line(server));
  l.spawn(client());
  l.run();
}

TEST_CASE("net: a line echoed over a Unix socket, and its socket file gone when the listener stops") {
  const ehlo::report::test::temp_folder dir;
  const auto path = (dir / "smtp.sock").string();
  loop l;
  auto server = std::make_unique<net::listener>(l.executor());
  REQUIRE_FALSE(server->listen(net::endpoint::unix_socket(path)));
  CHECK(server->name() == "unix:" + path);
  CHECK(server->port() == 0);
  CHECK(std::filesystem::is_socket(path));
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), net::endpoint::unix_socket(path), soon());
    REQUIRE_FALSE(ec);
    CHECK(conn.peer_name() == "unix:" + path);
    CHECK(conn.remote_endpoint() == asio::ip::tcp::endpoint{});
    CHECK_FALSE(co_await conn.write("NOOP\r\n", soon()));
    auto [echoed, end] = co_await read_to_end(conn, soon());
    CHECK(echoed == "NOOP\r\n");
    CHECK(end == asio::error::eof);
  };
  l.spawn(echo_one_line(*server));
  l.spawn(client());
  l.run();
  server->stop();
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("net: a Unix socket's path: a stale socket file is replaced, a live one is in use, a file is never removed") {
  const ehlo::report::test::temp_folder dir;
  const auto path = (dir / "smtp.sock").string();
  loop l;
  {
    // A socket file left behind: bound, then its listener gone without removing it.
    asio::local::stream_protocol::acceptor stale(l.executor(), asio::local::stream_protocol::endpoint(path));
  }
  REQUIRE(std::filesystem::is_socket(path));
  net::listener server(l.executor());
  CHECK_FALSE(server.listen(net::endpoint::unix_socket(path)));
  net::listener second(l.executor());
  CHECK(second.listen(net::endpoint::unix_socket(path)) == asio::error::address_in_use);
  CHECK(std::filesystem::is_socket(path));  // still the first one's

  const auto file = (dir / "mail.txt").string();
  std::ofstream(file) << "not a socket";
  net::listener third(l.executor());
  CHECK(third.listen(net::endpoint::unix_socket(file)) == net::error::not_a_socket);
  CHECK(std::filesystem::file_size(file) == 12);

  auto nobody = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(
        l.executor(), net::endpoint::unix_socket((dir / "none.sock").string()), soon());
    CHECK(ec.value() == ENOENT);
    CHECK(ec.message() == "No such file or directory");
    CHECK_FALSE(conn.is_open());
  };
  l.spawn(nobody());
  l.run();
}

TEST_CASE("net: a peer that never answers: read_some times out by its deadline, and the connection goes on") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto silent = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    // Says nothing; reads what the client sends after its timeout.
    std::string in;
    CHECK_FALSE(co_await read_until(conn, in, "\r\n", soon()));
    CHECK(in == "QUIT\r\n");
  };
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
    REQUIRE_FALSE(ec);
    char buf[512];
    const auto start = net::clock::now();
    const auto r = co_await conn.read_some(buf, start + 200ms);
    const auto took = net::clock::now() - start;
    CHECK(r.ec == net::error::timed_out);
    CHECK(r.bytes == 0);
    CHECK(took >= 200ms);
    CHECK(took < deadline_slack);
    CHECK(conn.is_open());
    CHECK_FALSE(co_await conn.write("QUIT\r\n", soon()));
  };
  l.spawn(silent());
  l.spawn(client());
  l.run();
}

TEST_CASE("net: a peer that closes gives eof; a closed connection gives not_open") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto closer = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    conn.close();
    CHECK_FALSE(conn.is_open());
    CHECK(co_await conn.write("x", soon()) == net::error::not_open);
  };
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
    REQUIRE_FALSE(ec);
    char buf[64];
    const auto r = co_await conn.read_some(buf, soon());
    CHECK(r.ec == asio::error::eof);
    CHECK(r.bytes == 0);
    conn.close();
    conn.close();
    CHECK((co_await conn.read_some(buf, soon())).ec == net::error::not_open);
    CHECK(co_await conn.shutdown(soon()) == net::error::not_open);
  };
  l.spawn(closer());
  l.spawn(client());
  l.run();
}

TEST_CASE("net: connecting to a closed port is refused") {
  loop l;
  std::uint16_t port = 0;
  {
    net::listener gone(l.executor());
    REQUIRE_FALSE(gone.listen());
    port = gone.port();
    gone.stop();
  }
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", port, soon());
    CHECK(ec == asio::error::connection_refused);
    CHECK_FALSE(conn.is_open());
  };
  l.spawn(client());
  l.run();
}

TEST_CASE("net: a connect that gets no answer times out by its deadline") {
  // A listener that never accepts, with the smallest backlog: once its queue
  // holds one connection, Linux drops further SYNs, so a connect hangs.
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen({"127.0.0.1", 0}, 0));
  auto client = [&]() -> asio::awaitable<void> {
    std::vector<net::connection> queued;
    for (int i = 0; i < 4; ++i) {
      CAPTURE(i);
      const auto start = net::clock::now();
      auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), start + 300ms);
      if (!ec) {
        queued.push_back(std::move(conn));
        continue;
      }
      CHECK(ec == net::error::timed_out);
      CHECK(net::clock::now() - start >= 300ms);
      CHECK(net::clock::now() - start < deadline_slack);
      CHECK_FALSE(conn.is_open());
      co_return;
    }
    FAIL_CHECK("every connect was accepted into the backlog");
  };
  l.spawn(client());
  l.run();
}

TEST_CASE("net: a 4 MiB write arrives whole over plain TCP") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  const std::string big = pattern(4 << 20);
  auto sink = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    auto [got, end] = co_await read_to_end(conn, net::after(5s));
    CHECK(end == asio::error::eof);
    CHECK(got.size() == big.size());
    CHECK((got == big));  // not printed: 4 MiB
    CHECK(conn.bytes_in() == big.size());
  };
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
    REQUIRE_FALSE(ec);
    CHECK_FALSE(co_await conn.write(big, net::after(5s)));
    CHECK(conn.bytes_out() == big.size());
    CHECK_FALSE(co_await conn.shutdown(soon()));
  };
  l.spawn(sink());
  l.spawn(client());
  l.run();
}

TEST_CASE("net: a write the peer never reads times out and closes the connection") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  // More than the kernel buffers on both ends of a loopback connection hold.
  const std::string huge(16 << 20, 'x');
  asio::steady_timer client_done(l.executor(), net::deadline::max());
  auto deaf = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    // Holds the connection open without reading until the client is done.
    std::error_code woken;
    co_await client_done.async_wait(asio::redirect_error(asio::use_awaitable, woken));
  };
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
    REQUIRE_FALSE(ec);
    const auto start = net::clock::now();
    CHECK(co_await conn.write(huge, start + 300ms) == net::error::timed_out);
    CHECK(net::clock::now() - start < deadline_slack);
    CHECK_FALSE(conn.is_open());
    CHECK(conn.bytes_out() < huge.size());
    client_done.cancel();
  };
  l.spawn(deaf());
  l.spawn(client());
  l.run();
}
