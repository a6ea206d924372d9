// The PROXY protocol (proto/proxy_header.hpp) on a connection: the header the
// client role sends before anything else, and the one the server role reads
// first. Between the connection and the session: the session never sees these
// bytes, as an SMTP server behind HAProxy never does.
#pragma once

#include <asio/awaitable.hpp>

#include <optional>
#include <string>

#include "net/connection.hpp"
#include "net/deadline.hpp"
#include "net/endpoint.hpp"
#include "proto/proxy_header.hpp"
#include "session/session.hpp"

namespace ehlo::run {

/// What --proxy, --proxy-source and --proxy-destination ask for.
struct proxy_settings {
  int version = 0;  ///< 0: no PROXY protocol; 1 or 2
  /// Server role: a header of either version is taken (`--proxy any`).
  bool any_version = false;
  /// Client role: the addresses the header claims. Unset: the connection's
  /// own (over a Unix socket: v1 UNKNOWN, v2 LOCAL, which tell the server to
  /// keep the real ones). Address literals of one family, as --proxy-source
  /// checks.
  std::optional<net::endpoint> source, destination;
};

/// Client role: the header to send first on `conn`.
proto::proxy_header proxy_header_for(const proxy_settings& s, const net::connection& conn);

/// --proxy-source/--proxy-destination: "ADDR:PORT" or "[IPv6]:PORT" with an
/// address literal; "" when it is one, else why not.
std::string check_proxy_address(std::string_view text, net::endpoint& out);
/// Both given: of one family; "" when they are.
std::string check_proxy_families(const proxy_settings& s);

struct proxy_read {
  std::optional<proto::proxy_header> header;  ///< unset: `why` says what was wrong
  std::string rest;                           ///< bytes read past the header (an early talker's)
  std::string why;
};

/// Server role: reads the header the client must send first, within `d`. A
/// header of another version than s.version (unless any_version), junk, a
/// timeout or a close before it: no header, and why.
asio::awaitable<proxy_read> read_proxy_header(net::connection& conn, const proxy_settings& s, net::deadline d);

/// Server role: read_proxy_header() when `s` asks for a header (else true at
/// once). The peer becomes "ADDRESS:PORT -> ... (PROXY v1 from REAL)"; bytes
/// past the header go to `server`. False when there was none to take: the
/// session has failed with a finding (proxy-2), the connection is closed, and
/// the session is not to be driven.
asio::awaitable<bool> take_proxy_header(net::connection& conn, const proxy_settings& s, net::deadline d,
                                        session::session& server, std::string& peer);

/// Client role: sends the header `s` asks for first on `conn` (nothing when
/// s.version is 0). False when it could not be sent: `client` has failed
/// with why, and the connection is closed.
asio::awaitable<bool> send_proxy_header(net::connection& conn, const proxy_settings& s, net::deadline d,
                                        session::session& client);

}  // namespace ehlo::run
