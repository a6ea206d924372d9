// Endpoints as users write them, and name resolution.
//
// "HOST:PORT" where HOST is a host name or an IPv4 literal, "[IPv6]:PORT"
// (the brackets are required: "::1:25" is ambiguous), or "unix:PATH" for a
// Unix-domain stream socket (where LMTP servers and local MTAs listen). Port 0
// parses: a listener binds an ephemeral port for it. A host name is letters, digits,
// '-', '.' and '_' (seen in real MX names), at most 253 bytes; the parser does
// not judge its label syntax, resolution does.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/generic/stream_protocol.hpp>
#include <asio/ip/tcp.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "net/deadline.hpp"

namespace ehlo::net {

struct endpoint {
  endpoint() = default;
  endpoint(std::string host_name, std::uint16_t port_number) : host(std::move(host_name)), port(port_number) {}
  static endpoint unix_socket(std::string socket_path) {
    endpoint e;
    e.path = std::move(socket_path);
    return e;
  }

  std::string host;  ///< a name or an address literal; an IPv6 literal without brackets
  std::uint16_t port = 0;
  std::string path;  ///< a Unix socket's path ("unix:PATH"); then host and port are unused

  bool is_unix() const noexcept { return !path.empty(); }

  friend bool operator==(const endpoint&, const endpoint&) = default;
};

/// Parses "HOST:PORT", "[IPv6]:PORT" or "unix:PATH". On error ec is set
/// (net::error's missing_port, bad_port, bad_host, unbracketed_ipv6,
/// bad_ipv6, bad_unix_path) and the result is empty.
endpoint parse_endpoint(std::string_view text, std::error_code& ec);

/// "host:port", with brackets around an IPv6 host, or "unix:path": what
/// parse_endpoint reads.
std::string to_string(const endpoint& e);
std::ostream& operator<<(std::ostream& os, const endpoint& e);

/// A socket's address as TCP's: the same address when it is IPv4 or IPv6, an
/// empty endpoint (0.0.0.0:0) when it is a Unix socket's.
asio::ip::tcp::endpoint tcp_of(const asio::generic::stream_protocol::endpoint& e);

struct resolve_result {
  std::vector<asio::ip::tcp::endpoint> endpoints;  ///< in the resolver's order
  std::error_code ec;
};

/// The addresses of host:port. An address literal needs no lookup; a name
/// goes to the system resolver (getaddrinfo, /etc/hosts first), with every
/// address family. A lookup that has not answered by the deadline gives
/// error::timed_out; the lookup itself finishes in the background (getaddrinfo
/// cannot be interrupted) and its answer is dropped.
asio::awaitable<resolve_result> resolve(std::string host, std::uint16_t port, deadline d);

}  // namespace ehlo::net
