#include "run/fuzz_campaign.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/read.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <deque>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <memory>
#include <netinet/in.h>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

#include "campaign/corpus.hpp"
#include "campaign/delta_debug.hpp"
#include "campaign/dictionary.hpp"
#include "campaign/finding_case.hpp"
#include "campaign/oracle.hpp"
#include "net/connection.hpp"
#include "net/error.hpp"
#include "report/atomic_file.hpp"
#include "run/client_process.hpp"
#include "run/play.hpp"
#include "scenario/scenario_load.hpp"
#include "scenario/scenario_print.hpp"
#include "session/client_session.hpp"
#include "session/server_session.hpp"

namespace ehlo::run {

namespace {

namespace cp = campaign;
namespace fs = std::filesystem;
using clock = std::chrono::steady_clock;
using scenario::side;
using namespace std::chrono_literals;

/// A case ready to play: the scenario, and where it came from.
struct planned {
  std::shared_ptr<const scenario::scenario> sc;  ///< null: no mutant loaded (discarded)
  std::string parent;
  std::vector<std::string> how;
  bool mutant = false;
};

/// What one execution left, judged.
struct outcome {
  cp::execution e;
  std::vector<std::string> trace;
  std::vector<std::size_t> made;  ///< states made up to each transcript step (state_at)
  std::vector<cp::fuzz_finding> findings;
  bool server_died = false;
};

/// A finding a case showed, to be confirmed alone and minimized.
struct candidate {
  std::shared_ptr<const scenario::scenario> sc;
  cp::fuzz_finding finding;
  std::string state;
  std::uint64_t case_number = 0;
  std::string parent;
  std::vector<std::string> how;
};

std::string key_of(const cp::fuzz_finding& f, const std::string& state) {
  return std::string(cp::to_string(f.oracle)) + "\t" + f.rule + "\t" + state;
}

/// A port the kernel considers free now (for --exec with port 0).
std::uint16_t free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t n = sizeof a;
  std::uint16_t port = 0;
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &n) == 0)
    port = ntohs(a.sin_port);
  ::close(s);
  return port;
}

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool on_path(const char* program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::stringstream dirs(path);
  std::string d;
  while (std::getline(dirs, d, ':'))
    if (!d.empty() && ::access((fs::path(d) / program).c_str(), X_OK) == 0) return true;
  return false;
}

/// The resident memory of a process group, in KiB (/proc); 0 when unknown.
std::size_t group_rss_kb(pid_t group) {
  std::size_t total = 0;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  while (const dirent* e = ::readdir(proc)) {
    const std::string pid = e->d_name;
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat("/proc/" + pid + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 2));
    std::string state;
    long long ppid = 0, pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (pgrp != group) continue;
    std::ifstream status("/proc/" + pid + "/status");
    while (std::getline(status, line))
      if (line.starts_with("VmRSS:")) total += static_cast<std::size_t>(std::strtoull(line.c_str() + 6, nullptr, 10));
  }
  ::closedir(proc);
  return total;
}

class driver {
 public:
  driver(const std::vector<input>& seeds, const fuzz_options& opt)
      : seeds_in_(seeds),
        opt_(opt),
        plays_(opt.run.mode == mode::server ? side::server : side::client),
        mutator_(cp::smtp_dictionary(), plays_, opt.mutation),
        corpus_(opt.max_corpus),
        model_(opt.states),
        gate_(io_),
        signals_(io_, SIGINT, SIGTERM) {
    gate_.expires_at(clock::time_point::max());
    oracles_.ignore_rules.insert(oracles_.ignore_rules.end(), opt.ignore_rules.begin(), opt.ignore_rules.end());
  }

  report::fuzz_summary run(std::string& fatal);

 private:
  // ---- setup ------------------------------------------------------------------

  bool prepare_dir(std::string& fatal);
  bool prepare_seeds(std::string& fatal);
  void resume();
  void save_campaign() const;
  asio::awaitable<bool> start_server(std::string& why);
  asio::awaitable<void> restart(std::string because);

  // ---- cases ------------------------------------------------------------------

  planned plan_case(std::uint64_t k);
  /// The slots of `sc`'s sweep no entry before it had: a command many seeds
  /// share ("EHLO ${helo}") is swept once.
  std::vector<std::size_t> sweep_of(const scenario::scenario& sc) {
    std::vector<std::size_t> out;
    const auto keys = mutator_.sweep_slots(sc);
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (swept_keys_.insert(keys[i]).second) out.push_back(i);
    return out;
  }
  /// Plays one case. `confirming`: with the whole reply wait (a hang's
  /// confirmation); `crash_grace`: the server's exit is waited for a moment
  /// after the conversation (a crash's confirmation).
  asio::awaitable<outcome> execute(const scenario::scenario& played, std::uint64_t fault_seed, bool confirming = false,
                                   bool crash_grace = false);
  asio::awaitable<void> await_exit(std::chrono::milliseconds limit);
  /// With --pipe, the whole reply wait: every case starts a process, whose
  /// greeting comes after its start (sendmail -bs reads its configuration).
  std::chrono::milliseconds explore_wait() const {
    return opt_.pipe.empty() ? std::min(opt_.explore_wait, opt_.reply_wait) : opt_.reply_wait;
  }
  asio::awaitable<cp::execution::liveness> liveness();
  /// --pipe: accepts connections on pipe_acceptor_ and gives each a fresh CMD.
  asio::awaitable<void> pipe_server();
  void commit(std::uint64_t k, planned p, outcome o);
  asio::awaitable<void> worker();
  asio::awaitable<void> ticker();
  asio::awaitable<void> exclusive();
  asio::awaitable<void> maybe_exclusive();
  asio::awaitable<void> minimizer();
  asio::awaitable<void> wait_at_gate();
  /// Whether the finding `c` shows again in `sc`, played alone (`background`:
  /// beside the workers, pausing while the campaign is exclusive); `state`
  /// gets the state it showed in.
  asio::awaitable<bool> reproduces(const scenario::scenario& sc, const candidate& c, std::size_t& tests,
                                   std::string& state, bool background);
  asio::awaitable<void> confirm_and_minimize(candidate c, bool background);
  /// Whether a candidate is still worth the work: not found already, room for it.
  bool wanted(const candidate& c);
  void write_finding(const candidate& c, const scenario::scenario& best, std::size_t tests);

  void stop(std::string why) {
    if (stopped_.empty()) stopped_ = std::move(why);
    stopping_ = true;
    wake();
  }
  void wake() { gate_.expires_at(clock::time_point::max()); }
  /// --stop-on: a finding of `oracle` was written.
  void stop_if_wanted(const std::string& oracle) {
    if (std::find(opt_.stop_on.begin(), opt_.stop_on.end(), oracle) != opt_.stop_on.end()) {
      // Nothing more is confirmed or minimized: what is under way ends with
      // what it has, as when --max-time has run out.
      stopped_early_ = true;
      stop("--stop-on " + oracle);
    }
  }
  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started_);
  }
  /// Past --max-time; with `grace`, past the time findings still being
  /// minimized get beyond it: a tenth of it, from 5 s to a minute.
  bool out_of_time(bool grace) const {
    if (interrupted_ || stopped_early_) return true;
    if (!opt_.max_time) return false;
    const auto extra = std::clamp<std::chrono::milliseconds>(*opt_.max_time / 10, 5s, 60s);
    return elapsed() > *opt_.max_time + (grace ? extra : 0ms);
  }
  report::fuzz_progress progress() const {
    report::fuzz_progress p;
    p.cases = cases_;
    p.execs = execs_;
    p.corpus = corpus_.size();
    p.states = model_.states();
    p.transitions = model_.transitions();
    p.findings = findings_.size();
    p.restarts = restarts_;
    p.elapsed = elapsed();
    p.doing = doing_;
    return p;
  }
  void note(const std::string& text) const {
    if (opt_.on_note) opt_.on_note(text);
  }

  const std::vector<input>& seeds_in_;
  const fuzz_options& opt_;
  side plays_;
  cp::mutator mutator_;
  cp::corpus corpus_;
  cp::state_model model_;
  cp::oracle_settings oracles_;
  std::vector<std::shared_ptr<const scenario::scenario>> seeds_;
  std::vector<std::string> seed_names_;

  asio::io_context io_{1};
  asio::steady_timer gate_;  ///< workers wait on it while the campaign is exclusive; wake() lets them go
  asio::signal_set signals_;
  std::optional<asio::ssl::context> client_tls_, server_tls_;
  net::endpoint target_{"127.0.0.1", 0};
  std::string exec_command_;
  std::unique_ptr<client_process> server_;
  std::optional<asio::ip::tcp::acceptor> pipe_acceptor_;
  std::vector<std::unique_ptr<client_process>> pipe_procs_;  ///< --pipe: the processes not yet reaped
  client_process* last_pipe_ = nullptr;                      ///< the newest: the case's (one at a time)
  std::uint64_t server_out_at_ = 0;
  bool server_dead_ = false;
  std::vector<std::size_t> rss_;

  clock::time_point started_ = clock::now();
  std::uint64_t first_case_ = 1, next_case_ = 1, next_commit_ = 1;
  std::uint64_t cases_ = 0, execs_ = 0, started_cases_ = 0;
  std::map<std::uint64_t, std::pair<planned, outcome>> waiting_;  ///< results ahead of the next to commit
  std::size_t in_flight_ = 0, workers_ = 0;
  bool exclusive_wanted_ = false, in_exclusive_ = false, stopping_ = false, interrupted_ = false,
       stopped_early_ = false;
  std::size_t consecutive_unplayed_ = 0;
  /// Findings to confirm and minimize: crashes and hangs with the campaign
  /// exclusive (a crash stops the server for every case), the others beside
  /// the workers.
  std::deque<candidate> urgent_, quiet_;
  bool minimizer_running_ = false, running_ = true;
  std::set<std::string> seen_, pending_;
  std::map<std::string, std::size_t> swept_;  ///< resumed sweep progress, by origin
  std::set<std::string> swept_keys_;          ///< the sweep slots planned, over every entry
  std::vector<report::fuzz_finding_entry> findings_;
  std::size_t findings_dropped_ = 0, discarded_ = 0, flaky_ = 0, restarts_ = 0, serial_ = 0;
  std::string stopped_, doing_;
  bool resumed_ = false;
};

// ---- setup --------------------------------------------------------------------

bool driver::prepare_dir(std::string& fatal) {
  std::error_code ec;
  for (const auto& d : {opt_.dir, opt_.dir / "corpus", opt_.dir / "findings"}) {
    fs::create_directories(d, ec);
    if (ec) {
      fatal = "cannot make " + d.string() + ": " + ec.message();
      return false;
    }
  }
  return true;
}

bool driver::prepare_seeds(std::string& fatal) {
  for (const auto& in : seeds_in_) {
    std::string why;
    if (in.sc.probe && (in.sc.probe->checks == side::server) != (plays_ == side::client)) continue;  // the other side's
    auto form = cp::campaign_form(in.sc, plays_, in.file.parent_path(), {explore_wait()}, why);
    std::optional<scenario::scenario> settled;
    if (form) settled = cp::settle(*form, &why);
    if (!settled) {
      note(in.name + ": left out: " + why);
      continue;
    }
    const auto missing = std::find_if(settled->vars.begin(), settled->vars.end(), [&](const scenario::variable& v) {
      return !v.value && !opt_.run.session.vars.contains(v.name);
    });
    if (missing != settled->vars.end()) {
      note(in.name + ": left out: it needs --var " + missing->name + "=VALUE");
      continue;
    }
    auto sc = std::make_shared<const scenario::scenario>(std::move(*settled));
    const std::string origin = "seed " + in.name;
    cp::corpus_entry e{sc, origin, 0, sweep_of(*sc), 0};
    if (const auto it = swept_.find(origin); it != swept_.end()) e.swept = std::min(it->second, e.sweep_size());
    corpus_.add(std::move(e));
    seeds_.push_back(sc);
    seed_names_.push_back(in.name);
  }
  if (seeds_.empty()) {
    fatal = "no seed to start from (none of the scenarios given is for this side, or each needs a --var)";
    return false;
  }
  return true;
}

/// What a campaign with the same DIR left: its counters, its findings' keys,
/// its state machine and its corpus.
void driver::resume() {
  std::ifstream in(opt_.dir / "campaign.txt");
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    const std::string k = line.substr(0, tab), v = tab == std::string::npos ? std::string() : line.substr(tab + 1);
    if (k == "next_case") {
      next_case_ = std::max<std::uint64_t>(1, std::strtoull(v.c_str(), nullptr, 10));
      resumed_ = true;
    } else if (k == "serial") {
      serial_ = std::strtoull(v.c_str(), nullptr, 10);
    } else if (k == "finding") {
      seen_.insert(v);
    } else if (k == "swept") {
      const auto t = v.rfind('\t');
      if (t != std::string::npos) swept_[v.substr(0, t)] = std::strtoull(v.c_str() + t + 1, nullptr, 10);
    }
  }
  std::ifstream states(opt_.dir / "states.txt");
  std::stringstream text;
  text << states.rdbuf();
  if (!text.str().empty() && !model_.restore(text.str()))
    note("states.txt could not be read: the state machine starts over");
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(opt_.dir / "corpus", ec))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto loaded = scenario::load_scenario_file(f);
    if (!loaded.ok()) {
      note(f.string() + ": left out of the corpus: " + loaded.errors.front().what);
      continue;
    }
    // As an entry of an early case: evicted before seeds are, not swept again.
    corpus_.add({std::make_shared<const scenario::scenario>(std::move(loaded.sc)),
                 "corpus/" + f.filename().string(),
                 1,
                 {},
                 0});
  }
  first_case_ = next_commit_ = next_case_;
}

void driver::save_campaign() const {
  std::string out = "next_case\t" + std::to_string(next_commit_) + "\nserial\t" + std::to_string(serial_) + "\n";
  for (const auto& k : seen_) out += "finding\t" + k + "\n";
  for (std::size_t i = 0; i < corpus_.size(); ++i)
    if (corpus_[i].added_by == 0 && corpus_[i].sweep_size() > 0)
      out += "swept\t" + corpus_[i].origin + "\t" + std::to_string(corpus_[i].swept) + "\n";
  (void)report::write_file_atomically(opt_.dir / "campaign.txt", out);
  (void)report::write_file_atomically(opt_.dir / "states.txt", model_.save());
}

asio::awaitable<bool> driver::start_server(std::string& why) {
  server_.reset();  // the old one's group is killed
  server_out_at_ = 0;
  server_dead_ = false;
  server_ = client_process::start(exec_command_, why);
  if (!server_) co_return false;
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  const auto until = clock::now() + opt_.exec_start;
  while (clock::now() < until) {
    if (const auto st = server_->status()) {
      std::uint64_t at = 0;
      why = "it ended (" + cp::exit_rule(*st) + ")" +
            " before it accepted a connection; its output: " + server_->output_from(at, 2000);
      co_return false;
    }
    auto r = co_await net::connection::connect(ex, target_.host, target_.port, net::after(500ms));
    if (!r.ec) {
      r.conn.close();
      co_return true;
    }
    timer.expires_after(50ms);
    co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
  why = "it accepted no connection on " + to_string(target_) + " within " + scenario::to_string(opt_.exec_start);
  co_return false;
}

asio::awaitable<void> driver::restart(std::string because) {
  if (!server_) co_return;
  doing_ = "restarting the server";
  ++restarts_;
  const auto st = server_->status();
  note("the server under test " + (st ? "ended (" + cp::exit_rule(*st) + ")" : because) + ": restarting it");
  std::string why;
  const bool started = co_await start_server(why);
  if (!started) stop("the server under test did not start again: " + why);
  doing_.clear();
}

// ---- cases --------------------------------------------------------------------

planned driver::plan_case(std::uint64_t k) {
  planned p;
  if (!resumed_ && k <= seeds_.size()) {  // the seeds first, as they are
    p.sc = seeds_[k - 1];
    p.parent = "seed " + seed_names_[k - 1];
    return p;
  }
  const auto plan = corpus_.plan(k, opt_.seed, opt_.run.jobs);
  if (!plan) return p;
  std::optional<cp::mutant> m = plan->sweep ? mutator_.sweep(*plan->parent, plan->sweep->first, plan->sweep->second)
                                            : mutator_.havoc(*plan->parent, plan->seed, plan->other.get());
  if (!m) return p;
  p.sc = std::make_shared<const scenario::scenario>(std::move(m->sc));
  p.parent = plan->parent_origin;
  p.how = std::move(m->how);
  p.mutant = true;
  return p;
}

asio::awaitable<cp::execution::liveness> driver::liveness() {
  using live = cp::execution::liveness;
  auto ex = co_await asio::this_coro::executor;
  const auto wait = std::max<std::chrono::milliseconds>(opt_.reply_wait, 500ms);
  auto r = co_await net::connection::connect(ex, target_.host, target_.port, net::after(wait));
  if (r.ec) co_return r.ec == net::error::timed_out ? live::silent : live::refused;
  std::array<char, 512> buf;
  std::string got;
  const auto until = net::after(wait);
  live result = live::greeted;
  while (got.find('\n') == std::string::npos) {
    const auto rr = co_await r.conn.read_some(buf, until);
    got.append(buf.data(), rr.bytes);
    if (!rr.ec) continue;
    if (got.empty()) result = rr.ec == net::error::timed_out ? live::silent : live::closed;
    break;
  }
  if (r.conn.is_open()) {
    const auto ec = co_await r.conn.write("QUIT\r\n", net::after(wait));
    (void)ec;
  }
  r.conn.close();
  co_return result;
}

asio::awaitable<void> driver::pipe_server() {
  for (;;) {
    auto [ec, socket] = co_await pipe_acceptor_->async_accept(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !pipe_acceptor_->is_open()) co_return;
    if (ec) continue;
    // The processes of cases already judged: reaped, their output files removed.
    std::erase_if(pipe_procs_,
                  [&](const std::unique_ptr<client_process>& p) { return p.get() != last_pipe_ && p->exited(); });
    // Real pipes, not the socket itself: a program that finds a socket on
    // its stdin may take it for inetd's (Postfix's sendmail -bs then runs
    // smtpd as a daemon would). ehlo relays between the socket and them.
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0) continue;
    if (::pipe2(out, O_CLOEXEC) != 0) {
      ::close(in[0]);
      ::close(in[1]);
      continue;
    }
    std::string why;
    auto p = client_process::start(opt_.pipe, why, in[0], out[1]);
    ::close(in[0]);
    ::close(out[1]);
    if (!p) {
      ::close(in[1]);
      ::close(out[0]);
      note("--pipe: " + why);
      continue;
    }
    last_pipe_ = p.get();
    pipe_procs_.push_back(std::move(p));
    auto ex = co_await asio::this_coro::executor;
    auto sock = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
    auto to_stdin = std::make_shared<asio::posix::stream_descriptor>(ex, in[1]);
    auto from_stdout = std::make_shared<asio::posix::stream_descriptor>(ex, out[0]);
    // The socket's bytes to its stdin, until either side is done: then its stdin closes.
    asio::co_spawn(
        ex,
        [sock, to_stdin]() -> asio::awaitable<void> {
          std::array<char, 16384> buf;
          for (;;) {
            auto [rec, n] =
                co_await sock->async_read_some(asio::buffer(buf), asio::experimental::as_tuple(asio::use_awaitable));
            if (n > 0) {
              auto [wec, w] = co_await asio::async_write(*to_stdin, asio::buffer(buf.data(), n),
                                                         asio::experimental::as_tuple(asio::use_awaitable));
              if (wec) break;
            }
            if (rec) break;
          }
          std::error_code ignored;
          to_stdin->close(ignored);
        },
        asio::detached);
    // Its stdout to the socket, until it closes its stdout (it exited): then the socket closes.
    asio::co_spawn(
        ex,
        [sock, from_stdout]() -> asio::awaitable<void> {
          std::array<char, 16384> buf;
          for (;;) {
            auto [rec, n] = co_await from_stdout->async_read_some(asio::buffer(buf),
                                                                  asio::experimental::as_tuple(asio::use_awaitable));
            if (n > 0) {
              auto [wec, w] = co_await asio::async_write(*sock, asio::buffer(buf.data(), n),
                                                         asio::experimental::as_tuple(asio::use_awaitable));
              if (wec) break;
            }
            if (rec) break;
          }
          std::error_code ignored;
          sock->shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
          sock->close(ignored);
          from_stdout->close(ignored);
        },
        asio::detached);
  }
}

asio::awaitable<void> driver::await_exit(std::chrono::milliseconds limit) {
  const auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  const auto until = clock::now() + limit;
  while (!server_->status() && clock::now() < until) {
    timer.expires_after(10ms);
    co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<outcome> driver::execute(const scenario::scenario& played, std::uint64_t fault_seed, bool confirming,
                                         bool crash_grace) {
  // Confirming a hang, the replies get the whole wait its file will give them.
  scenario::scenario patient;
  if (confirming) {
    patient = played;
    patient.timeout = opt_.reply_wait;
  }
  const scenario::scenario& sc = confirming ? patient : played;
  outcome o;
  // Down before the case began: some earlier case's doing, not this one's.
  if (server_ && (server_dead_ || server_->status())) {
    server_dead_ = o.server_died = true;
    o.e.plays = plays_;
    o.e.not_played = "the server under test is down";
    co_return o;
  }
  cp::execution& e = o.e;
  e.plays = plays_;
  session::settings s = opt_.run.session;
  s.seed = fault_seed;
  std::unique_ptr<session::session> ses;
  if (plays_ == side::client)
    ses = std::make_unique<session::client_session>(sc, s);
  else
    ses = std::make_unique<session::server_session>(sc, s);
  drive_events ev;
  drive_settings d;
  if (plays_ == side::client) {
    d.tls = client_tls_ ? &*client_tls_ : nullptr;
    d.server_name = opt_.run.server_name.empty() ? target_.host : opt_.run.server_name;
  } else {
    d.tls = server_tls_ ? &*server_tls_ : nullptr;
  }
  d.linger = opt_.linger;
  d.session_limit = opt_.run.session_timeout.value_or(opt_.case_limit);
  d.events = &ev;
  // After a wait for a reply ran out: a live server answers this whether it
  // was waiting for a line's end, a message's end, or nothing (the hang oracle).
  d.nudge = "\r\n.\r\nQUIT\r\n";
  d.nudge_wait = confirming ? opt_.reply_wait : explore_wait();
  const auto connect_wait = std::max<std::chrono::milliseconds>(opt_.reply_wait, 5s);
  if (plays_ == side::client) {
    e.not_played = co_await play_against(target_, *ses, connect_wait, d, opt_.run.proxy);
  } else {
    const client_cmd_run cr = co_await play_client_cmd(opt_.run.peer, opt_.run.client_cmd, "", *ses, connect_wait,
                                                       opt_.run.client_limit, d, opt_.run.proxy);
    if (cr.reached != client_cmd_run::stage::played) e.not_played = cr.why;
    e.exit_status = cr.exit;
    e.output = cr.output;
    e.client_timed_out = cr.timed_out;
  }
  if (e.not_played.empty()) {
    e.verdict = ses->result();
    e.findings.assign(ses->findings().begin(), ses->findings().end());
    e.transcript.assign(ses->transcript().begin(), ses->transcript().end());
    e.mark = ses->mark();
    e.unmet_needs = ses->unmet_needs();
    e.leftover = ses->buffered() + ev.drained;
  }
  e.timed_out = ev.timed_out || ev.expired;
  e.broken = ev.broken;
  e.peer_closed = ev.peer_closed;
  switch (ev.nudged) {
    case drive_events::nudge::not_tried:
      break;
    case drive_events::nudge::answered:
      e.nudge = cp::execution::nudge_result::answered;
      break;
    case drive_events::nudge::closed:
      e.nudge = cp::execution::nudge_result::closed;
      break;
    case drive_events::nudge::silent:
      e.nudge = cp::execution::nudge_result::silent;
      break;
  }
  const bool odd =
      !e.not_played.empty() || ev.broken || ev.expired || ev.timed_out || (ev.peer_closed && !e.verdict.passed());
  // A server that reset the connection, or closed it midway, may be on its
  // way out: its exit comes a moment after.
  if (server_ && (ev.broken || (ev.peer_closed && !e.verdict.passed()))) co_await await_exit(300ms);
  // --pipe: the case's own process; how it ended is its (a signal, a sanitizer report).
  if (pipe_acceptor_ && last_pipe_ != nullptr) {
    client_process* p = last_pipe_;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto until = clock::now() + std::max<std::chrono::milliseconds>(opt_.linger, 200ms);
    while (!p->status() && clock::now() < until) {
      timer.expires_after(5ms);
      co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    e.output = p->output_tail(65536);
    // Exiting is what it does after QUIT or a broken pipe; only a signal is a crash.
    if (const auto st = p->status(); st && *st >= 128) e.exit_status = st;
  }
  if (plays_ == side::client && odd && !sc.implicit_tls && !pipe_acceptor_ && !(server_ && server_->status())) {
    e.fresh = co_await liveness();
    // Refused: the server is going away; its status comes in a moment.
    if (server_ && e.fresh == cp::execution::liveness::refused) co_await await_exit(2s);
  }
  // Finding a crash: one that comes just after the conversation ended is this case's too.
  if (server_ && crash_grace) co_await await_exit(100ms);
  if (server_) {
    e.output = server_->output_from(server_out_at_);
    if (const auto st = server_->status()) {
      e.exit_status = st;
      o.server_died = true;
    }
  }
  o.trace = cp::trace_of(e.transcript, &o.made, cp::unaligned_from(sc));
  o.findings = cp::judge(e, sc, oracles_);
  co_return o;
}

void driver::commit(std::uint64_t k, planned p, outcome o) {
  ++cases_;
  if (!p.sc) {
    ++discarded_;
    return;
  }
  consecutive_unplayed_ = o.e.not_played.empty() ? 0 : consecutive_unplayed_ + 1;
  if (o.server_died) server_dead_ = true;
  const auto novelty = model_.learn(o.trace);
  const bool broke = std::any_of(o.findings.begin(), o.findings.end(), [](const cp::fuzz_finding& f) {
    return f.oracle == cp::oracle::crash || f.oracle == cp::oracle::hang;
  });
  if (p.mutant && novelty.any() && !broke && o.e.not_played.empty()) {
    std::string origin = "case " + std::to_string(k) + " of " + p.parent;
    corpus_.add({p.sc, origin, k, sweep_of(*p.sc), 0});
    (void)report::write_file_atomically(opt_.dir / "corpus" / ("case-" + std::to_string(k) + ".json"),
                                        scenario::to_json(*p.sc));
  }
  for (auto& f : o.findings) {
    const std::string state = cp::state_at(o.trace, o.made, f.step);
    const std::string key = key_of(f, state);
    if (seen_.contains(key) || pending_.contains(key)) continue;
    pending_.insert(key);
    const bool urgent = f.oracle == cp::oracle::crash || f.oracle == cp::oracle::hang;
    (urgent ? urgent_ : quiet_).push_back({p.sc, std::move(f), state, k, p.parent, p.how});
  }
  if (!urgent_.empty() || server_dead_) exclusive_wanted_ = true;
  if (!quiet_.empty() && !minimizer_running_) {
    minimizer_running_ = true;
    asio::co_spawn(io_, minimizer(), asio::detached);
  }
  if (server_ == nullptr && consecutive_unplayed_ >= 20)
    stop("20 cases in a row could not be played: " + o.e.not_played);
}

asio::awaitable<void> driver::wait_at_gate() {
  co_await gate_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> driver::maybe_exclusive() {
  if (!exclusive_wanted_ || in_flight_ > 0 || in_exclusive_) co_return;
  in_exclusive_ = true;
  co_await exclusive();
  in_exclusive_ = false;
  exclusive_wanted_ = false;
  wake();
}

asio::awaitable<void> driver::minimizer() {
  while (!quiet_.empty() && !interrupted_ && !stopped_early_) {
    candidate c = std::move(quiet_.front());
    quiet_.pop_front();
    pending_.erase(key_of(c.finding, c.state));
    if (wanted(c)) co_await confirm_and_minimize(std::move(c), true);
  }
  quiet_.clear();
  minimizer_running_ = false;
  wake();  // the last worker may be waiting for it
}

bool driver::wanted(const candidate& c) {
  const std::string key = key_of(c.finding, c.state);
  if (seen_.contains(key)) return false;
  if (findings_.size() >= opt_.max_findings) {
    ++findings_dropped_;
    seen_.insert(key);
    return false;
  }
  return true;
}

asio::awaitable<void> driver::worker() {
  for (;;) {
    while (exclusive_wanted_ && !stopping_) co_await wait_at_gate();
    if (stopping_) break;
    if (opt_.max_cases && started_cases_ >= *opt_.max_cases) {
      stop("--max-execs");
      break;
    }
    if (out_of_time(false)) {
      stop(interrupted_ ? "interrupted" : "--max-time");
      break;
    }
    // A server that died stops every case until it is restarted: the
    // campaign turns exclusive now, not when the case that saw it is
    // committed (cases that end at once would otherwise spin through
    // numbers while an earlier one is still in flight).
    if (server_ && (server_dead_ || server_->status())) {
      server_dead_ = exclusive_wanted_ = true;
      co_await maybe_exclusive();
      continue;
    }
    const std::uint64_t k = next_case_++;
    ++started_cases_;
    planned p = plan_case(k);
    outcome o;
    if (p.sc) {
      ++in_flight_;
      o = co_await execute(*p.sc, cp::case_seed(opt_.seed, k));
      --in_flight_;
      ++execs_;
      if (o.server_died) server_dead_ = exclusive_wanted_ = true;
    }
    waiting_.emplace(k, std::make_pair(std::move(p), std::move(o)));
    for (auto it = waiting_.begin(); it != waiting_.end() && it->first == next_commit_; it = waiting_.erase(it)) {
      commit(it->first, std::move(it->second.first), std::move(it->second.second));
      ++next_commit_;
    }
    co_await maybe_exclusive();
  }
  // The last worker out: the findings still waiting are confirmed and
  // minimized (unless interrupted), then the campaign ends.
  if (--workers_ == 0) {
    if (!interrupted_ && !stopped_early_ && (!urgent_.empty() || server_dead_)) {
      exclusive_wanted_ = true;
      while (in_flight_ > 0 || in_exclusive_) co_await wait_at_gate();
      co_await maybe_exclusive();
    }
    while (minimizer_running_) co_await wait_at_gate();
    running_ = false;
    signals_.cancel();
    if (pipe_acceptor_) pipe_acceptor_->close();
    gate_.cancel();
  }
}

asio::awaitable<void> driver::ticker() {
  const auto ex = co_await asio::this_coro::executor;
  asio::steady_timer timer(ex);
  auto next_rss = clock::now();
  bool memory_reported = false;
  while (running_) {
    if (opt_.on_progress) opt_.on_progress(progress());
    if (server_ && clock::now() >= next_rss) {
      next_rss = clock::now() + 1s;
      if (const std::size_t kb = group_rss_kb(server_->pid()); kb > 0) {
        if (rss_.size() >= 1000) rss_.erase(rss_.begin() + 1);  // the first sample is the baseline
        rss_.push_back(kb);
      }
      if (!memory_reported)
        if (const auto f = cp::memory_finding(rss_, opt_.max_rss_kb)) {
          memory_reported = true;
          report::fuzz_finding_entry entry{
              std::string(cp::to_string(f->oracle)), f->rule, {}, f->detail, {}, {}, cases_, 0, 0, 0};
          findings_.push_back(entry);
          if (opt_.on_finding) opt_.on_finding(entry);
          stop_if_wanted(entry.oracle);
        }
    }
    timer.expires_after(250ms);
    co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> driver::exclusive() {
  if (server_ && server_dead_) co_await restart("died");
  while (!urgent_.empty() && !out_of_time(true)) {
    candidate c = std::move(urgent_.front());
    urgent_.pop_front();
    pending_.erase(key_of(c.finding, c.state));
    if (!wanted(c)) continue;
    co_await confirm_and_minimize(std::move(c), false);
    if (server_ && server_dead_) co_await restart("died");
  }
  for (const auto& c : urgent_) pending_.erase(key_of(c.finding, c.state));
  urgent_.clear();
}

asio::awaitable<bool> driver::reproduces(const scenario::scenario& sc, const candidate& c, std::size_t& tests,
                                         std::string& state, bool background) {
  if (background)
    while ((exclusive_wanted_ || in_exclusive_) && !interrupted_) co_await wait_at_gate();
  if (tests >= opt_.minimize_tests || out_of_time(true)) co_return false;
  ++tests;
  ++execs_;
  if (!background && server_ && (server_dead_ || server_->status())) co_await restart("died");
  if (background) ++in_flight_;
  const bool crash = c.finding.oracle == cp::oracle::crash && c.finding.rule != "refused";
  const outcome o = co_await execute(sc, cp::case_seed(opt_.seed, c.case_number), c.finding.oracle == cp::oracle::hang,
                                     crash && !background);
  if (background) --in_flight_;
  if (o.server_died) {
    server_dead_ = true;
    exclusive_wanted_ = true;
  }
  if (background) co_await maybe_exclusive();
  const auto same = std::find_if(o.findings.begin(), o.findings.end(), [&](const cp::fuzz_finding& f) {
    return f.oracle == c.finding.oracle && f.rule == c.finding.rule;
  });
  if (same == o.findings.end()) co_return false;
  state = cp::state_at(o.trace, o.made, same->step);
  co_return true;
}

asio::awaitable<void> driver::confirm_and_minimize(candidate c, bool background) {
  const std::string what = std::string(cp::to_string(c.finding.oracle)) + " " + c.finding.rule;
  std::size_t tests = 0;
  std::string state, shown;  ///< the state of the last run that reproduced it
  scenario::scenario best = *c.sc;
  // Without --exec a server that went away stays away: written as it was found.
  if (!(server_ == nullptr && c.finding.rule == "refused")) {
    doing_ = "confirming " + what;
    const bool confirmed = co_await reproduces(best, c, tests, shown, background);
    state = shown;
    if (!confirmed) {
      ++flaky_;
      note(what + " (case " + std::to_string(c.case_number) + ") did not show again when played alone: left out");
      doing_.clear();
      co_return;
    }
    doing_ = "minimizing " + what;
    // (No co_await inside a condition or a && here: g++ 12 miscompiles some.)
    if (!c.finding.at.empty()) {
      auto cut = cp::up_to(best, c.finding.at);
      bool shorter = false;
      if (cut && cut->steps.size() < best.steps.size())
        shorter = co_await reproduces(*cut, c, tests, shown, background);
      if (shorter) {
        best = std::move(*cut);
        state = shown;
      }
    }
    const cp::units u = cp::units_of(best, plays_);
    cp::delta_debugger steps(u.of.size(), opt_.minimize_tests);
    while (!steps.done() && tests < opt_.minimize_tests && !out_of_time(true)) {
      const auto cand = cp::keep_units(best, u, steps.candidate());
      bool ok = false;
      if (cand) ok = co_await reproduces(*cand, c, tests, shown, background);
      if (ok) state = shown;
      steps.result(ok);
    }
    if (steps.best().size() < u.of.size())
      if (auto kept = cp::keep_units(best, u, steps.best())) best = std::move(*kept);
    // The bytes of each step; a hang costs a whole wait a try, so fewer tries.
    const std::size_t per_step = c.finding.oracle == cp::oracle::hang ? 8 : 48;
    for (const std::size_t i : cp::shrinkable_steps(best, plays_)) {
      const std::size_t size = cp::shrinkable_text(best, i).size();
      if (size < 2 || tests >= opt_.minimize_tests || out_of_time(true)) continue;
      cp::delta_debugger bytes(size, per_step);
      while (!bytes.done() && tests < opt_.minimize_tests && !out_of_time(true)) {
        const auto cand = cp::with_text(best, i, bytes.candidate());
        bool ok = false;
        if (cand) ok = co_await reproduces(*cand, c, tests, shown, background);
        if (ok) state = shown;
        bytes.result(ok);
      }
      if (bytes.best().size() < size)
        if (auto kept = cp::with_text(best, i, bytes.best())) best = std::move(*kept);
    }
  }
  doing_.clear();
  // The state the smallest case reached it in: a case's mutations may have
  // shifted what it showed (a bare LF taken for a line end), the minimized one
  // says it plainly. Found again there, it is a finding already written.
  if (!state.empty() && state != c.state) {
    const std::string key = key_of(c.finding, state);
    seen_.insert(key_of(c.finding, c.state));
    if (seen_.contains(key)) {
      note(std::string(cp::to_string(c.finding.oracle)) + " " + c.finding.rule + " (case " +
           std::to_string(c.case_number) + ") is, minimized, one already found in " + state);
      co_return;
    }
    c.state = state;
  }
  write_finding(c, best, tests);
}

void driver::write_finding(const candidate& c, const scenario::scenario& best, std::size_t tests) {
  cp::finding_origin o;
  o.campaign_seed = opt_.seed;
  o.case_number = c.case_number;
  o.parent = c.parent;
  o.mutations = c.how;
  o.state = c.state;
  o.steps_before = c.sc->steps.size();
  o.serial = ++serial_;
  if (!opt_.pipe.empty())
    o.replay = "serve the command on a port over pipes (socat TCP-LISTEN:2525,reuseaddr,fork EXEC:'" + opt_.pipe +
               "',pipes), then ehlo run --target 127.0.0.1:2525 THIS-FILE";
  else
    o.replay = plays_ == side::client
                   ? "ehlo run --target " + to_string(target_) + " THIS-FILE"
                   : "ehlo run --listen " + to_string(opt_.run.peer) + " THIS-FILE, and the client against it";
  scenario::scenario patient = best;
  patient.timeout = opt_.reply_wait;
  const auto sc = cp::finding_scenario(patient, c.finding, o);
  char number[16];
  std::snprintf(number, sizeof number, "%03zu", o.serial);
  const fs::path file = opt_.dir / "findings" /
                        (std::string(number) + "-" + std::string(cp::to_string(c.finding.oracle)) + "-" +
                         cp::slug(c.finding.rule) + ".json");
  report::fuzz_finding_entry entry{std::string(cp::to_string(c.finding.oracle)),
                                   c.finding.rule,
                                   c.state,
                                   c.finding.detail,
                                   c.finding.at,
                                   file.string(),
                                   c.case_number,
                                   c.sc->steps.size(),
                                   sc ? sc->steps.size() : best.steps.size(),
                                   tests};
  if (const auto ec = report::write_file_atomically(file, scenario::to_json(sc ? *sc : best)))
    note("cannot write " + file.string() + ": " + ec.message());
  seen_.insert(key_of(c.finding, c.state));
  findings_.push_back(entry);
  if (opt_.on_finding) opt_.on_finding(entry);
  save_campaign();
  stop_if_wanted(entry.oracle);
}

report::fuzz_summary driver::run(std::string& fatal) {
  report::fuzz_summary summary;
  summary.ehlo_version = opt_.ehlo_version;
  summary.seed = opt_.seed;
  summary.exec = opt_.exec;
  summary.dir = opt_.dir.string();
  if (!prepare_dir(fatal)) return summary;
  resume();
  if (!prepare_seeds(fatal)) return summary;
  summary.seeds = seeds_.size();
  summary.first_case = first_case_;
  if (!make_tls_contexts(opt_.run, plays_ == side::client, plays_ == side::server, client_tls_, server_tls_, fatal))
    return summary;

  target_ = opt_.run.peer;
  if (plays_ == side::client && !opt_.exec.empty() && target_.port == 0) target_.port = free_port();
  summary.peer = plays_ == side::client
                     ? "server " + to_string(target_)
                     : "client " + opt_.run.client_cmd + " (listening on " + to_string(opt_.run.peer) + ")";
  if (!opt_.exec.empty()) exec_command_ = fill_command(opt_.exec, target_.host, target_.port, "");
  if (!opt_.pipe.empty()) {
    std::error_code ec;
    pipe_acceptor_.emplace(io_);
    const asio::ip::tcp::endpoint local(asio::ip::make_address_v4("127.0.0.1"), 0);
    (void)pipe_acceptor_->open(local.protocol(), ec);
    if (!ec) (void)pipe_acceptor_->bind(local, ec);
    if (!ec) (void)pipe_acceptor_->listen(64, ec);
    if (!ec) target_ = {"127.0.0.1", pipe_acceptor_->local_endpoint(ec).port()};
    if (ec) {
      fatal = "--pipe: cannot listen on 127.0.0.1: " + ec.message();
      return summary;
    }
    summary.peer = "server " + opt_.pipe + " (on its stdin and stdout)";
  }

  // The server first (--exec), and a peer that can be reached at all.
  bool ready = true;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        std::string why;
        if (!exec_command_.empty()) {
          const bool started = co_await start_server(why);
          if (!started) {
            fatal = "--exec: the server under test did not start: " + why + " (" + exec_command_ + ")";
            ready = false;
          }
        } else if (plays_ == side::client && !pipe_acceptor_) {
          const auto live = co_await liveness();
          if (live == cp::execution::liveness::refused) {
            fatal = "cannot connect to " + to_string(target_);
            ready = false;
          }
        }
      },
      asio::detached);
  io_.run();
  io_.restart();
  if (!ready) return summary;
  if (pipe_acceptor_) asio::co_spawn(io_, pipe_server(), asio::detached);

  signals_.async_wait([this](const std::error_code& e, int) {
    if (e) return;
    interrupted_ = true;
    stop("interrupted");
  });
  started_ = clock::now();
  // One case at a time: a listener on a fixed port (the client cannot tell two
  // cases apart), or --pipe (the newest process is the case's).
  const std::size_t jobs = (plays_ == side::server && opt_.run.peer.port != 0) || pipe_acceptor_
                               ? 1
                               : std::max<std::size_t>(1, opt_.run.jobs);
  workers_ = jobs;
  for (std::size_t i = 0; i < jobs; ++i) asio::co_spawn(io_, worker(), asio::detached);
  asio::co_spawn(io_, ticker(), asio::detached);
  io_.run();

  save_campaign();
  server_.reset();
  const fs::path dot = opt_.dir / "states.dot";
  (void)report::write_file_atomically(dot, model_.dot());
  summary.state_machine = dot.string();
  if (on_path("dot")) {
    const fs::path svg = opt_.dir / "states.svg";
    const std::string cmd =
        "dot -Tsvg -o " + shell_quoted(svg.string()) + " " + shell_quoted(dot.string()) + " 2>/dev/null";
    if (std::system(cmd.c_str()) == 0) summary.state_machine += ", " + svg.string();
  }
  summary.at_end = progress();
  summary.at_end.doing.clear();
  summary.discarded = discarded_;
  summary.flaky = flaky_;
  summary.findings = findings_;
  summary.findings_dropped = findings_dropped_;
  summary.stopped = stopped_;
  (void)report::write_file_atomically(opt_.dir / "report.json", report::fuzz_json_report(summary));
  return summary;
}

}  // namespace

report::fuzz_summary fuzz(const std::vector<input>& seeds, const fuzz_options& opt, std::string& fatal) {
  driver d(seeds, opt);
  return d.run(fatal);
}

}  // namespace ehlo::run
