// run::drive over loopback: a session played on a real connection, against
// the other role or a hand-written peer. What only the driver can tell the
// session: the server's certificate, and the whole session's time.
#include "run/drive.hpp"

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "net/net_support.hpp"
#include "run/runner.hpp"
#include "session/client_session.hpp"
#include "session/server_session.hpp"
#include "support/session_driver.hpp"

namespace net = ehlo::net;
namespace run = ehlo::run;
namespace ss = ehlo::session;
using namespace ehlo::test;

namespace {

constexpr std::string_view starttls = R"json({"version": 1, "name": "starttls", "steps": [
  {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"}, {"S": ["250-mx.example", "250 STARTTLS"]},
  {"C": "STARTTLS"}, {"S": "220 2.0.0 Ready"}, {"tls": "start"},
  {"C": "EHLO client.example"}, {"S": "250 mx.example"}, {"C": "QUIT"}, {"S": "221 bye"}]})json";

struct played {
  ss::verdict client, server;
  std::vector<std::string> client_findings;
};

/// Both roles of `sc` over loopback TLS: the server with the in-memory
/// certificate, the client with `cs` and `host` as the name to check.
played play_tls(const ehlo::scenario::scenario& sc, const net::client_tls_settings& cs, const std::string& host) {
  loop l;
  net::listener listener(l.executor());
  REQUIRE_FALSE(listener.listen());
  auto server_ctx = server_context();
  net::client_tls_settings with_ca = cs;
  if (with_ca.ca_pem == "pin") with_ca.ca_pem = net::certificate_pem(server_ctx);
  auto client_ctx = client_context(with_ca);
  ss::client_session client(sc, fixed_settings());
  ss::server_session server(sc, fixed_settings());
  run::drive_settings ds, dc;
  ds.tls = &server_ctx;
  dc.tls = &client_ctx;
  dc.server_name = host;
  ds.linger = dc.linger = std::chrono::milliseconds(200);
  auto serve = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await listener.accept(soon());
    REQUIRE_FALSE(ec);
    co_await run::drive(conn, server, ds);
  };
  auto play = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", listener.port(), soon());
    REQUIRE_FALSE(ec);
    co_await run::drive(conn, client, dc);
  };
  l.spawn(serve());
  l.spawn(play());
  l.run();
  played p{client.result(), server.result(), {}};
  for (const auto& f : client.findings()) {
    std::ostringstream line;
    line << f;
    p.client_findings.push_back(line.str());
  }
  return p;
}

}  // namespace

TEST_CASE("drive: a server certificate a verifying client would refuse is a finding; verifying, the failure says why") {
  const auto sc = scenario_of(starttls);
  const std::string at =
      "[3207-4.1] steps/5 @" + std::to_string(std::string("220 mx.example ESMTP\r\n250-mx.example\r\n"
                                                          "250 STARTTLS\r\n220 2.0.0 Ready\r\n")
                                                  .size());
  SUBCASE("not verifying: the finding, and the session goes on") {
    net::client_tls_settings cs;
    cs.verify_peer = false;
    const auto p = play_tls(sc, cs, "mx.example.com");
    CHECK(p.client == ss::verdict{});
    CHECK(p.server == ss::verdict{});
    CHECK(p.client_findings ==
          std::vector<std::string>{at + ": the server's certificate would not pass a verifying client: self-signed "
                                        "certificate; hostname mismatch (mx.example.com)"});
  }
  SUBCASE("not verifying, the certificate trusted and naming the host: nothing to find") {
    net::client_tls_settings cs;
    cs.verify_peer = false;
    cs.ca_pem = "pin";
    const auto p = play_tls(sc, cs, "localhost");
    CHECK(p.client == ss::verdict{});
    CHECK(p.client_findings.empty());
  }
  SUBCASE("verifying: the handshake fails on the certificate, and the failure says why") {
    net::client_tls_settings cs;
    cs.verify_peer = true;
    const auto p = play_tls(sc, cs, "localhost");
    CHECK(p.client.pointer == "steps/5");
    CHECK(p.client.message ==
          "the TLS handshake failed at steps/5: the server's certificate failed verification: self-signed certificate");
    CHECK(p.client_findings.empty());
    CHECK_FALSE(p.server.passed());
  }
}

TEST_CASE("drive: the whole-session limit stops a peer that answers every step just in time") {
  // Each reply comes 40 ms after what it answers, far inside its step's 2 s;
  // eight of them take longer than the session's 100 ms.
  const auto sc = scenario_of(R"json({"version": 1, "name": "slow", "timeout": "2s", "steps": [
    {"S": "220 slow.example"},
    {"C": "NOOP"}, {"S": "250 ok"}, {"C": "NOOP"}, {"S": "250 ok"}, {"C": "NOOP"}, {"S": "250 ok"},
    {"C": "NOOP"}, {"S": "250 ok"}, {"C": "NOOP"}, {"S": "250 ok"}, {"C": "NOOP"}, {"S": "250 ok"},
    {"C": "NOOP"}, {"S": "250 ok"}, {"C": "QUIT"}, {"S": "221 bye"}]})json");
  for (const bool limited : {true, false}) {
    CAPTURE(limited);
    loop l;
    net::listener listener(l.executor());
    REQUIRE_FALSE(listener.listen());
    ss::client_session client(sc, fixed_settings());
    run::drive_settings d;
    d.linger = std::chrono::milliseconds(200);
    if (limited) d.session_limit = std::chrono::milliseconds(100);
    auto slow_server = [&]() -> asio::awaitable<void> {
      auto [conn, ec] = co_await listener.accept(soon());
      REQUIRE_FALSE(ec);
      asio::steady_timer timer(l.executor());
      std::string in;
      for (std::string reply = "220 slow.example\r\n";;) {
        timer.expires_after(std::chrono::milliseconds(40));
        co_await timer.async_wait(asio::use_awaitable);
        if (co_await conn.write(reply, soon())) co_return;
        if (reply.starts_with("221")) break;
        in.clear();
        if (co_await read_until(conn, in, "\r\n", soon())) co_return;  // the client gave up
        reply = in.starts_with("QUIT") ? "221 bye\r\n" : "250 ok\r\n";
      }
      co_await conn.shutdown(soon());
      co_await read_to_end(conn, soon());
    };
    auto play = [&]() -> asio::awaitable<void> {
      auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", listener.port(), soon());
      REQUIRE_FALSE(ec);
      co_await run::drive(conn, client, d);
    };
    l.spawn(slow_server());
    l.spawn(play());
    l.run();
    if (limited) {
      const auto& v = client.result();
      CHECK_FALSE(v.passed());
      CHECK(v.message.starts_with("the session took longer than 100ms (the whole-session limit); it was at steps/"));
      CHECK(v.message.ends_with(v.pointer));
      CHECK(v.pointer != "steps/16");  // it stopped before the end: which step is a matter of timing
    } else {
      CHECK(client.result() == ss::verdict{});
    }
  }
}

TEST_CASE("run: the default whole-session limit is 5 minutes, or twice what a scenario asks to wait in one stretch") {
  ss::settings s;
  const auto plain = scenario_of(R"json({"version": 1, "name": "a", "steps": [{"S": "220 x"}]})json");
  CHECK(run::default_session_limit(plain, s) == std::chrono::minutes(5));
  const auto waits = scenario_of(R"json({"version": 1, "name": "b", "timeout": "3m", "steps": [
    {"S": "220 x", "timeout": "10s"}, {"C": "NOOP"}, {"pause": "1m"},
    {"one_of": [[{"S": "250 ok"}, {"pause": "30s"}], [{"S": "502 no"}]]}]})json");
  // The longest wait is the scenario's 3m (the C step's and the branches'), the pauses 1m30s.
  CHECK(run::default_session_limit(waits, s) == std::chrono::seconds(2 * (180 + 90)));
  s.timeout = std::chrono::seconds(1);  // --timeout: every wait
  CHECK(run::default_session_limit(waits, s) == std::chrono::minutes(5));
}
