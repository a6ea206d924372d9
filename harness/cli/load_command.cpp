// ehlo load: argument parsing, then run::run_load and the reports.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/load_reports.hpp"
#include "cli/run_options.hpp"
#include "load/thresholds.hpp"
#include "report/console.hpp"
#include "report/load_console.hpp"
#include "report/load_csv.hpp"
#include "report/printable.hpp"
#include "run/load_runner.hpp"

namespace ehlo::cli {

namespace {

constexpr std::string_view load_usage = R"(usage: ehlo load --target HOST:PORT [OPTIONS] SCENARIO...

Plays the scenarios as the client against one server, over and over, every check on (session k
plays scenario k mod n), and measures: sessions and messages a second, the latency of every step
(connect, greeting, TLS, each command to its reply, the end of data to its reply, the whole
session) as p50, p90, p99, p99.9 and max, and the failed sessions by cause. A status line every
second; a summary at the end.

  --target HOST:PORT       the server (required); [IPv6]:PORT, or unix:PATH for a Unix socket
  --concurrency C          closed loop: C sessions at all times (the default, with C = 1)
  --rate R                 open loop: R new sessions a second ("200" or "200/s"), whether or not
                           the server keeps up
  --duration D             start sessions for this long ("30s", "10m", "2h"); those under way finish
                           within their deadlines
  --sessions N             at most N sessions in all (neither this nor --duration: until SIGINT)
  --messages-per-session M
                           play each scenario's message part M times in one session (as smtp-source
                           -m with -d): the top-level steps from the one that sends MAIL to the reply
                           after the message (see README.md, "ehlo load")
  --stop-on-error          stop at the first failed session, printing it whole (exit 1)
  --max-in-flight N        open loop: a session due while N are under way is not started and
                           counts as an error (default 1000)
  --fail-if CONDITION      exit 1 when CONDITION holds at the end (again for more):
                             'p99(session) > 200ms'  'p50(RCPT) >= 20ms'  'max(connect) > 1s'
                             'errors > 0'  'errors% > 1'  'rate < 1000/s' (messages accepted)
                             'session-rate < 500/s'  'sessions < 10000'  'messages < 10000'
                           steps: connect greeting EHLO HELO STARTTLS tls AUTH AUTH-response MAIL
                           RCPT DATA end-of-data BDAT RSET NOOP VRFY EXPN HELP other QUIT session
  --report json:PATH       totals, a histogram and percentiles per step, errors by cause, the series
                           (ehlo report merge adds such reports up)
  --report csv:PATH        a row a second, written while the load runs
  --report html:PATH       one page: throughput and latency over time, a histogram per step
  --quiet                  no status line every second
 shared with ehlo run:
  --var NAME=VALUE         set a variable (again for more)
  --timeout DURATION       every wait, whatever the scenarios say ("5s", "500ms")
  --session-timeout DURATION
                           the longest a whole session may take (default 5m, or twice a scenario's
                           longest wait plus its pauses when that is more)
  --show-secrets           print secrets in failures' examples
  --tls-verify, --tls-sni NAME, --tls-ca FILE, --tls-client-cert FILE, --tls-client-key FILE
                           TLS of the client role, as for ehlo run
  --proxy v1|v2, --proxy-source ADDR:PORT, --proxy-destination ADDR:PORT
                           a PROXY protocol header first on every connection, as for ehlo run
                           (the load through what a load balancer in front of the server sends)

Exit status: 0 when the load ran (failed sessions are counted, not fatal: use --fail-if 'errors > 0');
1 when a --fail-if condition holds, --stop-on-error stopped it, or a signal cut short a run given
--duration or --sessions; 2 for bad usage or scenarios (nothing is played).
)";

int usage_error(std::string_view what) {
  std::fprintf(stderr, "ehlo load: %.*s\n\n%s", static_cast<int>(what.size()), what.data(), load_usage.data());
  return 2;
}

/// "30s", "10m", "2h", "500ms", or seconds; at most 30 days.
bool parse_run_length(std::string_view s, std::chrono::milliseconds& out) {
  std::size_t unit = s.size();
  while (unit > 0 && (s[unit - 1] < '0' || s[unit - 1] > '9')) --unit;
  double n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + unit, n);
  const std::string_view suffix = s.substr(unit);
  const double scale = suffix == "ms"                    ? 0.001
                       : suffix == "s" || suffix.empty() ? 1
                       : suffix == "m"                   ? 60
                       : suffix == "h"                   ? 3600
                                                         : -1;
  if (ec != std::errc{} || end != s.data() + unit || unit == 0 || scale < 0 || !(n > 0) || n * scale > 30 * 86400.0)
    return false;
  out = std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(n * scale * 1000)));
  return out.count() > 0;
}

}  // namespace

int load_command(const std::vector<std::string_view>& args) {
  run::load_options opt;
  std::vector<std::string_view> paths;
  shared_options shared;
  std::vector<load::threshold> thresholds;
  bool have_target = false, have_concurrency = false, quiet = false;

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string error;
    const parsed shared_option = parse_shared_option(args, i, opt.base, shared, {"json", "csv", "html"}, error);
    if (shared_option == parsed::error) return usage_error(error);
    if (shared_option == parsed::taken) continue;
    const std::string_view a = args[i];
    std::string_view v;
    const auto value = [&] { return next_value(args, i, v); };
    if (a == "--target") {
      if (!value()) return usage_error("--target needs HOST:PORT");
      std::error_code ec;
      opt.target = net::parse_endpoint(v, ec);
      if (ec) return usage_error("--target " + std::string(v) + ": " + ec.message());
      have_target = true;
    } else if (a == "--concurrency") {
      if (!value() || !parse_count(v, opt.concurrency) || opt.concurrency > 100000)
        return usage_error("--concurrency needs a number from 1 to 100000");
      have_concurrency = true;
    } else if (a == "--rate") {
      if (!value()) return usage_error("--rate needs new sessions a second, such as 200 or 200/s");
      std::string_view n = v;
      if (n.ends_with("/s")) n.remove_suffix(2);
      double r = 0;
      const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), r);
      if (ec != std::errc{} || end != n.data() + n.size() || n.empty() || !(r > 0) || r > 1e6)
        return usage_error("--rate needs new sessions a second above 0, such as 200 or 200/s");
      opt.rate = r;
    } else if (a == "--duration") {
      std::chrono::milliseconds d{};
      if (!value() || !parse_run_length(v, d))
        return usage_error("--duration needs a length above 0 such as 30s, 10m or 2h (at most 30 days)");
      opt.duration = d;
    } else if (a == "--sessions") {
      std::size_t n = 0;
      if (!value() || !parse_count(v, n)) return usage_error("--sessions needs a number above 0");
      opt.sessions = n;
    } else if (a == "--messages-per-session") {
      if (!value() || !parse_count(v, opt.messages_per_session) || opt.messages_per_session > 1'000'000)
        return usage_error("--messages-per-session needs a number from 1 to 1000000");
    } else if (a == "--max-in-flight") {
      if (!value() || !parse_count(v, opt.max_in_flight)) return usage_error("--max-in-flight needs a number above 0");
    } else if (a == "--stop-on-error") {
      opt.stop_on_error = true;
    } else if (a == "--fail-if") {
      if (!value()) return usage_error("--fail-if needs a condition such as 'p99(session) > 200ms'");
      std::string why;
      auto t = load::parse_threshold(v, why);
      if (!t) return usage_error("--fail-if '" + std::string(v) + "': " + why);
      thresholds.push_back(std::move(*t));
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(load_usage.data(), stdout);
      return 0;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + std::string(a));
    } else {
      paths.push_back(a);
    }
  }
  if (!have_target) return usage_error("name the server with --target HOST:PORT");
  opt.base.mode = run::mode::client;
  if (const auto why = check_proxy_options(opt.base); !why.empty()) return usage_error(why);
  if (have_concurrency && opt.rate > 0) return usage_error("give one of --concurrency and --rate");
  if (!shared.transcript_dir.empty())
    return usage_error("--transcript is not for ehlo load (a failure's example is in the reports)");
  if (paths.empty()) return usage_error("name the scenarios to play");

  std::vector<std::string> errors;
  auto inputs = run::load_inputs(paths, errors);
  for (const auto& e : run::check_message_parts(inputs, opt)) errors.push_back(e);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!errors.empty()) {
    std::fprintf(stderr, "ehlo load: nothing was played\n");
    return 2;
  }

  // The CSV is written as the load runs: opened (and refused) before it starts.
  std::FILE* csv = nullptr;
  for (const auto& r : shared.reports) {
    if (r.format != "csv") continue;
    if (csv != nullptr) return usage_error("one --report csv: at a time");
    csv = std::fopen(r.path.c_str(), "w");
    if (csv == nullptr) {
      std::fprintf(stderr, "ehlo load: cannot write %s: %s\n", r.path.c_str(), std::strerror(errno));
      return 2;
    }
    std::fputs(report::load_csv::header().c_str(), csv);
    std::fflush(csv);
  }
  report::load_csv csv_rows;
  opt.on_second = [&](const load::interval& p, const load::load_stats& s, bool last) {
    if (csv != nullptr) {
      std::fputs(csv_rows.row(p).c_str(), csv);
      std::fflush(csv);
    }
    // The rest of the last second: its rates would mislead; the summary follows.
    if (!quiet && !last) (void)report::write_all(STDOUT_FILENO, report::format_load_status(p, s));
  };

  std::string fatal;
  auto stats = run::run_load(inputs, opt, fatal);
  if (csv != nullptr) std::fclose(csv);
  if (!fatal.empty()) {
    std::fprintf(stderr, "ehlo load: %s\n", fatal.c_str());
    return 2;
  }
  stats.ehlo_version = EHLO_VERSION;
  const bool colour = report::colour_wanted(STDOUT_FILENO);
  std::string out = report::format_load_summary(stats, colour);
  if (stats.stopped_on_error && !stats.errors.empty()) {
    out += "the failure that stopped it:\n";
    std::string shown;
    report::append_printable(shown, stats.errors.front().example, false, 8000);
    for (std::size_t at = 0; at < shown.size();) {
      const std::size_t lf = shown.find('\n', at);
      out += "  " + shown.substr(at, lf == std::string::npos ? std::string::npos : lf - at) + "\n";
      if (lf == std::string::npos) break;
      at = lf + 1;
    }
  }
  const bool crossed = check_thresholds(thresholds, stats, colour, out);
  (void)report::write_all(STDOUT_FILENO, out);
  write_load_reports("ehlo load", shared.reports, stats, /*csv_written=*/true);
  const bool cut_short = stats.interrupted && (opt.duration || opt.sessions > 0);
  return crossed || stats.stopped_on_error || cut_short ? 1 : 0;
}

}  // namespace ehlo::cli
