// ehlo run: argument parsing, then run::run and the reports.
#include <charconv>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>

#include "check/probe_verdict.hpp"
#include "cli/commands.hpp"
#include "cli/run_options.hpp"
#include "report/atomic_file.hpp"
#include "report/console.hpp"
#include "report/json_report.hpp"
#include "report/junit_report.hpp"
#include "run/runner.hpp"
#include "run/selection.hpp"

namespace ehlo::cli {

namespace {

constexpr std::string_view run_usage = R"(usage: ehlo run [--target HOST:PORT | --listen HOST:PORT] [OPTIONS] PATH...

Plays scenarios (*.json) and captured transcripts (*.txt), or the folders holding
them. With neither --target nor --listen, plays both sides against each other on
127.0.0.1 (self-play).

  --target HOST:PORT     play the client against this server; [IPv6]:PORT for an IPv6
                         address, unix:PATH for a Unix-domain socket
  --listen HOST:PORT     play the server for real clients (port 0: any; printed first);
                         [IPv6]:PORT, or unix:PATH (a stale socket file there is
                         replaced, and the socket removed at the end)
  --jobs N               scenarios played at once (default: the number of cores); the
                         results come in the order of the inputs all the same
  --tag TAG              play only scenarios with this tag (again for more: any of them)
  --skip-tag TAG         skip scenarios with this tag (again for more); the scenarios
                         left out are reported as skipped, saying why
  --strict               a --var no scenario uses, or a --tag or --skip-tag no scenario
                         has, is an error (exit 2, nothing played), not a warning
  --play VERDICT         of a one_of, the sending role plays the first branch marked with this
                         verdict (conforms, violates, exploitable, ...): ehlo's own peer made
                         to conform to a probe or to commit its violation
  --seed N               the randomness of faults ("chunks": "random"); the summary
                         prints the seed a run drew, and --seed N plays it again
  --report json:PATH     write a JSON report (written atomically, also when interrupted)
  --report junit:PATH    write a JUnit XML report
  --keep-results N       keep whole for the reports and --transcript the first N results that
                         passed and the first N others (default 1000); the rest are only counted
 server role:
  --connections N        serve N connections, then stop (default 1)
  --forever              serve until interrupted (SIGINT prints the summary; exit 0 when
                         every connection finished and passed)
  --spool DIR            write each message received as an .eml file, its envelope beside it
 shared with ehlo check:
)";

int usage_error(std::string_view what) {
  std::fprintf(stderr, "ehlo run: %.*s\n\n%s%s", static_cast<int>(what.size()), what.data(), run_usage.data(),
               shared_usage.data());
  return 2;
}

void write_reports(const std::vector<report_target>& reports, const std::string& transcript_dir,
                   const report::run_summary& summary) {
  for (const auto& r : reports) {
    const std::string text = r.format == "json" ? report::json_report(summary) : report::junit_report(summary);
    if (const auto ec = report::write_file_atomically(r.path, text))
      std::fprintf(stderr, "ehlo run: cannot write %s: %s\n", r.path.c_str(), ec.message().c_str());
  }
  write_transcripts("ehlo run", transcript_dir, summary);
}

}  // namespace

int run_command(const std::vector<std::string_view>& args) {
  run::options opt;
  opt.jobs = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string_view> paths;
  std::vector<std::string> tags, skip_tags;
  shared_options shared;
  bool strict = false;
  bool have_peer = false;
  std::optional<std::uint64_t> seed;

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string error;
    const parsed shared_option = parse_shared_option(args, i, opt, shared, {"json", "junit"}, error);
    if (shared_option == parsed::error) return usage_error(error);
    if (shared_option == parsed::taken) continue;
    const std::string_view a = args[i];
    const auto value = [&](std::string_view& out) { return next_value(args, i, out); };
    std::string_view v;
    if (a == "--target" || a == "--listen") {
      if (have_peer) return usage_error("give one of --target and --listen");
      if (!value(v)) return usage_error(std::string(a) + " needs HOST:PORT");
      std::error_code ec;
      opt.peer = net::parse_endpoint(v, ec);
      if (ec) return usage_error(std::string(a) + " " + std::string(v) + ": " + ec.message());
      opt.mode = a == "--target" ? run::mode::client : run::mode::server;
      have_peer = true;
    } else if (a == "--jobs") {
      if (!value(v) || !parse_count(v, opt.jobs)) return usage_error("--jobs needs a number above 0");
    } else if (a == "--connections") {
      if (!value(v) || !parse_count(v, opt.connections)) return usage_error("--connections needs a number above 0");
    } else if (a == "--keep-results") {
      if (!value(v) || !parse_count(v, opt.keep_results, true)) return usage_error("--keep-results needs a number");
    } else if (a == "--tag" || a == "--skip-tag") {
      if (!value(v)) return usage_error(std::string(a) + " needs a tag");
      (a == "--tag" ? tags : skip_tags).emplace_back(v);
    } else if (a == "--seed") {
      std::uint64_t n = 0;
      if (!value(v) || std::from_chars(v.data(), v.data() + v.size(), n).ptr != v.data() + v.size() || v.empty())
        return usage_error("--seed needs a number from 0 to 18446744073709551615");
      seed = n;
    } else if (a == "--spool") {
      if (!value(v)) return usage_error("--spool needs a folder");
      opt.spool = std::filesystem::path(v);
    } else if (a == "--play") {
      if (!value(v) || !check::verdict_of(v))
        return usage_error("--play needs a verdict: conforms, violates, exploitable, inconclusive, not-applicable");
      opt.session.play = check::verdict_of(v);
    } else if (a == "--forever") {
      opt.forever = true;
    } else if (a == "--strict") {
      strict = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(run_usage.data(), stdout);
      std::fputs(shared_usage.data(), stdout);
      return 0;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + std::string(a));
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return usage_error("name the scenarios to play");
  if (const auto why = check_proxy_options(opt); !why.empty()) return usage_error(why);
  if (opt.spool) {
    std::error_code ec;
    std::filesystem::create_directories(*opt.spool, ec);
    if (ec) return usage_error("--spool " + opt.spool->string() + ": " + ec.message());
  }

  std::vector<std::string> errors;
  auto inputs = run::load_inputs(paths, errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!errors.empty()) {
    std::fprintf(stderr, "ehlo run: nothing was played\n");
    return 2;
  }
  // Most often typos: said, and under --strict refused.
  const auto unmatched = run::unmatched_options(inputs, opt.session.vars, tags, skip_tags);
  for (const auto& u : unmatched) std::fprintf(stderr, "ehlo run: %s%s\n", strict ? "" : "warning: ", u.c_str());
  if (strict && !unmatched.empty()) {
    std::fprintf(stderr, "ehlo run: nothing was played (--strict)\n");
    return 2;
  }
  std::size_t played = 0;
  for (const auto& in : inputs) {
    opt.skip.push_back(run::skip_reason(in.sc, tags, skip_tags));
    if (opt.skip.back().empty()) ++played;
  }
  if (played == 0) {
    std::fprintf(stderr, "ehlo run: no scenario left to play after --tag/--skip-tag\n");
    return 2;
  }

  report::console_options console_opt;
  console_opt.colour = report::colour_wanted(STDOUT_FILENO);
  console_opt.verbose = shared.verbose;
  report::console_writer console(STDOUT_FILENO, console_opt);
  opt.on_listening = [&opt](std::uint16_t port) {
    if (opt.peer.is_unix())
      std::printf("listening on %s\n", net::to_string(opt.peer).c_str());
    else
      std::printf("listening on port %u\n", port);
    std::fflush(stdout);
  };
  opt.on_result = [&](const report::scenario_result& r) {
    // The summary counts them; their lines would bury what was played.
    if (r.status != report::status::skipped || shared.verbose) console.scenario(r);
  };

  if (!seed) {
    std::random_device random;
    seed = std::uint64_t{random()} << 32 | random();
  }
  opt.session.seed = *seed;
  std::string fatal;
  auto summary = run::run(inputs, opt, fatal);
  summary.seed = *seed;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    summary.seed_used = summary.seed_used || (opt.skip[i].empty() && scenario::uses_seed(inputs[i].sc));
  if (!fatal.empty()) {
    std::fprintf(stderr, "ehlo run: %s\n", fatal.c_str());
    return 2;
  }
  summary.ehlo_version = EHLO_VERSION;
  console.summary(summary);
  write_reports(shared.reports, shared.transcript_dir, summary);
  const report::totals t = report::count(summary);
  // --forever ends only by a signal: that is its normal end, and the verdict
  // is the connections'. Otherwise an interrupted run did not do its work.
  const bool all_passed = (!summary.interrupted || opt.forever) && t.failed == 0 && t.errors == 0 && t.interrupted == 0;
  return all_passed ? 0 : 1;
}

}  // namespace ehlo::cli
