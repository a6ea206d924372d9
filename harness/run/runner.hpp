// `ehlo run`: plays each input as the client against a server (--target), as
// the server for real clients (--listen), or as both against each other on
// loopback (self-play, the default). Scenarios run concurrently (--jobs) on
// one thread: every wait is a coroutine's, so one core drives hundreds of
// sessions. SIGINT and SIGTERM stop the run; what finished is reported.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "net/endpoint.hpp"
#include "report/results.hpp"
#include "run/inputs.hpp"
#include "run/proxy.hpp"
#include "session/session_types.hpp"

namespace ehlo::run {

enum class mode : std::uint8_t { self_play, client, server };

struct options {
  run::mode mode = mode::self_play;
  net::endpoint peer{"127.0.0.1", 0};  ///< client: the server to test; server: where to listen
  std::size_t jobs = 1;                ///< scenarios played at once (client role, self-play)
  session::settings session;           ///< variables, --timeout, secrets, limits
  /// --session-timeout: the watchdog over each whole session (drive_settings::
  /// session_limit). Unset: default_session_limit().
  std::optional<std::chrono::milliseconds> session_timeout;
  /// Results kept whole for the reports, of those that passed (or were
  /// skipped) and of the others each; the rest are only counted
  /// (report::result_keeper), so a run --forever keeps bounded memory.
  std::size_t keep_results = report::default_keep_results;

  // TLS. Client role: no verification unless asked (lab servers use
  // self-signed certificates); a failed verification is a finding either way.
  bool tls_verify = false;
  std::string server_name;  ///< SNI; default: the --target host when it is a name
  std::string ca_file, client_cert, client_key;
  // Server role: a certificate from files, or one made in memory at start-up.
  std::string server_cert, server_key;

  /// --proxy: the PROXY protocol header the client role sends first, or the
  /// server role expects first (run/proxy.hpp).
  proxy_settings proxy;

  // Server role.
  std::size_t connections = 1;  ///< connections to serve, then stop
  bool forever = false;         ///< serve until interrupted
  std::optional<std::filesystem::path> spool;

  /// Why each input is not played, by its index ("not tagged smoke", see
  /// skip_reason()); empty, or past the end, to play it. A skipped input is
  /// reported as skipped, in its place among the others.
  std::vector<std::string> skip;

  // ehlo check.

  /// Each input is a conformance probe (scenarios/README.md, "Probes"): its
  /// result carries the probe's verdict (check::judge), from the session of
  /// the role whose peer the probe judges (a server probe: the client role;
  /// a client probe: the server role), and its status follows the verdict.
  bool check = false;
  /// Client role: more servers after `peer`; each plays every input, server
  /// by server (the results: every input against `peer`, then against the next).
  std::vector<net::endpoint> more_targets;
  /// Client role: at most this many new connections a second, over all
  /// --jobs (0: no limit). Real servers limit the rate of new connections.
  double max_rate = 0;
  /// Server role: the client program to run for each input (`sh -c`, with
  /// {host}, {port} and {probe} filled in: client_process.hpp), each input
  /// on a listener of its own, --jobs at once when the port is 0. Its exit
  /// status goes to the probe's verdict.
  std::string client_cmd;
  /// How long the client program may run on after its session ended, and how
  /// long it has to connect (then it is stopped).
  std::chrono::milliseconds client_limit{30'000};

  /// Server role: called once listening, with the port (port 0 picks one; 0
  /// on a Unix socket, peer.path).
  std::function<void(std::uint16_t)> on_listening;
  /// Called with each result (console output). Client role and self-play: in
  /// the inputs' order, each as soon as it and every one before it are done,
  /// so runs of the same inputs print the same order whatever --jobs. Server
  /// role: as each connection ends (a connection that stalls does not hold
  /// back the lines of those that came after it), the inputs skipped first.
  std::function<void(const report::scenario_result&)> on_result;
};

/// The whole-session limit when --session-timeout is not given: 5 minutes
/// (RFC 5321 §4.5.3.2's order of a server's own per-stage timeouts, and far
/// beyond what an honest peer needs for any scenario), or, for a scenario
/// whose own script takes longer in one stretch, twice its longest wait plus
/// its pauses, fault delays and stalls (all of them, in every branch), so no scenario is cut short by
/// the default.
std::chrono::milliseconds default_session_limit(const scenario::scenario& sc, const session::settings& s);

/// Plays the inputs; returns the results kept and the counts of all. The
/// results are in the inputs' order (server role: the inputs skipped, then
/// the connections in the order they were accepted); an interrupted run
/// reports those that were running as interrupted, in their place. Errors that
/// stop the run before anything is played (a TLS file that cannot be read, an
/// address in use) are returned in `fatal`.
report::run_summary run(const std::vector<input>& inputs, const options& opt, std::string& fatal);

}  // namespace ehlo::run
