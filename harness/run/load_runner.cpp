#include "run/load_runner.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <csignal>
#include <pthread.h>

#include "load/failure_cause.hpp"
#include "load/message_part.hpp"
#include "load/session_meter.hpp"
#include "net/error.hpp"
#include "net/tls_context.hpp"
#include "run/drive.hpp"
#include "run/proxy.hpp"
#include "scenario/transcript_formats.hpp"
#include "session/client_session.hpp"

namespace ehlo::run {

namespace {

using clock = std::chrono::steady_clock;
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

bool starts_tls(const std::vector<scenario::step>& steps) {
  return std::any_of(steps.begin(), steps.end(), [](const scenario::step& s) {
    if (std::holds_alternative<scenario::tls_step>(s.what)) return true;
    const auto* o = std::get_if<scenario::one_of_step>(&s.what);
    return o != nullptr && std::any_of(o->branches.begin(), o->branches.end(), starts_tls);
  });
}

/// An input made ready to be played many times.
struct prepared {
  const input* in = nullptr;
  session::settings settings;
  std::chrono::milliseconds connect_wait{};
  drive_settings drive;
};

std::string connect_cause(const std::error_code& ec) {
  if (ec == asio::error::connection_refused) return "connection refused";
  if (ec == net::error::timed_out) return "connect timed out";
  return "cannot connect: " + ec.message();
}

load::ending ending_of(action_end e) {
  switch (e) {
    case action_end::ok:
      break;
    case action_end::timed_out:
      return load::ending::timed_out;
    case action_end::peer_closed:
      return load::ending::peer_closed;
    case action_end::reset:
      return load::ending::reset;
    case action_end::failed:
      return load::ending::failed;
    case action_end::tls_failed:
      return load::ending::tls_failed;
    case action_end::expired:
      return load::ending::expired;
  }
  return load::ending::done;
}

/// The failure as an example for the report: the sentence, then the end of the transcript.
std::string example_of(const session::client_session& cs) {
  constexpr std::size_t lines_shown = 20;
  std::string text = cs.result().message;
  const std::string transcript = scenario::write_sc_transcript(cs.transcript());
  std::size_t from = transcript.size();
  for (std::size_t n = 0; n <= lines_shown && from > 0;) {
    from = transcript.rfind('\n', from - 1);
    if (from == std::string::npos) {
      from = 0;
      break;
    }
    if (++n > lines_shown) {
      ++from;
      break;
    }
  }
  if (!transcript.empty()) text += "\n" + transcript.substr(from == 0 ? 0 : from);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

struct load_state {
  const load_options& opt;
  asio::io_context io{1};
  std::optional<asio::ssl::context> tls;
  std::vector<prepared> inputs;
  load::load_stats stats;
  load::load_recorder rec{stats};
  clock::time_point start{};

  std::uint64_t claimed = 0;  ///< sessions started or due so far
  std::size_t in_flight = 0;  ///< sessions under way
  std::size_t starters = 0;   ///< workers or the pacer still starting sessions
  bool stopping = false;      ///< no new session
  bool finished = false;
  asio::steady_timer ticker{io}, deadline{io}, pacer{io};
  asio::signal_set signals{io, SIGINT, SIGTERM};

  explicit load_state(const load_options& o) : opt(o) {}

  std::int64_t now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start).count();
  }

  /// The next session's serial, or none once the run stops starting them.
  std::optional<std::uint64_t> claim() {
    if (stopping) return std::nullopt;
    if (opt.sessions > 0 && claimed >= opt.sessions) {
      stopping = true;
      return std::nullopt;
    }
    return claimed++;
  }

  void stop_starting() {
    stopping = true;
    pacer.cancel();
    maybe_finish();
  }

  /// Once nothing starts sessions any more and none is under way: the timers
  /// go, and io.run() returns.
  void maybe_finish() {
    if (finished || starters > 0 || in_flight > 0) return;
    finished = true;
    ticker.cancel();
    deadline.cancel();
    pacer.cancel();
    signals.cancel();
  }

  /// At once: a signal, or --stop-on-error. What is under way is interrupted.
  void abort() {
    if (finished) return;
    finished = true;
    stopping = true;
    rec.interrupted(in_flight);
    io.stop();
  }
};

asio::awaitable<void> play_one(load_state& st, std::uint64_t serial) {
  const prepared& p = st.inputs[serial % st.inputs.size()];
  ++st.in_flight;
  st.rec.started();
  const auto t0 = clock::now();
  auto ex = co_await asio::this_coro::executor;
  auto r = co_await net::connection::connect(ex, st.opt.target, net::after(p.connect_wait));
  if (r.ec) {
    const std::string cause = connect_cause(r.ec);
    st.rec.failed(cause, "cannot connect to " + to_string(st.opt.target) + ": " + r.ec.message());
    --st.in_flight;
    if (st.opt.stop_on_error) {
      st.stats.stopped_on_error = true;
      st.abort();
      co_return;
    }
    st.maybe_finish();
    co_return;
  }
  const auto t1 = clock::now();
  st.rec.step(load::step_kind::connect, load::micros(t0, t1));

  session::client_session cs(p.in->sc, p.settings);
  load::session_meter meter(cs, st.rec, t1);
  load::ending last = load::ending::done;
  drive_settings d = p.drive;
  d.observer = [&](session::action::kind k, action_end e) {
    meter.after(k, e == action_end::ok, clock::now());
    last = ending_of(e);
  };
  // --proxy: the header goes first; one that cannot be sent fails the session with why.
  if (co_await send_proxy_header(r.conn, st.opt.base.proxy, net::after(p.connect_wait), cs))
    co_await drive(r.conn, cs, d);

  for (const auto& f : cs.findings()) st.rec.finding(f.broken != nullptr ? f.broken->id : "(no rule)");
  for (std::size_t i = 0; i < cs.findings_dropped(); ++i) st.rec.finding("(beyond the session's limit)");
  const session::verdict& v = cs.result();
  bool stop = false;
  if (v.passed()) {
    st.rec.passed(load::micros(t0, clock::now()));
  } else {
    const std::string cause = load::cause_of(p.in->sc, {v.pointer, v.expected, v.got, v.message}, last);
    st.rec.failed(cause, st.rec.knows(cause) ? std::string() : example_of(cs));
    stop = st.opt.stop_on_error;
  }
  --st.in_flight;
  if (stop) {
    st.stats.stopped_on_error = true;
    st.abort();
    co_return;
  }
  st.maybe_finish();
}

/// Closed loop: one of `concurrency` workers, a session after the other.
asio::awaitable<void> worker(load_state& st) {
  while (const auto serial = st.claim()) co_await play_one(st, *serial);
  --st.starters;
  st.maybe_finish();
}

/// Open loop: session k is due at start + k / rate, started then whatever is
/// under way (a late wake-up starts every session due by then).
asio::awaitable<void> pacer(load_state& st) {
  auto ex = co_await asio::this_coro::executor;
  const std::chrono::duration<double> period(1.0 / st.opt.rate);
  for (std::uint64_t k = 0;; ++k) {
    const auto due = st.start + std::chrono::duration_cast<clock::duration>(period * static_cast<double>(k));
    if (due > clock::now()) {
      st.pacer.expires_at(due);
      co_await st.pacer.async_wait(as_tuple);
    }
    const auto serial = st.claim();
    if (!serial) break;
    if (st.in_flight >= st.opt.max_in_flight) {
      st.rec.not_started("not started: " + std::to_string(st.opt.max_in_flight) +
                         " sessions under way (--max-in-flight)");
      continue;
    }
    asio::co_spawn(ex, play_one(st, *serial), asio::detached);
  }
  --st.starters;
  st.maybe_finish();
}

/// A point of the series every second, on the second; a wake-up late by more
/// than a second (a machine that stalled) closes one longer point, not a
/// burst of empty ones.
asio::awaitable<void> ticker(load_state& st) {
  while (!st.finished) {
    const std::int64_t next = st.now_ms() / 1000 + 1;
    st.ticker.expires_at(st.start + std::chrono::seconds(next));
    const auto [ec] = co_await st.ticker.async_wait(as_tuple);
    if (ec || st.finished) break;
    const load::interval p = st.rec.tick(st.now_ms(), st.in_flight);
    if (st.opt.on_second) st.opt.on_second(p, st.stats, false);
  }
}

}  // namespace

std::vector<std::string> check_message_parts(const std::vector<input>& inputs, const load_options& opt) {
  std::vector<std::string> errors;
  if (opt.messages_per_session < 2) return errors;
  for (const auto& in : inputs) {
    std::string why;
    if (!load::find_message_part(in.sc, why))
      errors.push_back(in.file.string() + ": no message part to repeat (--messages-per-session): " + why);
  }
  return errors;
}

load::load_stats run_load(const std::vector<input>& inputs, const load_options& opt, std::string& fatal) {
  load_state st(opt);
  st.stats.targets.push_back(to_string(opt.target));
  for (const auto& in : inputs) st.stats.scenarios.push_back(in.file.string());
  st.stats.mode = opt.rate > 0 ? "rate" : "concurrency";
  st.stats.concurrency = opt.rate > 0 ? 0 : opt.concurrency;
  st.stats.rate = opt.rate;
  st.stats.messages_per_session = opt.messages_per_session;
  if (inputs.empty()) return std::move(st.stats);

  const options& base = opt.base;
  const bool tls_wanted = std::any_of(inputs.begin(), inputs.end(),
                                      [](const input& in) { return in.sc.implicit_tls || starts_tls(in.sc.steps); }) ||
                          base.tls_verify || !base.client_cert.empty();
  if (tls_wanted) {
    net::client_tls_settings tls;
    tls.verify_peer = base.tls_verify;
    tls.ca_file = base.ca_file;
    tls.certificate_file = base.client_cert;
    tls.private_key_file = base.client_key;
    std::error_code ec;
    std::string detail;
    st.tls = net::make_client_context(tls, ec, &detail);
    if (!st.tls) {
      fatal = "client TLS: " + ec.message() + (detail.empty() ? "" : ": " + detail);
      return std::move(st.stats);
    }
  }
  for (const auto& in : inputs) {
    prepared p;
    p.in = &in;
    p.settings = base.session;
    p.settings.folder = in.file.parent_path();
    p.settings.reply_events = true;
    // What a report shows of a failure is its sentence and the end of its
    // transcript: a small budget, and no state log.
    p.settings.max_transcript_bytes = 16 * 1024;
    p.settings.max_state_log = 0;
    if (opt.messages_per_session > 1) {
      std::string why;
      if (const auto part = load::find_message_part(in.sc, why))
        p.settings.repeat = {part->first, part->end, opt.messages_per_session};
    }
    p.connect_wait = base.session.timeout ? *base.session.timeout
                     : in.sc.timeout      ? *in.sc.timeout
                                          : base.session.default_timeout;
    p.drive.tls = st.tls ? &*st.tls : nullptr;
    p.drive.server_name = base.server_name.empty() ? opt.target.host : base.server_name;
    p.drive.session_limit = base.session_timeout ? *base.session_timeout : default_session_limit(in.sc, p.settings);
    st.inputs.push_back(std::move(p));
  }

  st.signals.async_wait([&](const std::error_code& e, int) {
    if (e) return;
    st.stats.interrupted = true;
    st.abort();
  });

  st.stats.started = std::chrono::system_clock::now();
  st.start = clock::now();
  if (opt.duration) {
    st.deadline.expires_at(st.start + *opt.duration);
    st.deadline.async_wait([&](const std::error_code& e) {
      if (!e) st.stop_starting();
    });
  }
  asio::co_spawn(st.io, ticker(st), asio::detached);
  if (opt.rate > 0) {
    st.starters = 1;
    asio::co_spawn(st.io, pacer(st), asio::detached);
  } else {
    st.starters = std::max<std::size_t>(1, opt.concurrency);
    for (std::size_t i = 0; i < st.starters; ++i) asio::co_spawn(st.io, worker(st), asio::detached);
  }
  st.io.run();
  // From here on a signal must not kill the run before its caller writes the
  // reports (see runner.cpp).
  sigset_t hold;
  sigemptyset(&hold);
  sigaddset(&hold, SIGINT);
  sigaddset(&hold, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &hold, nullptr);

  const std::int64_t end = st.now_ms();
  if (end > st.rec.interval_start() || st.rec.interval_busy()) {
    const load::interval last = st.rec.tick(end, 0, true);
    if (opt.on_second) opt.on_second(last, st.stats, true);
  }
  st.stats.elapsed = std::chrono::milliseconds(end);
  return std::move(st.stats);
}

}  // namespace ehlo::run
