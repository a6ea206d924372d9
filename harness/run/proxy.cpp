#include "run/proxy.hpp"

#include <asio/ip/address.hpp>

#include <array>

#include "net/error.hpp"
#include "proto/error.hpp"

namespace ehlo::run {

namespace {

using family = proto::proxy_header::family;

family family_of(const asio::ip::address& a) { return a.is_v4() ? family::tcp4 : family::tcp6; }

}  // namespace

proto::proxy_header proxy_header_for(const proxy_settings& s, const net::connection& conn) {
  proto::proxy_header h;
  h.version = s.version;
  const auto local = conn.local_endpoint(), remote = conn.remote_endpoint();
  const bool unix_socket = conn.peer_name().starts_with("unix:");
  if (unix_socket && !(s.source && s.destination)) {
    h.local = true;  // a Unix socket and nothing claimed: the server keeps what it sees
    return h;
  }
  std::error_code ignored;
  const auto source = s.source ? asio::ip::make_address(s.source->host, ignored) : local.address();
  const auto destination = s.destination ? asio::ip::make_address(s.destination->host, ignored) : remote.address();
  h.source = source.to_string();
  h.destination = destination.to_string();
  h.source_port = s.source ? s.source->port : local.port();
  h.destination_port = s.destination ? s.destination->port : remote.port();
  h.kind = family_of(source);
  if (family_of(destination) != h.kind) {
    // One claimed, the other the connection's own, of another family: the
    // header holds one family, so the claimed one decides and the other is
    // its family's unspecified address.
    (s.source ? h.destination : h.source) = h.kind == family::tcp4 ? "0.0.0.0" : "::";
  }
  return h;
}

std::string check_proxy_address(std::string_view text, net::endpoint& out) {
  std::error_code ec;
  out = net::parse_endpoint(text, ec);
  if (ec) return ec.message();
  if (out.is_unix()) return "the PROXY protocol claims TCP addresses: ADDRESS:PORT or [IPv6]:PORT";
  asio::ip::make_address(out.host, ec);
  if (ec) return "\"" + out.host + "\" is not an IP address literal";
  return {};
}

std::string check_proxy_families(const proxy_settings& s) {
  if (!s.source || !s.destination) return {};
  std::error_code ignored;
  const bool v4 = asio::ip::make_address(s.source->host, ignored).is_v4();
  if (v4 != asio::ip::make_address(s.destination->host, ignored).is_v4())
    return "--proxy-source and --proxy-destination must both be IPv4 or both IPv6";
  return {};
}

asio::awaitable<proxy_read> read_proxy_header(net::connection& conn, const proxy_settings& s, net::deadline d) {
  proxy_read out;
  proto::proxy_parser parser;
  std::string got;
  std::array<char, 4096> buf{};
  for (;;) {
    std::error_code ec;
    const std::size_t n = parser.put(got, ec);
    if (!ec) {
      out.rest = got.substr(n);
      const auto& h = parser.get();
      if (!s.any_version && h.version != s.version) {
        out.why = "expected a PROXY v" + std::to_string(s.version) + " header, got " + proto::describe(h);
        co_return out;
      }
      out.header = h;
      co_return out;
    }
    if (!proto::is_need_more(ec)) {
      out.why = ec.message();
      co_return out;
    }
    // Bytes past the header (a client that talks on at once) are the
    // session's: out.rest. The parser refuses junk at once and a v1 line at
    // 107 octets, so `got` stays within a v2 header's 16 + 65535.
    auto [bytes, read_ec] = co_await conn.read_some(std::span<char>(buf.data(), buf.size()), d);
    if (read_ec) {
      out.why = read_ec == net::error::timed_out ? "no header came in time"
                : got.empty()                    ? "the client closed the connection before sending one"
                                                 : "the connection ended inside it: " + read_ec.message();
      co_return out;
    }
    got.append(buf.data(), bytes);
  }
}

asio::awaitable<bool> take_proxy_header(net::connection& conn, const proxy_settings& s, net::deadline d,
                                        session::session& server, std::string& peer) {
  if (s.version == 0 && !s.any_version) co_return true;
  auto read = co_await read_proxy_header(conn, s, d);
  if (!read.header) {
    server.proxy_header_failed(read.why);
    conn.close();
    co_return false;
  }
  const auto& h = *read.header;
  if (!h.local && h.kind != proto::proxy_header::family::unknown)
    peer = proto::describe(h).substr(3) + " (PROXY v" + std::to_string(h.version) + " from " + peer + ")";
  server.received(read.rest);
  co_return true;
}

asio::awaitable<bool> send_proxy_header(net::connection& conn, const proxy_settings& s, net::deadline d,
                                        session::session& client) {
  if (s.version == 0) co_return true;
  if (const auto ec = co_await conn.write(proto::encode_proxy_header(proxy_header_for(s, conn)), d)) {
    client.failed("cannot send the PROXY protocol header: " + ec.message());
    conn.close();
    co_return false;
  }
  co_return true;
}

}  // namespace ehlo::run
