#include "net/endpoint.hpp"

#include <doctest/doctest.h>

#include <string>

#include "net/error.hpp"
#include "net/net_support.hpp"

namespace net = ehlo::net;
using namespace ehlo::test;

TEST_CASE("net: endpoints that parse, and how they print") {
  struct row {
    const char* text;
    net::endpoint want;
    const char* printed;
  };
  const row good[] = {
      {"mx.example.com:25", {"mx.example.com", 25}, "mx.example.com:25"},
      {"127.0.0.1:0", {"127.0.0.1", 0}, "127.0.0.1:0"},
      {"localhost:2525", {"localhost", 2525}, "localhost:2525"},
      {"[::1]:587", {"::1", 587}, "[::1]:587"},
      {"[2001:db8::25]:65535", {"2001:db8::25", 65535}, "[2001:db8::25]:65535"},
      {"[::ffff:192.0.2.1]:25", {"::ffff:192.0.2.1", 25}, "[::ffff:192.0.2.1]:25"},
      {"_smtp-relay.Example.ORG:00025", {"_smtp-relay.Example.ORG", 25}, "_smtp-relay.Example.ORG:25"},
  };
  for (const auto& r : good) {
    CAPTURE(r.text);
    std::error_code ec;
    const auto e = net::parse_endpoint(r.text, ec);
    CHECK_FALSE(ec);
    CHECK(e == r.want);
    CHECK(net::to_string(e) == r.printed);
  }
}

TEST_CASE("net: endpoints that do not parse, each with its reason") {
  const std::pair<const char*, net::error> bad[] = {
      {"", net::error::missing_port},
      {"mx.example.com", net::error::missing_port},
      {"[::1]", net::error::missing_port},
      {"[::1]25", net::error::missing_port},
      {"mx.example.com:", net::error::bad_port},
      {"mx.example.com:65536", net::error::bad_port},
      {"mx.example.com:123456", net::error::bad_port},
      {"mx.example.com:+25", net::error::bad_port},
      {"mx.example.com:-1", net::error::bad_port},
      {"mx.example.com: 25", net::error::bad_port},
      {"mx.example.com:25 ", net::error::bad_port},
      {"mx.example.com:0x19", net::error::bad_port},
      {":25", net::error::bad_host},
      {"mx example.com:25", net::error::bad_host},
      {"mx/example:25", net::error::bad_host},
      {"mx.example.com\r\n:25", net::error::bad_host},
      {"m\xc3\xa9l.example:25", net::error::bad_host},
      {"::1:25", net::error::unbracketed_ipv6},
      {"2001:db8::1:25", net::error::unbracketed_ipv6},
      {"[::1:25", net::error::bad_ipv6},
      {"[mx.example.com]:25", net::error::bad_ipv6},
      {"[127.0.0.1]:25", net::error::bad_ipv6},
      {"[]:25", net::error::bad_ipv6},
  };
  for (const auto& [text, want] : bad) {
    CAPTURE(text);
    std::error_code ec;
    const auto e = net::parse_endpoint(text, ec);
    CHECK(ec == want);
    CHECK(e == net::endpoint{});
  }
  std::error_code ec;
  net::parse_endpoint(std::string(254, 'a') + ":25", ec);
  CHECK(ec == net::error::bad_host);
  net::parse_endpoint(std::string(253, 'a') + ":25", ec);
  CHECK_FALSE(ec);
  CHECK(make_error_code(net::error::unbracketed_ipv6).message() ==
        "an IPv6 address in an endpoint goes in brackets: [::1]:25");
}

TEST_CASE("net: a Unix socket is unix:PATH, with a path a socket address can hold") {
  std::error_code ec;
  const auto e = net::parse_endpoint("unix:/run/dovecot/lmtp", ec);
  CHECK_FALSE(ec);
  CHECK(e.is_unix());
  CHECK(e.path == "/run/dovecot/lmtp");
  CHECK(e == net::endpoint::unix_socket("/run/dovecot/lmtp"));
  CHECK(net::to_string(e) == "unix:/run/dovecot/lmtp");
  CHECK(net::parse_endpoint("unix:relative.sock", ec).path == "relative.sock");
  CHECK_FALSE(ec);
  CHECK(net::parse_endpoint("unix:" + std::string(107, 'a'), ec).is_unix());
  CHECK_FALSE(ec);
  for (const std::string& bad : {std::string("unix:"), "unix:" + std::string(108, 'a'), std::string("unix:/a\0b", 9)}) {
    CAPTURE(bad);
    CHECK(net::parse_endpoint(bad, ec) == net::endpoint{});
    CHECK(ec == net::error::bad_unix_path);
  }
  CHECK_FALSE(net::parse_endpoint("127.0.0.1:25", ec).is_unix());
}

TEST_CASE("net: resolving address literals and localhost") {
  loop l;
  auto task = [&]() -> asio::awaitable<void> {
    auto v4 = co_await net::resolve("127.0.0.1", 25, soon());
    CHECK_FALSE(v4.ec);
    REQUIRE(v4.endpoints.size() == 1);
    CHECK(v4.endpoints[0] == asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 25));

    auto v6 = co_await net::resolve("::1", 587, soon());
    CHECK_FALSE(v6.ec);
    REQUIRE(v6.endpoints.size() == 1);
    CHECK(v6.endpoints[0] == asio::ip::tcp::endpoint(asio::ip::make_address("::1"), 587));

    // /etc/hosts: no traffic leaves the machine.
    auto name = co_await net::resolve("localhost", 2525, soon());
    CHECK_FALSE(name.ec);
    REQUIRE_FALSE(name.endpoints.empty());
    for (const auto& e : name.endpoints) {
      CHECK(e.address().is_loopback());
      CHECK(e.port() == 2525);
    }
  };
  l.spawn(task());
  l.run();
}
