#include "run/runner.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <pthread.h>
#include <string_view>
#include <utility>

#include "check/probe_verdict.hpp"
#include "net/error.hpp"
#include "net/listener.hpp"
#include "net/tls_context.hpp"
#include "proto/rules.hpp"
#include "report/atomic_file.hpp"
#include "run/client_process.hpp"
#include "run/drive.hpp"
#include "run/play.hpp"
#include "scenario/scenario_print.hpp"
#include "scenario/transcript_formats.hpp"
#include "session/client_session.hpp"
#include "session/server_session.hpp"

namespace ehlo::run {

namespace {

using namespace asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

std::chrono::milliseconds since(clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
}

/// The longest a role waits for a peer to show up: the first step's wait.
std::chrono::milliseconds connect_wait(const input& in, const options& opt) {
  if (opt.session.timeout) return *opt.session.timeout;
  if (in.sc.timeout) return *in.sc.timeout;
  return opt.session.default_timeout;
}

/// The longest wait of a step in `steps`, and the sum of their pauses.
void stretch(const std::vector<scenario::step>& steps, const scenario::scenario& sc, const session::settings& s,
             std::chrono::milliseconds& longest, std::chrono::milliseconds& pauses) {
  for (const auto& step : steps) {
    const auto wait = s.timeout      ? *s.timeout
                      : step.timeout ? *step.timeout
                      : sc.timeout   ? *sc.timeout
                                     : s.default_timeout;
    longest = std::max(longest, wait);
    if (const auto* p = std::get_if<scenario::pause_step>(&step.what)) pauses += p->length;
    // A fault's waits are the scenario's own too.
    if (step.fault.delay) pauses += *step.fault.delay;
    if (step.fault.stall) pauses += *step.fault.stall;
    if (const auto* o = std::get_if<scenario::one_of_step>(&step.what))
      for (const auto& branch : o->branches) stretch(branch, sc, s, longest, pauses);
  }
}

session::settings settings_for(const input& in, const options& opt) {
  session::settings s = opt.session;
  s.folder = in.file.parent_path();
  return s;
}

void add_findings(const session::session& s, report::scenario_result& r) {
  for (const auto& f : s.findings()) {
    report::finding out;
    if (f.broken != nullptr) {
      out.rule = std::string(f.broken->id);
      out.section = std::string(f.broken->section);
    }
    out.what = std::string(f.what);
    if (!f.detail.empty()) out.what += ": " + f.detail;
    out.step = f.pointer;
    r.findings.push_back(std::move(out));
  }
  r.findings_dropped += s.findings_dropped();
}

std::vector<std::string> state_log(const session::session& s) {
  std::vector<std::string> log;
  for (const auto& t : s.state_log()) {
    std::string line = std::string(session::name(t.from)) + " -> " + std::string(session::name(t.to));
    if (!t.pointer.empty()) line += " (" + std::string(t.pointer) + ")";
    log.push_back(std::move(line));
  }
  return log;
}

report::failure failure_of(const session::verdict& v) { return {v.pointer, v.expected, v.got, v.note, v.message}; }

/// One scenario's result from the sessions that played it: `main` is the
/// role under test (or the client in self-play), `other` the server in self-play.
report::scenario_result result_of(const input& in, std::string role, std::string peer, const session::session& main,
                                  const session::session* other, std::chrono::milliseconds elapsed) {
  report::scenario_result r;
  r.name = in.name;
  r.file = in.file.string();
  r.role = std::move(role);
  r.peer = std::move(peer);
  r.elapsed = elapsed;
  r.tags = in.sc.tags;
  r.expected_outcome = other != nullptr && in.sc.expect == scenario::outcome::fail ? "fail" : "pass";
  r.transcript = scenario::write_sc_transcript(main.transcript());
  r.state_log = state_log(main);
  add_findings(main, r);
  if (other != nullptr) add_findings(*other, r);

  const session::verdict* failed = !main.result().passed()                         ? &main.result()
                                   : other != nullptr && !other->result().passed() ? &other->result()
                                                                                   : nullptr;
  // "outcome" is the verdict of self-play, where ehlo is both sides; against
  // a real peer the role's own verdict stands (a fault scenario that breaks
  // ehlo's own client can pass with a client that copes).
  const bool wants_failure = other != nullptr && in.sc.expect == scenario::outcome::fail;
  if (failed != nullptr && !wants_failure) {
    r.status = report::status::failed;
    r.fail = failure_of(*failed);
    if (other != nullptr && failed == &other->result()) r.fail->message = "the server role: " + r.fail->message;
  } else if (failed == nullptr && wants_failure) {
    r.status = report::status::failed;
    r.fail = report::failure{"", "a failure (\"outcome\": \"fail\")", "every step passed", "",
                             "the scenario expects to fail, and it passed"};
  } else {
    r.status = report::status::passed;
    if (failed != nullptr) {
      // Failed as the scenario expects: which failure it was is shown, so a
      // reader can tell the expected failure from another.
      r.fail = failure_of(*failed);
      r.fail->message = "failed as expected: " +
                        (other != nullptr && failed == &other->result() ? "the server role: " : std::string()) +
                        r.fail->message;
    }
  }
  // "findings" too is self-play's: each rule listed must have been reported
  // (by either role; findings dropped past the limit cannot be told apart).
  if (other != nullptr && r.status == report::status::passed && r.findings_dropped == 0) {
    for (const auto& id : in.sc.findings) {
      const bool seen =
          std::any_of(r.findings.begin(), r.findings.end(), [&](const report::finding& f) { return f.rule == id; });
      if (seen) continue;
      r.status = report::status::failed;
      r.fail = report::failure{"findings", "a finding of rule " + id, "none", "",
                               "the scenario expects a finding of rule " + id + " (\"findings\"), and none came"};
      break;
    }
  }
  return r;
}

/// What the client program of --client-cmd did, for a client probe's verdict.
struct client_outcome {
  std::optional<int> exit;
  std::string output;
};

/// ehlo check: the probe's verdict from the session of the role that judges
/// its peer, put on the result; the status follows the verdict.
void judge_probe(const input& in, const session::session* judged, std::string not_played, const client_outcome& client,
                 report::scenario_result& r) {
  if (!in.sc.probe) return;
  const scenario::probe_info& p = *in.sc.probe;
  check::probe_run run;
  run.not_played = std::move(not_played);
  if (judged != nullptr) {
    run.session = judged->result();
    run.mark = judged->mark();
    run.unmet_needs = judged->unmet_needs();
  }
  run.client_exit = client.exit;
  const check::judgement j = check::judge(p, run);

  report::probe_verdict v;
  v.title = p.title;
  v.category = p.category;
  v.rules = p.rules;
  v.checks = p.checks == scenario::side::server ? "server" : "client";
  v.verdict = std::string(check::to_string(j.verdict));
  v.severity = std::string(check::to_string(j.level));
  if (j.violation()) {
    v.rule = j.rule;
    if (const auto* rule = proto::find_rule(j.rule)) v.section = std::string(rule->section);
  }
  v.why = j.why;
  v.at = j.at;
  v.client_exit = client.exit;
  v.client_output = client.output;
  r.probe = std::move(v);
  using scenario::verdict_kind;
  switch (j.verdict) {
    case verdict_kind::conforms:
      r.status = report::status::passed;
      r.fail.reset();
      return;
    case verdict_kind::violates:
    case verdict_kind::exploitable:
      r.status = report::status::failed;
      break;
    case verdict_kind::inconclusive:
      r.status = report::status::error;
      break;
    case verdict_kind::not_applicable:
      r.status = report::status::skipped;
      break;
  }
  const std::string message = std::string(check::to_string(j.verdict)) + (j.why.empty() ? "" : ": " + j.why);
  if (r.fail)
    r.fail->message = message;
  else
    r.fail = report::failure{j.at, "", "", "", message};
}

/// The session of the two whose peer the probe judges.
const session::session* judged_role(const input& in, const session::session* client, const session::session* server) {
  if (!in.sc.probe) return nullptr;
  return in.sc.probe->checks == scenario::side::server ? client : server;
}

std::string role_name(mode m) { return m == mode::self_play ? "self-play" : m == mode::client ? "client" : "server"; }

report::scenario_result error_result(const input& in, std::string role, std::string peer, std::string message) {
  report::scenario_result r;
  r.name = in.name;
  r.file = in.file.string();
  r.role = std::move(role);
  r.peer = std::move(peer);
  r.tags = in.sc.tags;
  r.status = report::status::error;
  r.fail = report::failure{"", "", "", "", std::move(message)};
  return r;
}

bool has_tls_step(const std::vector<scenario::step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const scenario::step& s) {
    if (std::holds_alternative<scenario::tls_step>(s.what)) return true;
    const auto* o = std::get_if<scenario::one_of_step>(&s.what);
    return o != nullptr && std::any_of(o->branches.begin(), o->branches.end(), has_tls_step);
  });
}

/// Why input `i` is not played; "" to play it.
std::string_view skip_reason_of(const options& opt, std::size_t i) {
  return i < opt.skip.size() ? std::string_view(opt.skip[i]) : std::string_view();
}

/// Whether any input played starts TLS. Making a client context loads the
/// system's CA bundle (about 30 ms of CPU for 144 certificates), which a run
/// without TLS should not pay.
bool needs_tls(const std::vector<input>& inputs, const options& opt) {
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (skip_reason_of(opt, i).empty() && (inputs[i].sc.implicit_tls || has_tls_step(inputs[i].sc.steps))) return true;
  return false;
}

/// What a run shares: the io_context, TLS contexts, results.
///
/// Each result has a slot: its input's index in the client role and
/// self-play, where results are reported in that order; in the server role
/// the connection's number from 1 (0 for the inputs skipped), where results
/// are reported as they come and the kept ones put in that order at the end.
struct run_state {
  const options& opt;
  asio::io_context io{1};
  std::optional<asio::ssl::context> client_tls, server_tls;
  report::run_summary summary;
  report::result_keeper keeper;
  std::map<std::size_t, const input*> running;  ///< started, not finished, by slot: reported as interrupted
  /// In input order: the results done while an earlier one still runs, by slot.
  std::map<std::size_t, report::scenario_result> early;
  std::size_t next_slot = 0;            ///< in input order: the slot of the next result to report
  std::vector<std::size_t> kept_slots;  ///< the slot of each result in summary.results

  clock::time_point next_connect{};  ///< --max-rate: the earliest the next connection may start

  explicit run_state(const options& o) : opt(o), keeper(o.keep_results) {}

  /// --max-rate: waits for the next connection's turn.
  asio::awaitable<void> pace() {
    if (opt.max_rate <= 0) co_return;
    const auto now = clock::now();
    const auto at = std::max(now, next_connect);
    next_connect = at + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(1.0 / opt.max_rate));
    if (at > now) {
      asio::steady_timer timer(co_await asio::this_coro::executor, at);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  bool in_input_order() const noexcept { return opt.mode != mode::server || !opt.client_cmd.empty(); }

  void started(std::size_t slot, const input& in) { running.emplace(slot, &in); }

  void finished(report::scenario_result r, std::size_t slot) {
    running.erase(slot);
    if (!in_input_order()) {
      report(std::move(r), slot);
      return;
    }
    early.emplace(slot, std::move(r));
    for (auto it = early.begin(); it != early.end() && it->first == next_slot; it = early.erase(it), ++next_slot)
      report(std::move(it->second), it->first);
  }

  /// The end of the run: what still runs is reported as interrupted, in its
  /// place, and whatever waited for it after it; the results kept are put in
  /// slot order.
  void close() {
    const auto stopped = std::exchange(running, {});
    for (const auto& [slot, in] : stopped) {
      report::scenario_result r = error_result(*in, role_name(opt.mode), "", "interrupted before it finished");
      r.status = report::status::interrupted;
      if (in_input_order())
        early.emplace(slot, std::move(r));
      else
        report(std::move(r), slot);
    }
    for (auto& [slot, r] : early) report(std::move(r), slot);
    early.clear();
    if (std::is_sorted(kept_slots.begin(), kept_slots.end())) return;
    std::vector<std::size_t> order(kept_slots.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return kept_slots[a] < kept_slots[b]; });
    std::vector<report::scenario_result> sorted;
    sorted.reserve(order.size());
    for (const std::size_t i : order) sorted.push_back(std::move(summary.results[i]));
    summary.results = std::move(sorted);
  }

 private:
  void report(report::scenario_result r, std::size_t slot) {
    if (opt.on_result) opt.on_result(r);
    const std::size_t kept = summary.results.size();
    keeper.add(summary, std::move(r));
    if (summary.results.size() > kept) kept_slots.push_back(slot);
  }
};

/// The peer of a check of clients, as reports group it: the program run
/// (its first word), not the address it connected from, which differs for
/// every probe.
std::string client_label(const options& opt) {
  const std::string_view cmd = opt.client_cmd;
  const auto start = cmd.find_first_not_of(' ');
  if (start == std::string_view::npos) return "client";
  std::string_view word = cmd.substr(start, cmd.find(' ', start) - start);
  if (const auto slash = word.rfind('/'); slash != std::string_view::npos) word.remove_prefix(slash + 1);
  return "client " + std::string(word);
}

report::scenario_result skipped_result(const input& in, const options& opt, std::string_view why) {
  report::scenario_result r = error_result(in, role_name(opt.mode), "", std::string(why));
  r.status = report::status::skipped;
  if (opt.check && in.sc.probe) {
    // A probe left out for what the run does not use (--client-uses) does not apply to it.
    judge_probe(in, nullptr, "", {}, r);
    r.probe->verdict = std::string(check::to_string(scenario::verdict_kind::not_applicable));
    r.probe->why = std::string(why);
    r.status = report::status::skipped;
    r.fail = report::failure{"", "", "", "", "not-applicable: " + std::string(why)};
    if (opt.mode == mode::server) r.peer = client_label(opt);
  }
  return r;
}

std::chrono::milliseconds session_limit(const input& in, const options& opt) {
  return opt.session_timeout ? *opt.session_timeout : default_session_limit(in.sc, opt.session);
}

drive_settings client_drive(run_state& st, const input& in, const std::string& host) {
  drive_settings d;
  d.tls = st.client_tls ? &*st.client_tls : nullptr;
  d.server_name = st.opt.server_name.empty() ? host : st.opt.server_name;
  d.session_limit = session_limit(in, st.opt);
  return d;
}

drive_settings server_drive(run_state& st, const input& in) {
  drive_settings d;
  d.tls = st.server_tls ? &*st.server_tls : nullptr;
  d.session_limit = session_limit(in, st.opt);
  return d;
}

/// Self-play: the server role on an ephemeral loopback port, the client role against it.
asio::awaitable<void> self_play(run_state& st, const input& in, std::size_t slot) {
  const auto start = clock::now();
  auto ex = co_await asio::this_coro::executor;
  net::listener listener(ex);
  if (const auto ec = listener.listen({"127.0.0.1", 0})) {
    st.finished(error_result(in, "self-play", "", "cannot listen on 127.0.0.1: " + ec.message()), slot);
    co_return;
  }
  auto settings = settings_for(in, st.opt);
  // A probe leaves to --var what only a real peer can say (credentials:
  // scenarios/conformance/README.md); both roles here are ehlo's own, so any
  // value fits, and the probe plays (and is proven) like any other.
  if (in.sc.probe)
    for (const auto& v : in.sc.vars)
      if (!v.value && !settings.vars.contains(v.name)) settings.vars[v.name] = "self-play-" + v.name;
  session::client_session client(in.sc, settings);
  session::server_session server(in.sc, settings);
  const auto wait = connect_wait(in, st.opt);
  const std::uint16_t port = listener.port();

  auto serve = [&]() -> asio::awaitable<void> {
    auto r = co_await listener.accept(net::after(wait));
    listener.stop();
    if (r.ec) {
      server.failed("no client connected: " + r.ec.message());
      co_return;
    }
    co_await drive(r.conn, server, server_drive(st, in));
  };
  auto play = [&]() -> asio::awaitable<void> {
    auto r = co_await net::connection::connect(ex, "127.0.0.1", port, net::after(wait));
    if (r.ec) {
      client.failed("cannot connect to the server role: " + r.ec.message());
      co_return;
    }
    co_await drive(r.conn, client, client_drive(st, in, "localhost"));
  };
  co_await (serve() && play());
  auto r = result_of(in, "self-play", "", client, &server, since(start));
  if (st.opt.check) judge_probe(in, judged_role(in, &client, &server), "", {}, r);
  st.finished(std::move(r), slot);
}

/// The client role against --target (the slot's: more_targets after peer).
asio::awaitable<void> play_client(run_state& st, const input& in, std::size_t slot, const net::endpoint& target) {
  co_await st.pace();
  const auto start = clock::now();
  const std::string peer = to_string(target);
  session::client_session client(in.sc, settings_for(in, st.opt));
  // Named, not temporaries of the co_await's expression: g++ 12 frees such
  // temporaries (the conditional's std::string) wrongly across the suspension.
  const drive_settings drive = client_drive(st, in, target.is_unix() ? std::string() : target.host);
  const std::string why = co_await play_against(target, client, connect_wait(in, st.opt), drive, st.opt.proxy);
  if (!why.empty()) {
    auto result = error_result(in, "client", peer, why);
    if (st.opt.check) judge_probe(in, nullptr, why, {}, result);
    st.finished(std::move(result), slot);
    co_return;
  }
  auto result = result_of(in, "client", peer, client, nullptr, since(start));
  if (st.opt.check) judge_probe(in, &client, "", {}, result);
  st.finished(std::move(result), slot);
}

/// ehlo check --listen --client-cmd: a listener of the input's own, the
/// client program started against it, its one connection served, then the
/// program's exit awaited (stopped past options::client_limit).
asio::awaitable<void> play_with_client_cmd(run_state& st, const input& in, std::size_t slot) {
  const auto start = clock::now();
  session::server_session server(in.sc, settings_for(in, st.opt));
  const drive_settings drive = server_drive(st, in);
  const std::string probe = in.file.string();
  const client_cmd_run run =
      co_await play_client_cmd(st.opt.peer, st.opt.client_cmd, probe, server, connect_wait(in, st.opt),
                               st.opt.client_limit, drive, st.opt.proxy);
  client_outcome outcome{run.exit, run.output};
  if (run.reached != client_cmd_run::stage::played) {
    const bool ran = run.reached == client_cmd_run::stage::connect;
    auto result = error_result(in, "server", ran ? client_label(st.opt) : "", run.why);
    if (st.opt.check) judge_probe(in, nullptr, run.why, ran ? outcome : client_outcome{}, result);
    if (ran && result.probe) result.probe->client_output = outcome.output;
    st.finished(std::move(result), slot);
    co_return;
  }
  auto result = result_of(in, "server", run.peer, server, nullptr, since(start));
  if (st.opt.check) judge_probe(in, &server, "", outcome, result);
  result.peer = client_label(st.opt);
  st.finished(std::move(result), slot);
}

/// The servers of the client role: --target, then more_targets.
std::vector<net::endpoint> targets_of(const options& opt) {
  std::vector<net::endpoint> all{opt.peer};
  if (opt.mode == mode::client) all.insert(all.end(), opt.more_targets.begin(), opt.more_targets.end());
  return all;
}

/// Workers take the next (target, input) until none is left: --jobs of them
/// run at once. Slot k is input k % inputs against target k / inputs.
asio::awaitable<void> worker(run_state& st, const std::vector<input>& inputs, const std::vector<net::endpoint>& targets,
                             std::size_t& next) {
  while (next < inputs.size() * targets.size()) {
    const std::size_t slot = next++;
    const std::size_t i = slot % inputs.size();
    const net::endpoint& target = targets[slot / inputs.size()];
    if (const auto why = skip_reason_of(st.opt, i); !why.empty()) {
      auto r = skipped_result(inputs[i], st.opt, why);
      if (st.opt.mode == mode::client) r.peer = to_string(target);
      st.finished(std::move(r), slot);
      continue;
    }
    st.started(slot, inputs[i]);
    if (st.opt.mode == mode::client)
      co_await play_client(st, inputs[i], slot, target);
    else if (st.opt.mode == mode::server)
      co_await play_with_client_cmd(st, inputs[i], slot);
    else
      co_await self_play(st, inputs[i], slot);
  }
}

/// Writes each message the server role kept as NAME.eml, its envelope (the
/// MAIL and RCPT lines as the client sent them, a line each) beside it as
/// NAME.envelope. Returns the first error: a message that could not be kept.
std::error_code spool(const std::filesystem::path& dir, const input& in, const session::server_session& s,
                      std::size_t serial) {
  std::size_t n = 0;
  for (const auto& m : s.messages()) {
    const std::string base = in.sc.name + "-" + std::to_string(serial) + "-" + std::to_string(++n);
    std::string envelope = m.mail_from + "\n";
    for (const auto& rcpt : m.rcpt_to) envelope += rcpt + "\n";
    // The envelope first: a reader that sees the .eml finds its envelope there.
    if (auto ec = report::write_file_atomically(dir / (base + ".envelope"), envelope)) return ec;
    if (auto ec = report::write_file_atomically(dir / (base + ".eml"), m.content)) return ec;
  }
  return {};
}

/// The server role: serves connections on --listen, the inputs played in turn.
asio::awaitable<void> serve_clients(run_state& st, const std::vector<const input*>& inputs, net::listener& listener) {
  auto ex = co_await asio::this_coro::executor;
  std::size_t served = 0;
  while (st.opt.forever || served < st.opt.connections) {
    auto r = co_await listener.accept();
    if (r.ec) break;  // stopped
    const input& in = *inputs[served % inputs.size()];
    const std::size_t serial = ++served;
    st.started(serial, in);
    auto conn = std::make_shared<net::connection>(std::move(r.conn));
    asio::co_spawn(
        ex,
        [&st, &in, conn, serial]() -> asio::awaitable<void> {
          const auto start = clock::now();
          std::string peer = conn->peer_name();
          session::server_session server(in.sc, settings_for(in, st.opt));
          if (co_await take_proxy_header(*conn, st.opt.proxy, net::after(connect_wait(in, st.opt)), server, peer))
            co_await drive(*conn, server, server_drive(st, in));
          auto result = result_of(in, "server", peer, server, nullptr, since(start));
          if (st.opt.check) {
            judge_probe(in, &server, "", {}, result);
            result.peer = client_label(st.opt);
          }
          if (st.opt.spool)
            if (const auto sec = spool(*st.opt.spool, in, server, serial)) {
              result.status = report::status::error;
              result.fail = report::failure{
                  "", "", "", "", "cannot write to the spool " + st.opt.spool->string() + ": " + sec.message()};
            }
          st.finished(std::move(result), serial);
        },
        asio::detached);
  }
}

}  // namespace

std::chrono::milliseconds default_session_limit(const scenario::scenario& sc, const session::settings& s) {
  std::chrono::milliseconds longest{0}, pauses{0};
  stretch(sc.steps, sc, s, longest, pauses);
  return std::max<std::chrono::milliseconds>(std::chrono::minutes(5), 2 * (longest + pauses));
}

report::run_summary run(const std::vector<input>& inputs, const options& opt, std::string& fatal) {
  run_state st(opt);
  st.summary.started = std::chrono::system_clock::now();
  const auto start = clock::now();

  const bool tls_wanted = needs_tls(inputs, opt) || opt.tls_verify || !opt.client_cert.empty();
  if (!make_tls_contexts(opt, opt.mode != mode::server && tls_wanted,
                         opt.mode != mode::client && (tls_wanted || !opt.server_cert.empty()), st.client_tls,
                         st.server_tls, fatal))
    return std::move(st.summary);

  const bool serve_connections = opt.mode == mode::server && opt.client_cmd.empty();
  std::unique_ptr<net::listener> listener;
  if (serve_connections) {
    listener = std::make_unique<net::listener>(st.io.get_executor());
    if (const auto lec = listener->listen(opt.peer)) {
      fatal = "cannot listen on " + to_string(opt.peer) + ": " + lec.message();
      return std::move(st.summary);
    }
    if (opt.on_listening) opt.on_listening(listener->port());
  }

  asio::signal_set signals(st.io, SIGINT, SIGTERM);
  signals.async_wait([&](const std::error_code& e, int) {
    if (e) return;
    st.summary.interrupted = true;
    st.io.stop();
  });

  std::size_t next = 0;
  std::size_t workers = 0;
  auto done = [&](std::exception_ptr) {
    if (--workers == 0) signals.cancel();
  };
  std::vector<const input*> played;
  const auto targets = targets_of(opt);
  if (serve_connections) {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (const auto why = skip_reason_of(opt, i); !why.empty())
        st.finished(skipped_result(inputs[i], opt, why), 0);
      else
        played.push_back(&inputs[i]);
    }
  } else {
    st.summary.planned = inputs.size() * targets.size();
  }
  if (serve_connections && !played.empty()) {
    ++workers;
    asio::co_spawn(st.io, serve_clients(st, played, *listener), [&](std::exception_ptr e) {
      // The accept loop ends when the last connection is accepted; the
      // sessions it spawned finish on their own.
      done(e);
    });
  } else if (!serve_connections && !inputs.empty()) {
    // A client program on a fixed port or socket path: one at a time, each on the same one.
    const std::size_t jobs = opt.mode == mode::server && (opt.peer.port != 0 || opt.peer.is_unix()) ? 1 : opt.jobs;
    const std::size_t n = std::max<std::size_t>(1, std::min(jobs, inputs.size() * targets.size()));
    for (std::size_t i = 0; i < n; ++i) {
      ++workers;
      asio::co_spawn(st.io, worker(st, inputs, targets, next), done);
    }
  }
  if (workers == 0) signals.cancel();  // nothing to play: every input skipped
  st.io.run();
  // From here on a signal must not kill the run before its caller writes the
  // summary and the reports: a second SIGTERM (timeout(1) sends one to the
  // whole process group) stays pending until the process exits.
  sigset_t hold;
  sigemptyset(&hold);
  sigaddset(&hold, SIGINT);
  sigaddset(&hold, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &hold, nullptr);

  st.close();
  st.summary.elapsed = since(start);
  return std::move(st.summary);
}

}  // namespace ehlo::run
