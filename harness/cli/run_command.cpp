// ehlo run: argument parsing, then run::run and the reports.
#include <charconv>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>

#include "cli/commands.hpp"
#include "report/atomic_file.hpp"
#include "report/console.hpp"
#include "report/json_report.hpp"
#include "report/junit_report.hpp"
#include "report/transcript_files.hpp"
#include "run/runner.hpp"
#include "run/selection.hpp"

namespace ehlo::cli {

namespace {

constexpr std::string_view run_usage = R"(usage: ehlo run [--target HOST:PORT | --listen HOST:PORT] [OPTIONS] PATH...

Plays scenarios (*.json) and captured transcripts (*.txt), or the folders holding
them. With neither --target nor --listen, plays both sides against each other on
127.0.0.1 (self-play).

  --target HOST:PORT     play the client against this server
  --listen HOST:PORT     play the server for real clients (port 0: any; printed first)
  --jobs N               scenarios played at once (default: the number of cores); the
                         results come in the order of the inputs all the same
  --var NAME=VALUE       set a variable (again for more)
  --tag TAG              play only scenarios with this tag (again for more: any of them)
  --skip-tag TAG         skip scenarios with this tag (again for more); the scenarios
                         left out are reported as skipped, saying why
  --strict               a --var no scenario uses, or a --tag or --skip-tag no scenario
                         has, is an error (exit 2, nothing played), not a warning
  --timeout DURATION     every wait, whatever the scenarios say ("5s", "500ms")
  --seed N               the randomness of faults ("chunks": "random"); the summary
                         prints the seed a run drew, and --seed N plays it again
  --session-timeout DURATION
                         the longest a whole session may take (default 5m, or twice
                         a scenario's longest wait plus its pauses when that is more)
  --report json:PATH     write a JSON report (written atomically, also when interrupted)
  --report junit:PATH    write a JUnit XML report
  --transcript DIR       write each session's transcript, in the S:/C: form
  --keep-results N       keep whole for the reports and --transcript the first N results that
                         passed and the first N others (default 1000); the rest are only counted
  --show-secrets         print secrets (AUTH exchanges, "secrets" variables) in transcripts and reports
  --verbose, -v          list every finding, and every scenario skipped
 client role:
  --tls-verify           verify the server's certificate (a failure is always a finding)
  --tls-sni NAME         the name sent in SNI and checked in the certificate
  --tls-ca FILE          trust these CA certificates (PEM)
  --tls-client-cert FILE, --tls-client-key FILE   a client certificate
 server role:
  --tls-cert FILE, --tls-key FILE   the server certificate (default: one made in memory)
  --connections N        serve N connections, then stop (default 1)
  --forever              serve until interrupted (SIGINT prints the summary; exit 0 when
                         every connection finished and passed)
  --spool DIR            write each message received as an .eml file, its envelope beside it
)";

int usage_error(std::string_view what) {
  std::fprintf(stderr, "ehlo run: %.*s\n\n%s", static_cast<int>(what.size()), what.data(), run_usage.data());
  return 2;
}

bool parse_count(std::string_view s, std::size_t& out, bool zero_too = false) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && end == s.data() + s.size() && (out > 0 || zero_too);
}

bool parse_duration(std::string_view s, scenario::duration& out) {
  double n = 0;
  std::size_t unit = s.size();
  while (unit > 0 && (s[unit - 1] < '0' || s[unit - 1] > '9')) --unit;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + unit, n);
  const std::string_view suffix = s.substr(unit);
  const double scale = suffix == "ms" ? 0.001 : (suffix == "s" || suffix.empty()) ? 1 : suffix == "m" ? 60 : -1;
  if (ec != std::errc{} || end != s.data() + unit || unit == 0 || scale < 0 || n < 0 || n * scale > 3600) return false;
  out = scenario::duration(static_cast<scenario::duration::rep>(n * scale * 1000 + 0.5));
  return true;
}

struct report_target {
  std::string format;  // json, junit
  std::string path;
};

void write_reports(const std::vector<report_target>& reports, const std::string& transcript_dir,
                   const report::run_summary& summary) {
  for (const auto& r : reports) {
    const std::string text = r.format == "json" ? report::json_report(summary) : report::junit_report(summary);
    if (const auto ec = report::write_file_atomically(r.path, text))
      std::fprintf(stderr, "ehlo run: cannot write %s: %s\n", r.path.c_str(), ec.message().c_str());
  }
  if (!transcript_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(transcript_dir, ec);
    if (ec || (ec = report::write_transcript_files(transcript_dir, summary.results)))
      std::fprintf(stderr, "ehlo run: cannot write transcripts to %s: %s\n", transcript_dir.c_str(),
                   ec.message().c_str());
  }
}

}  // namespace

int run_command(const std::vector<std::string_view>& args) {
  run::options opt;
  opt.jobs = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string_view> paths;
  std::vector<std::string> tags, skip_tags;
  std::vector<report_target> reports;
  std::string transcript_dir;
  bool verbose = false;
  bool strict = false;
  bool have_peer = false;
  std::optional<std::uint64_t> seed;

  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    const auto value = [&](std::string_view& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
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
    } else if (a == "--var") {
      if (!value(v) || v.find('=') == std::string_view::npos || v.front() == '=')
        return usage_error("--var needs NAME=VALUE");
      const auto eq = v.find('=');
      opt.session.vars[std::string(v.substr(0, eq))] = std::string(v.substr(eq + 1));
    } else if (a == "--tag" || a == "--skip-tag") {
      if (!value(v)) return usage_error(std::string(a) + " needs a tag");
      (a == "--tag" ? tags : skip_tags).emplace_back(v);
    } else if (a == "--timeout") {
      scenario::duration d{};
      if (!value(v) || !parse_duration(v, d)) return usage_error("--timeout needs a duration such as 5s or 500ms");
      opt.session.timeout = d;
    } else if (a == "--seed") {
      std::uint64_t n = 0;
      if (!value(v) || std::from_chars(v.data(), v.data() + v.size(), n).ptr != v.data() + v.size() || v.empty())
        return usage_error("--seed needs a number from 0 to 18446744073709551615");
      seed = n;
    } else if (a == "--session-timeout") {
      scenario::duration d{};
      if (!value(v) || !parse_duration(v, d) || d.count() == 0)
        return usage_error("--session-timeout needs a duration above 0 such as 5m or 30s");
      opt.session_timeout = d;
    } else if (a == "--report") {
      if (!value(v)) return usage_error("--report needs json:PATH or junit:PATH");
      const auto colon = v.find(':');
      const std::string_view format = v.substr(0, colon);
      if (colon == std::string_view::npos || colon + 1 == v.size() || (format != "json" && format != "junit"))
        return usage_error("--report needs json:PATH or junit:PATH");
      reports.push_back({std::string(format), std::string(v.substr(colon + 1))});
    } else if (a == "--transcript") {
      if (!value(v)) return usage_error("--transcript needs a folder");
      transcript_dir = v;
    } else if (a == "--spool") {
      if (!value(v)) return usage_error("--spool needs a folder");
      opt.spool = std::filesystem::path(v);
    } else if (a == "--tls-sni" || a == "--tls-ca" || a == "--tls-client-cert" || a == "--tls-client-key" ||
               a == "--tls-cert" || a == "--tls-key") {
      if (!value(v)) return usage_error(std::string(a) + " needs a value");
      std::string& slot = a == "--tls-sni"           ? opt.server_name
                          : a == "--tls-ca"          ? opt.ca_file
                          : a == "--tls-client-cert" ? opt.client_cert
                          : a == "--tls-client-key"  ? opt.client_key
                          : a == "--tls-cert"        ? opt.server_cert
                                                     : opt.server_key;
      slot = v;
    } else if (a == "--tls-verify") {
      opt.tls_verify = true;
    } else if (a == "--forever") {
      opt.forever = true;
    } else if (a == "--strict") {
      strict = true;
    } else if (a == "--show-secrets") {
      opt.session.show_secrets = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(run_usage.data(), stdout);
      return 0;
    } else if (a == "--verbose" || a == "-v") {
      verbose = true;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + std::string(a));
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return usage_error("name the scenarios to play");
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
  console_opt.verbose = verbose;
  report::console_writer console(STDOUT_FILENO, console_opt);
  opt.on_listening = [](std::uint16_t port) {
    std::printf("listening on port %u\n", port);
    std::fflush(stdout);
  };
  opt.on_result = [&](const report::scenario_result& r) {
    // The summary counts them; their lines would bury what was played.
    if (r.status != report::status::skipped || verbose) console.scenario(r);
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
  write_reports(reports, transcript_dir, summary);
  const report::totals t = report::count(summary);
  // --forever ends only by a signal: that is its normal end, and the verdict
  // is the connections'. Otherwise an interrupted run did not do its work.
  const bool all_passed = (!summary.interrupted || opt.forever) && t.failed == 0 && t.errors == 0 && t.interrupted == 0;
  return all_passed ? 0 : 1;
}

}  // namespace ehlo::cli
