#include <asio/error.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <doctest/doctest.h>
#include <openssl/x509_vfy.h>

#include <string>

#include "net/connection.hpp"
#include "net/error.hpp"
#include "net/listener.hpp"
#include "net/net_support.hpp"

namespace net = ehlo::net;
using namespace ehlo::test;

namespace {

// Implicit TLS (as on port 465): handshake at once, echo one line, close_notify.
asio::awaitable<void> tls_echo_one_line(net::listener& l, asio::ssl::context& ctx, std::string& version_seen) {
  auto [conn, ec] = co_await l.accept(soon());
  REQUIRE_FALSE(ec);
  REQUIRE_FALSE(co_await conn.start_tls_server(ctx, soon()));
  version_seen = conn.tls_version();
  std::string in;
  CHECK_FALSE(co_await read_until(conn, in, "\r\n", soon()));
  CHECK_FALSE(co_await conn.write(in, soon()));
  CHECK_FALSE(co_await conn.shutdown(soon()));
}

// A client that connects to the port and starts TLS at once.
asio::awaitable<net::connect_result> connect_tls(asio::any_io_executor ex, std::uint16_t port, asio::ssl::context& ctx,
                                                 std::string host = "localhost") {
  auto r = co_await net::connection::connect(ex, "127.0.0.1", port, soon());
  if (!r.ec) r.ec = co_await r.conn.start_tls_client(ctx, host, soon());
  co_return r;
}

// The size of the first TLS record in `in`, header included; 0 until its header is there.
std::size_t first_record_size(std::string_view in) {
  if (in.size() < 5) return 0;
  return 5 + (std::size_t{static_cast<unsigned char>(in[3])} << 8 | static_cast<unsigned char>(in[4]));
}

}  // namespace

TEST_CASE("net: implicit TLS 1.3 with the in-memory certificate: echo, close_notify as eof") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto server_ctx = server_context();
  auto client_ctx = trusting_client_context();
  std::string server_version;
  auto client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await connect_tls(l.executor(), server.port(), client_ctx);
    REQUIRE_FALSE(ec);
    CHECK(conn.is_tls());
    CHECK(conn.tls_version() == "TLSv1.3");
    CHECK(conn.tls_cipher().starts_with("TLS_"));
    // Not verified, but the verdict is there to report.
    CHECK(conn.peer_verify_result() == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
    CHECK(conn.peer_verify_error() == "self-signed certificate");
    CHECK_FALSE(co_await conn.write("EHLO tls.example\r\n", soon()));
    auto [echoed, end] = co_await read_to_end(conn, soon());
    CHECK(echoed == "EHLO tls.example\r\n");
    CHECK(end == asio::error::eof);
    CHECK(conn.bytes_in() == 18);
    CHECK(conn.bytes_out() == 18);
  };
  l.spawn(tls_echo_one_line(server, server_ctx, server_version));
  l.spawn(client());
  l.run();
  CHECK(server_version == "TLSv1.3");
}

TEST_CASE("net: TLS 1.2 when either side's highest version is 1.2") {
  for (const bool client_side : {true, false}) {
    CAPTURE(client_side);
    loop l;
    net::listener server(l.executor());
    REQUIRE_FALSE(server.listen());
    net::server_tls_settings ss;
    if (!client_side) ss.max_version = net::tls_version::tls1_2;
    auto server_ctx = server_context(ss);
    auto client_ctx = trusting_client_context(client_side ? net::tls_version::tls1_2 : net::tls_version::tls1_3);
    std::string server_version;
    auto client = [&]() -> asio::awaitable<void> {
      auto [conn, ec] = co_await connect_tls(l.executor(), server.port(), client_ctx);
      REQUIRE_FALSE(ec);
      CHECK(conn.tls_version() == "TLSv1.2");
      CHECK(conn.tls_cipher() == "ECDHE-ECDSA-AES256-GCM-SHA384");
      CHECK_FALSE(co_await conn.write("NOOP\r\n", soon()));
      auto [echoed, end] = co_await read_to_end(conn, soon());
      CHECK(echoed == "NOOP\r\n");
      CHECK(end == asio::error::eof);
    };
    l.spawn(tls_echo_one_line(server, server_ctx, server_version));
    l.spawn(client());
    l.run();
    CHECK(server_version == "TLSv1.2");
  }
}

TEST_CASE("net: STARTTLS in place; bytes pipelined before the upgrade never come out of TLS") {
  // The client sends "STARTTLS" and "RSET" in one write (as in CVE-2011-0411).
  // The server's read leaves "RSET" in its own buffer; after the handshake the
  // first bytes read are the client's first bytes inside TLS.
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto server_ctx = server_context();
  auto client_ctx = trusting_client_context();
  auto server_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    CHECK_FALSE(co_await conn.write("220 mx.test ESMTP\r\n", soon()));
    std::string in;
    CHECK_FALSE(co_await read_until(conn, in, "RSET\r\n", soon()));
    CHECK(in == "STARTTLS\r\nRSET\r\n");
    CHECK_FALSE(co_await conn.write("220 2.0.0 Ready to start TLS\r\n", soon()));
    REQUIRE_FALSE(co_await conn.start_tls_server(server_ctx, soon()));
    CHECK(conn.server_name() == "localhost");
    CHECK(conn.peer_verify_result() == -1);  // no client certificate asked for
    // The session discards "RSET\r\n" and reports it; the connection never replays it.
    std::string tls_in;
    CHECK_FALSE(co_await read_until(conn, tls_in, "\r\n", soon()));
    CHECK(tls_in == "EHLO client.example\r\n");
    CHECK_FALSE(co_await conn.write("250 mx.test\r\n", soon()));
    CHECK_FALSE(co_await conn.shutdown(soon()));
    CHECK(conn.bytes_in() == 16 + 21);
  };
  auto client_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
    REQUIRE_FALSE(ec);
    std::string in;
    CHECK_FALSE(co_await read_until(conn, in, "\r\n", soon()));
    CHECK(in == "220 mx.test ESMTP\r\n");
    CHECK_FALSE(co_await conn.write("STARTTLS\r\nRSET\r\n", soon()));
    in.clear();
    CHECK_FALSE(co_await read_until(conn, in, "\r\n", soon()));
    CHECK(in == "220 2.0.0 Ready to start TLS\r\n");
    REQUIRE_FALSE(co_await conn.start_tls_client(client_ctx, "localhost", soon()));
    CHECK(conn.is_tls());
    CHECK(co_await conn.start_tls_client(client_ctx, "localhost", soon()) == net::error::tls_started);
    CHECK_FALSE(co_await conn.write("EHLO client.example\r\n", soon()));
    auto [reply, end] = co_await read_to_end(conn, soon());
    CHECK(reply == "250 mx.test\r\n");
    CHECK(end == asio::error::eof);
  };
  l.spawn(server_side());
  l.spawn(client_side());
  l.run();
}

TEST_CASE("net: a verifying client refuses the self-signed certificate, with OpenSSL's reason") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto server_ctx = server_context();
  auto client_ctx = client_context();  // verify_peer, the system's CAs
  auto server_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    const auto tls_ec = co_await conn.start_tls_server(server_ctx, soon());
    CHECK(tls_ec.category() == asio::error::get_ssl_category());  // the client's alert
    CHECK(conn.tls_failure(tls_ec) == "the client sent the TLS alert \"unknown CA\" (48)");
    CHECK_FALSE(net::is_verify_failure(tls_ec));
    CHECK_FALSE(conn.is_open());
  };
  auto client_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await connect_tls(l.executor(), server.port(), client_ctx);
    CHECK(ec.category() == asio::error::get_ssl_category());
    CHECK(ec.message().find("certificate verify failed") != std::string::npos);
    CHECK(net::is_verify_failure(ec));
    CHECK(conn.tls_failure(ec) == "the server's certificate failed verification: self-signed certificate");
    CHECK_FALSE(conn.is_tls());
    CHECK_FALSE(conn.is_open());
    CHECK(conn.peer_verify_result() == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
    CHECK(conn.peer_verify_error() == "self-signed certificate");
    CHECK(conn.tls_version() == "");
  };
  l.spawn(server_side());
  l.spawn(client_side());
  l.run();
}

TEST_CASE("net: a handshake the peer ends with an alert names the alert, from either side") {
  // The server speaks TLS 1.2 at most, the client 1.3 at least: the server
  // answers the ClientHello with a protocol_version alert (70), before any
  // certificate; nothing about one is said.
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  net::server_tls_settings ss;
  ss.max_version = net::tls_version::tls1_2;
  auto server_ctx = server_context(ss);
  net::client_tls_settings cs;
  cs.verify_peer = false;
  cs.min_version = net::tls_version::tls1_3;
  auto client_ctx = client_context(cs);
  auto server_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    const auto tls_ec = co_await conn.start_tls_server(server_ctx, soon());
    REQUIRE(tls_ec);
    CHECK(conn.tls_failure(tls_ec) == tls_ec.message());  // its own refusal: OpenSSL's words
  };
  auto client_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await connect_tls(l.executor(), server.port(), client_ctx);
    REQUIRE(ec);
    CHECK(conn.tls_failure(ec) == "the server sent the TLS alert \"protocol version\" (70)");
    CHECK_FALSE(net::is_verify_failure(ec));
    CHECK(conn.peer_verify_reason().empty());
  };
  l.spawn(server_side());
  l.spawn(client_side());
  l.run();
  // Not an OpenSSL error: the error's own message.
  net::connection idle(l.executor());
  CHECK(idle.tls_failure(make_error_code(net::error::timed_out)) == "the operation did not finish before its deadline");
}

TEST_CASE("net: a client that trusts the server's certificate checks the name or address it was given") {
  struct row {
    const char* host;
    long verdict;
  };
  const row rows[] = {
      {"localhost", X509_V_OK},
      {"127.0.0.1", X509_V_OK},
      {"::1", X509_V_OK},
      {"mx.example.com", X509_V_ERR_HOSTNAME_MISMATCH},
      {"127.0.0.2", X509_V_ERR_IP_ADDRESS_MISMATCH},
  };
  auto server_ctx = server_context();
  const std::string pinned = net::certificate_pem(server_ctx);
  for (const bool verify : {true, false}) {
    for (const auto& r : rows) {
      CAPTURE(verify);
      CAPTURE(r.host);
      loop l;
      net::listener server(l.executor());
      REQUIRE_FALSE(server.listen());
      net::client_tls_settings cs;
      cs.ca_pem = pinned;
      cs.verify_peer = verify;
      auto client_ctx = client_context(cs);
      const bool should_connect = !verify || r.verdict == X509_V_OK;
      auto server_side = [&]() -> asio::awaitable<void> {
        auto [conn, ec] = co_await server.accept(soon());
        REQUIRE_FALSE(ec);
        CHECK((co_await conn.start_tls_server(server_ctx, soon()) == std::error_code{}) == should_connect);
      };
      auto client_side = [&]() -> asio::awaitable<void> {
        auto [conn, ec] = co_await connect_tls(l.executor(), server.port(), client_ctx, r.host);
        CHECK((ec == std::error_code{}) == should_connect);
        CHECK(conn.peer_verify_result() == r.verdict);
      };
      l.spawn(server_side());
      l.spawn(client_side());
      l.run();
    }
  }
}

TEST_CASE("net: peer_verify_reason says why a verifying client would refuse, the name checked past a chain error") {
  struct row {
    bool pinned;  // the client trusts the server's certificate
    const char* host;
    const char* reason;
  };
  const row rows[] = {
      {false, "localhost", "self-signed certificate"},
      {false, "", "self-signed certificate"},
      {false, "mx.example.com", "self-signed certificate; hostname mismatch (mx.example.com)"},
      {false, "127.0.0.2", "self-signed certificate; IP address mismatch (127.0.0.2)"},
      {true, "localhost", ""},
      {true, "::1", ""},
      {true, "mx.example.com", "hostname mismatch (mx.example.com)"},
      {true, "127.0.0.2", "IP address mismatch (127.0.0.2)"},
  };
  auto server_ctx = server_context();
  const std::string pem = net::certificate_pem(server_ctx);
  for (const bool verify : {false, true}) {
    for (const auto& r : rows) {
      CAPTURE(verify);
      CAPTURE(r.pinned);
      CAPTURE(r.host);
      loop l;
      net::listener server(l.executor());
      REQUIRE_FALSE(server.listen());
      net::client_tls_settings cs;
      cs.verify_peer = verify;
      if (r.pinned) cs.ca_pem = pem;
      auto client_ctx = client_context(cs);
      auto server_side = [&]() -> asio::awaitable<void> {
        auto [conn, ec] = co_await server.accept(soon());
        REQUIRE_FALSE(ec);
        co_await conn.start_tls_server(server_ctx, soon());
        CHECK(conn.peer_verify_reason() == "");  // the server asks for no certificate
      };
      auto client_side = [&]() -> asio::awaitable<void> {
        net::connection before(l.executor());
        CHECK(before.peer_verify_reason() == "");
        auto [conn, ec] = co_await connect_tls(l.executor(), server.port(), client_ctx, r.host);
        // A verifying client refuses exactly what the reason names, and says why after the refusal too.
        CHECK((ec == std::error_code{}) == (!verify || std::string_view(r.reason).empty()));
        CHECK(conn.peer_verify_reason() == r.reason);
      };
      l.spawn(server_side());
      l.spawn(client_side());
      l.run();
    }
  }
}

TEST_CASE("net: a peer that accepts TCP and then stalls the handshake: timed_out by the deadline") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto client_ctx = trusting_client_context();
  auto server_ctx = server_context();
  asio::steady_timer client_done(l.executor(), net::deadline::max());
  // Broken server: takes the connection, reads the ClientHello, answers nothing.
  auto broken_stalling_server = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    std::error_code woken;
    co_await client_done.async_wait(asio::redirect_error(asio::use_awaitable, woken));
  };
  auto client_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
    REQUIRE_FALSE(ec);
    const auto start = net::clock::now();
    CHECK(co_await conn.start_tls_client(client_ctx, "localhost", start + 200ms) == net::error::timed_out);
    CHECK(net::clock::now() - start < deadline_slack);
    CHECK_FALSE(conn.is_open());
    CHECK_FALSE(conn.is_tls());
    client_done.cancel();
  };
  l.spawn(broken_stalling_server());
  l.spawn(client_side());
  l.run();
}

TEST_CASE("net: a client that never sends its ClientHello: the server's handshake times out") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto server_ctx = server_context();
  asio::steady_timer server_done(l.executor(), net::deadline::max());
  auto server_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    const auto start = net::clock::now();
    CHECK(co_await conn.start_tls_server(server_ctx, start + 200ms) == net::error::timed_out);
    CHECK(net::clock::now() - start < deadline_slack);
    CHECK_FALSE(conn.is_open());
    server_done.cancel();
  };
  auto broken_silent_client = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
    REQUIRE_FALSE(ec);
    std::error_code woken;
    co_await server_done.async_wait(asio::redirect_error(asio::use_awaitable, woken));
  };
  l.spawn(server_side());
  l.spawn(broken_silent_client());
  l.run();
}

TEST_CASE("net: a server that closes during the handshake: an error at once, not a hang") {
  // Closing with the ClientHello read leaves a clean end of stream; closing with
  // part of it unread makes the kernel send a reset.
  struct row {
    bool read_whole_hello;
    std::error_code want;
  };
  const row rows[] = {
      {true, asio::ssl::error::stream_truncated},
      {false, asio::error::connection_reset},
  };
  for (const auto& r : rows) {
    CAPTURE(r.read_whole_hello);
    loop l;
    net::listener server(l.executor());
    REQUIRE_FALSE(server.listen());
    auto client_ctx = trusting_client_context();
    auto broken_closing_server = [&]() -> asio::awaitable<void> {
      auto [conn, ec] = co_await server.accept(soon());
      REQUIRE_FALSE(ec);
      std::string hello;
      char buf[4096];
      do {
        const auto got = co_await conn.read_some(std::span(buf, r.read_whole_hello ? sizeof buf : 5), soon());
        REQUIRE_FALSE(got.ec);
        hello.append(buf, got.bytes);
      } while (r.read_whole_hello && (first_record_size(hello) == 0 || hello.size() < first_record_size(hello)));
      CHECK(hello[0] == 0x16);  // a TLS handshake record
      conn.close();
    };
    auto client_side = [&]() -> asio::awaitable<void> {
      auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", server.port(), soon());
      REQUIRE_FALSE(ec);
      const auto start = net::clock::now();
      const auto tls_ec = co_await conn.start_tls_client(client_ctx, "localhost", soon());
      CHECK(tls_ec == r.want);
      CHECK(net::clock::now() - start < deadline_slack);
      CHECK_FALSE(conn.is_tls());
      CHECK_FALSE(conn.is_open());
      CHECK(conn.peer_verify_result() == -1);
      CHECK(conn.peer_verify_error() == "no peer certificate");
    };
    l.spawn(broken_closing_server());
    l.spawn(client_side());
    l.run();
  }
}

TEST_CASE("net: a peer that closes TCP inside TLS without close_notify: stream_truncated") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto server_ctx = server_context();
  auto client_ctx = trusting_client_context();
  auto server_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(co_await conn.start_tls_server(server_ctx, soon()));
    CHECK_FALSE(co_await conn.write("221 bye\r\n", soon()));
    conn.close();
  };
  auto client_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await connect_tls(l.executor(), server.port(), client_ctx);
    REQUIRE_FALSE(ec);
    auto [got, end] = co_await read_to_end(conn, soon());
    CHECK(got == "221 bye\r\n");
    CHECK(end == asio::ssl::error::stream_truncated);
  };
  l.spawn(server_side());
  l.spawn(client_side());
  l.run();
}

TEST_CASE("net: a 4 MiB write arrives whole over TLS") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto server_ctx = server_context();
  auto client_ctx = trusting_client_context();
  const std::string big = pattern(4 << 20);
  auto sink = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(co_await conn.start_tls_server(server_ctx, soon()));
    auto [got, end] = co_await read_to_end(conn, net::after(5s));
    CHECK(end == asio::error::eof);
    CHECK(got.size() == big.size());
    CHECK((got == big));  // not printed: 4 MiB
  };
  auto client_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await connect_tls(l.executor(), server.port(), client_ctx);
    REQUIRE_FALSE(ec);
    CHECK_FALSE(co_await conn.write(big, net::after(5s)));
    CHECK(conn.bytes_out() == big.size());
    CHECK_FALSE(co_await conn.shutdown(soon()));
    // A graceful close reads to the end: closing with unread bytes (TLS 1.3
    // session tickets here) makes the kernel reset the connection.
    auto [rest, end] = co_await read_to_end(conn, soon());
    CHECK(rest.empty());
    CHECK(end == asio::ssl::error::stream_truncated);
  };
  l.spawn(sink());
  l.spawn(client_side());
  l.run();
}

TEST_CASE("net: over TLS a read times out and the connection goes on; after shutdown() reads go on to the end") {
  loop l;
  net::listener server(l.executor());
  REQUIRE_FALSE(server.listen());
  auto server_ctx = server_context();
  auto client_ctx = trusting_client_context();
  auto server_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await server.accept(soon());
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(co_await conn.start_tls_server(server_ctx, soon()));
    std::string in;
    CHECK_FALSE(co_await read_until(conn, in, "\r\n", soon()));
    CHECK(in == "QUIT\r\n");
    // The client's close_notify: the end of what it sends, not of the connection.
    char buf[16];
    CHECK((co_await conn.read_some(buf, soon())).ec == asio::error::eof);
    CHECK_FALSE(co_await conn.write("221 2.0.0 Bye\r\n", soon()));
    CHECK_FALSE(co_await conn.shutdown(soon()));
  };
  auto client_side = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await connect_tls(l.executor(), server.port(), client_ctx);
    REQUIRE_FALSE(ec);
    char buf[16];
    const auto start = net::clock::now();
    CHECK((co_await conn.read_some(buf, start + 200ms)).ec == net::error::timed_out);
    CHECK(net::clock::now() - start < deadline_slack);
    CHECK(conn.is_tls());
    CHECK_FALSE(co_await conn.write("QUIT\r\n", soon()));
    CHECK_FALSE(co_await conn.shutdown(soon()));
    auto [reply, end] = co_await read_to_end(conn, soon());
    CHECK(reply == "221 2.0.0 Bye\r\n");
    CHECK(end == asio::error::eof);
  };
  l.spawn(server_side());
  l.spawn(client_side());
  l.run();
}
