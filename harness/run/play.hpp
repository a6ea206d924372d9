// One session against a live peer: the pieces `ehlo run` and `ehlo check`
// (runner.cpp) and `ehlo fuzz` (fuzz_campaign.cpp) share, so that the three
// drivers connect, listen and run client programs the same way.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "net/endpoint.hpp"
#include "run/drive.hpp"
#include "run/proxy.hpp"
#include "session/session.hpp"

namespace ehlo::run {

struct options;

/// Connects to `target` within `wait` (TCP or a Unix socket), sends the PROXY
/// header `proxy` asks for, then drives `s` until it is done. Returns "" when
/// the session was played (a header that could not be sent fails it), else
/// why not ("cannot connect to 127.0.0.1:25: Connection refused"); `s` is
/// then untouched.
asio::awaitable<std::string> play_against(const net::endpoint& target, session::session& s,
                                          std::chrono::milliseconds wait, const drive_settings& d,
                                          const proxy_settings& proxy = {});

/// What came of a client program run against one session.
struct client_cmd_run {
  enum class stage : std::uint8_t {
    listen,   ///< no listener: `why` says why
    start,    ///< the program could not be started
    connect,  ///< it exited, or did not connect in time: no session played
    played,   ///< the session was played
  };
  stage reached = stage::listen;
  std::string why;      ///< when not played
  std::string command;  ///< the command as run
  std::string peer;     ///< the client's address and port (or unix:PATH), once connected; what a PROXY header claims
  std::optional<int> exit;
  std::string output;  ///< the end of what it printed
  bool timed_out = false;
};

/// --listen with --client-cmd: a listener of its own on `where` (port 0: any;
/// or a Unix socket), the client started against it (`command` with {host}
/// (the socket's path), {port} and {probe} filled in: fill_command), its one
/// connection served with `s` (after the PROXY header `proxy` expects), then
/// its exit awaited and the program stopped past `client_limit`. The client
/// has until max(connect_wait, client_limit) to connect, but one that exits
/// without connecting is not waited for.
asio::awaitable<client_cmd_run> play_client_cmd(const net::endpoint& where, const std::string& command,
                                                std::string_view probe, session::session& s,
                                                std::chrono::milliseconds connect_wait,
                                                std::chrono::milliseconds client_limit, const drive_settings& d,
                                                const proxy_settings& proxy = {});

/// The TLS contexts of a run, as its options say: the server role's (from
/// files, or a certificate made in memory) and the client role's (verifying
/// or not; trusting the server role's certificate in self-play). Each is made
/// only when asked for. False with `fatal` set when a file cannot be read.
bool make_tls_contexts(const options& opt, bool client, bool server, std::optional<asio::ssl::context>& client_tls,
                       std::optional<asio::ssl::context>& server_tls, std::string& fatal);

}  // namespace ehlo::run
