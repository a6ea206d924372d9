#include "run/play.hpp"

#include <algorithm>

#include "net/connection.hpp"
#include "net/error.hpp"
#include "net/listener.hpp"
#include "net/tls_context.hpp"
#include "run/client_process.hpp"
#include "run/runner.hpp"
#include "scenario/scenario_print.hpp"

namespace ehlo::run {

asio::awaitable<std::string> play_against(const net::endpoint& target, session::session& s,
                                          std::chrono::milliseconds wait, const drive_settings& d,
                                          const proxy_settings& proxy) {
  auto ex = co_await asio::this_coro::executor;
  auto r = co_await net::connection::connect(ex, target, net::after(wait));
  if (r.ec) co_return "cannot connect to " + to_string(target) + ": " + r.ec.message();
  if (co_await send_proxy_header(r.conn, proxy, net::after(wait), s)) co_await drive(r.conn, s, d);
  co_return std::string();
}

asio::awaitable<client_cmd_run> play_client_cmd(const net::endpoint& where, const std::string& command,
                                                std::string_view probe, session::session& s,
                                                std::chrono::milliseconds connect_wait,
                                                std::chrono::milliseconds client_limit, const drive_settings& d,
                                                const proxy_settings& proxy) {
  using clock = std::chrono::steady_clock;
  client_cmd_run out;
  auto ex = co_await asio::this_coro::executor;
  net::listener listener(ex);
  if (const auto ec = listener.listen(where)) {
    out.why = "cannot listen on " + to_string(where) + ": " + ec.message();
    co_return out;
  }
  out.reached = client_cmd_run::stage::start;
  out.command = fill_command(command, where.is_unix() ? where.path : where.host, listener.port(), probe);
  auto client = client_process::start(out.command, out.why);
  if (!client) co_return out;
  out.reached = client_cmd_run::stage::connect;
  // The client has until `wait` to connect, but one that exits without
  // connecting is not waited for.
  const auto wait = std::max(connect_wait, client_limit);
  const auto until = clock::now() + wait;
  const auto slice = [&] {
    return net::after(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(100), std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now())));
  };
  auto r = co_await listener.accept(slice());
  while (r.ec == net::error::timed_out && clock::now() < until && !client->exited())
    r = co_await listener.accept(slice());
  listener.stop();  // one connection per run: a client that retries is refused
  if (r.ec) {
    const bool gone = client->exited();
    out.exit = co_await client->wait(std::chrono::milliseconds(0));
    out.why = (gone ? "the client exited with status " + std::to_string(*out.exit) + " without connecting"
                    : "the client did not connect within " + scenario::to_string(wait)) +
              " (" + out.command + ")";
    out.output = client->output_tail();
    co_return out;
  }
  out.reached = client_cmd_run::stage::played;
  out.peer = r.conn.peer_name();
  if (co_await take_proxy_header(r.conn, proxy, net::after(connect_wait), s, out.peer)) co_await drive(r.conn, s, d);
  out.exit = co_await client->wait(client_limit);
  out.timed_out = client->timed_out();
  out.output = client->output_tail();
  co_return out;
}

bool make_tls_contexts(const options& opt, bool client, bool server, std::optional<asio::ssl::context>& client_tls,
                       std::optional<asio::ssl::context>& server_tls, std::string& fatal) {
  std::error_code ec;
  std::string detail;
  if (server) {
    net::server_tls_settings tls;
    tls.certificate_file = opt.server_cert;
    tls.private_key_file = opt.server_key;
    server_tls = net::make_server_context(tls, ec, &detail);
    if (!server_tls) {
      fatal = "server TLS: " + ec.message() + (detail.empty() ? "" : ": " + detail);
      return false;
    }
  }
  if (client) {
    net::client_tls_settings tls;
    tls.verify_peer = opt.tls_verify;
    tls.ca_file = opt.ca_file;
    // Self-play: the server is our own, so its certificate (the one made in
    // memory, or --tls-cert) is trusted; the scenario is under test, not it.
    if (opt.mode == mode::self_play && server_tls) tls.ca_pem = net::certificate_pem(*server_tls);
    tls.certificate_file = opt.client_cert;
    tls.private_key_file = opt.client_key;
    client_tls = net::make_client_context(tls, ec, &detail);
    if (!client_tls) {
      fatal = "client TLS: " + ec.message() + (detail.empty() ? "" : ": " + detail);
      return false;
    }
  }
  return true;
}

}  // namespace ehlo::run
