// ehlo check: argument parsing, the probes chosen (check/catalog.hpp), then
// run::run in check mode and the reports.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>

#include "check/baseline.hpp"
#include "check/catalog.hpp"
#include "check/probe_verdict.hpp"
#include "cli/commands.hpp"
#include "cli/run_options.hpp"
#include "report/atomic_file.hpp"
#include "report/check_console.hpp"
#include "report/check_html.hpp"
#include "report/console.hpp"
#include "report/json_report.hpp"
#include "report/junit_report.hpp"
#include "report/printable.hpp"
#include "run/runner.hpp"

namespace ehlo::cli {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view check_usage =
    R"(usage: ehlo check (--target HOST:PORT... | --listen HOST:PORT | --self-test | --list) [OPTIONS] [PATH...]

Plays conformance probes against a live server (--target) or client (--listen),
each on a fresh connection, and prints a verdict per probe: conforms, violates
(with its severity: must, should, lenient, pedantic), exploitable, inconclusive
(with why: a 421, a refused connection, a timeout) or not applicable (what it
needs was not offered), with the rule ids and RFC sections of each. PATH: probe
files or folders (default: the catalog, scenarios/conformance).

  --target HOST:PORT     a server to check with the server probes; again for more,
                         reported side by side; [IPv6]:PORT, or unix:PATH for a
                         Unix-domain socket
  --listen HOST:PORT     check a client with the client probes: it connects once per
                         probe (port 0: any; printed first); [IPv6]:PORT and unix:PATH
                         as for --target
  --client-cmd CMD       with --listen: run the client for each probe, `sh -c CMD` with
                         {host} (a Unix socket's path under unix:PATH), {port} and
                         {probe} (the probe's file) filled in; its exit
                         status counts for the probes that judge by it
  --client-uses LIST     with --listen: what the client is set up to do, comma-separated:
                         starttls, auth, require-tls; probes about more do not apply
  --self-test            play every probe (opt-in ones too) against ehlo's own peer twice,
                         as it conforms and as it commits the violation: each must get the
                         verdict played (a variable left to --var, such as credentials,
                         gets a stand-in)
  --list                 print the catalog (id, category, rules, severity, title; * opt-in)
  --probe ID             play only this probe (again for more); opt-in probes too
  --category C           play only this category (again for more); its opt-in probes too
  --skip ID|CATEGORY     leave these out (again for more)
  --jobs N               probes played at once (default: 4)
  --max-rate R           at most R new connections a second (real servers limit them)
  --report json:PATH | junit:PATH | html:PATH
                         write a report (atomically, also when interrupted): JSON, an entry
                         per target and probe; JUnit XML, a testcase per probe, a failure
                         for a violation of a MUST or anything exploitable; HTML, one page
                         for people, a matrix of probes by targets, each cell opening its
                         transcript
  --baseline OLD.json    compare with an earlier run's JSON report, per target and probe:
                         exit 1 only for a verdict that got worse (conforms, n/a <
                         inconclusive < violates pedantic < ... < must < exploitable);
                         better and new ones are listed. Instead of --fail-on
  --fail-on SEVERITY     exit 1 for a violation of this severity or heavier: must (the
                         default), should, lenient, pedantic; anything exploitable always;
                         never: exit 0 whatever the verdicts
  --strict               a --var, --probe, --category or --skip that matches nothing is an
                         error (exit 2), not a warning
)";

int usage_error(std::string_view what) {
  std::fprintf(stderr, "ehlo check: %.*s\n\n%s%s", static_cast<int>(what.size()), what.data(), check_usage.data(),
               shared_usage.data());
  return 2;
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    if (comma != 0) out.emplace_back(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view() : s.substr(comma + 1);
  }
  return out;
}

/// Where the catalog is when no PATH is named: $EHLO_CATALOG; beside an
/// installed program (PREFIX/share/ehlo/scenarios/conformance); the source
/// tree of a build (EHLO_SOURCE_DIR).
std::string default_catalog() {
  if (const char* env = std::getenv("EHLO_CATALOG"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share/ehlo/scenarios/conformance";
    if (fs::is_directory(installed, ec)) return installed.string();
  }
#ifdef EHLO_SOURCE_DIR
  const fs::path source = fs::path(EHLO_SOURCE_DIR) / "scenarios/conformance";
  if (fs::is_directory(source, ec)) return source.string();
#endif
  return "scenarios/conformance";
}

std::string verdict_word(const report::scenario_result& r) { return r.probe ? r.probe->verdict : "error"; }

/// The verdicts of a self-test: the probe played against its own peer, once
/// conforming and once violating, must say so.
std::string self_test_problem(const report::scenario_result& conforming, const report::scenario_result& violating) {
  std::string problem;
  if (verdict_word(conforming) != "conforms")
    problem += "against a conforming peer it says " + verdict_word(conforming) +
               (conforming.probe && !conforming.probe->why.empty() ? " (" + conforming.probe->why + ")" : "");
  const std::string v = verdict_word(violating);
  if (v != "violates" && v != "exploitable")
    problem += std::string(problem.empty() ? "" : "; ") + "against a violating peer it says " + v +
               (violating.probe && !violating.probe->why.empty() ? " (" + violating.probe->why + ")" : "");
  return problem;
}

}  // namespace

int check_command(const std::vector<std::string_view>& args) {
  run::options opt;
  opt.check = true;
  opt.jobs = 4;
  shared_options shared;
  std::vector<std::string_view> paths;
  check::selection sel;
  bool list = false, self_test = false, strict = false, listen = false, have_target = false;
  std::string baseline_file;
  // The heaviest severity that does not fail the run is below this one (the
  // severities run from must, 0, to pedantic, 3); -1: never fail.
  int fail_on = static_cast<int>(scenario::severity::must);

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string error;
    const parsed shared_option = parse_shared_option(args, i, opt, shared, {"json", "junit", "html"}, error);
    if (shared_option == parsed::error) return usage_error(error);
    if (shared_option == parsed::taken) continue;
    const std::string_view a = args[i];
    std::string_view v;
    const auto value = [&] { return next_value(args, i, v); };
    if (a == "--target" || a == "--listen") {
      if (!value()) return usage_error(std::string(a) + " needs HOST:PORT");
      std::error_code ec;
      const auto where = net::parse_endpoint(v, ec);
      if (ec) return usage_error(std::string(a) + " " + std::string(v) + ": " + ec.message());
      if (a == "--listen") {
        if (listen || have_target) return usage_error("give --listen once, and not with --target");
        listen = true;
        opt.peer = where;
      } else {
        if (listen) return usage_error("give --listen once, and not with --target");
        if (have_target)
          opt.more_targets.push_back(where);
        else
          opt.peer = where;
        have_target = true;
      }
    } else if (a == "--client-cmd") {
      if (!value() || v.empty()) return usage_error("--client-cmd needs a command");
      opt.client_cmd = v;
    } else if (a == "--client-uses") {
      if (!value()) return usage_error("--client-uses needs a list: starttls, auth, require-tls");
      for (auto& use : split_commas(v)) {
        if (use != "starttls" && use != "auth" && use != "require-tls")
          return usage_error("--client-uses takes starttls, auth and require-tls, not " + use);
        sel.client_uses.push_back(std::move(use));
      }
    } else if (a == "--probe" || a == "--category" || a == "--skip") {
      if (!value() || v.empty()) return usage_error(std::string(a) + " needs a name");
      (a == "--probe" ? sel.probes : a == "--category" ? sel.categories : sel.skip).emplace_back(v);
    } else if (a == "--jobs") {
      if (!value() || !parse_count(v, opt.jobs)) return usage_error("--jobs needs a number above 0");
    } else if (a == "--max-rate") {
      char* end = nullptr;
      const std::string text(value() ? v : std::string_view());
      opt.max_rate = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !(opt.max_rate > 0))
        return usage_error("--max-rate needs a number of connections a second above 0");
    } else if (a == "--fail-on") {
      if (!value()) return usage_error("--fail-on needs must, should, lenient, pedantic or never");
      if (v == "never")
        fail_on = -1;
      else if (const auto s = check::severity_of(v))
        fail_on = static_cast<int>(*s);
      else
        return usage_error("--fail-on needs must, should, lenient, pedantic or never");
    } else if (a == "--baseline") {
      if (!value() || v.empty()) return usage_error("--baseline needs the JSON report of an earlier run");
      baseline_file = v;
    } else if (a == "--list") {
      list = true;
    } else if (a == "--self-test") {
      self_test = true;
    } else if (a == "--strict") {
      strict = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(check_usage.data(), stdout);
      std::fputs(shared_usage.data(), stdout);
      return 0;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + std::string(a));
    } else {
      paths.push_back(a);
    }
  }
  if (!list && !self_test && !have_target && !listen)
    return usage_error("give --target HOST:PORT, --listen HOST:PORT, --self-test or --list");
  if (self_test && (have_target || listen)) return usage_error("--self-test plays against ehlo's own peer only");
  if (!opt.client_cmd.empty() && !listen) return usage_error("--client-cmd goes with --listen");
  // Read before anything is played: a baseline that cannot be read is bad input.
  std::optional<check::baseline> baseline;
  if (!baseline_file.empty() && !list && !self_test) {
    std::string error;
    baseline = check::read_baseline(baseline_file, error);
    if (!baseline) {
      std::fprintf(stderr, "ehlo check: --baseline %s\n", report::printable(error, 1000).c_str());
      return 2;
    }
  }

  // ehlo's own client plays whatever a client probe scripts, STARTTLS and AUTH
  // included: every probe applies to it.
  if (self_test) sel.client_uses = {"starttls", "auth", "require-tls"};
  const std::string catalog = default_catalog();
  if (paths.empty()) paths.push_back(catalog);
  std::vector<std::string> errors;
  auto inputs = run::load_inputs(paths, errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!errors.empty()) {
    std::fprintf(stderr, "ehlo check: nothing was played\n");
    return 2;
  }
  std::vector<check::candidate> candidates;
  for (const auto& in : inputs) candidates.push_back({in.sc.name, &in.sc});

  sel.opt_in_too = self_test && !list;
  // The probes of the side checked (both for --list and --self-test), in report order.
  std::vector<std::size_t> order;
  std::vector<std::string> not_applicable;
  std::vector<std::string> unmatched;  ///< names no side considered matched: typos
  std::size_t opt_in_left_out = 0;
  bool first_side = true;
  for (const auto side : {scenario::side::server, scenario::side::client}) {
    if ((have_target && side != scenario::side::server) || (listen && side != scenario::side::client)) continue;
    auto p = check::select(candidates, side, sel);
    order.insert(order.end(), p.play.begin(), p.play.end());
    not_applicable.insert(not_applicable.end(), p.not_applicable.begin(), p.not_applicable.end());
    opt_in_left_out += p.opt_in_left_out;
    if (first_side)
      unmatched = std::move(p.unmatched);
    else
      std::erase_if(unmatched, [&](const std::string& u) {
        return std::find(p.unmatched.begin(), p.unmatched.end(), u) == p.unmatched.end();
      });
    first_side = false;
  }
  if (list) {
    for (const auto& line : check::list_lines(candidates, order)) std::printf("%s\n", line.c_str());
    std::printf("%zu probes%s\n", order.size(),
                opt_in_left_out > 0 ? (", and " + std::to_string(opt_in_left_out) +
                                       " opt-in left out (marked *: name them with --probe or --category)")
                                          .c_str()
                                    : "");
    return 0;
  }
  for (const auto& u : unmatched) std::fprintf(stderr, "ehlo check: %s%s\n", strict ? "" : "warning: ", u.c_str());
  if (strict && !unmatched.empty()) {
    std::fprintf(stderr, "ehlo check: nothing was played (--strict)\n");
    return 2;
  }
  if (order.empty()) {
    std::fprintf(stderr, "ehlo check: no probe to play\n");
    return 2;
  }
  std::vector<run::input> chosen;
  for (const std::size_t i : order) {
    chosen.push_back(std::move(inputs[i]));
    chosen.back().name = chosen.back().sc.name;  // reports name a probe by its id, not by its path
  }
  opt.skip = not_applicable;
  if (listen) {
    opt.mode = run::mode::server;
    opt.connections = chosen.size();
    opt.on_listening = [&](std::uint16_t port) {
      if (!opt.client_cmd.empty()) return;
      const std::string where = opt.peer.is_unix() ? net::to_string(opt.peer) : "port " + std::to_string(port);
      std::printf("listening on %s: connect the client %zu times, once per probe\n", where.c_str(), chosen.size());
      std::fflush(stdout);
    };
  } else if (have_target) {
    opt.mode = run::mode::client;
  } else {
    opt.mode = run::mode::self_play;
  }
  if (const auto why = check_proxy_options(opt); !why.empty()) return usage_error(why);

  std::string fatal;
  if (self_test) {
    // Twice: the peer conforming, then committing the violation.
    opt.session.play = scenario::verdict_kind::conforms;
    auto conforming = run::run(chosen, opt, fatal);
    if (fatal.empty()) opt.session.play = scenario::verdict_kind::violates;
    auto violating = fatal.empty() ? run::run(chosen, opt, fatal) : report::run_summary{};
    if (!fatal.empty()) {
      std::fprintf(stderr, "ehlo check: %s\n", fatal.c_str());
      return 2;
    }
    std::size_t proven = 0, failed = 0, by_exit = 0;
    for (std::size_t i = 0; i < chosen.size() && i < conforming.results.size() && i < violating.results.size(); ++i) {
      const auto& probe = *chosen[i].sc.probe;
      if (probe.exit_zero || probe.exit_nonzero) {
        // Judged by the client's exit status: real clients prove those (tests/conformance).
        std::printf("EXIT    %s  judged by the client's exit status: proven with a client program\n",
                    chosen[i].name.c_str());
        ++by_exit;
        continue;
      }
      const std::string problem = self_test_problem(conforming.results[i], violating.results[i]);
      if (problem.empty()) {
        const auto& v = *violating.results[i].probe;
        std::printf("PROVEN  %s  conforms against a conforming peer; %s [%s] against a violating one\n",
                    chosen[i].name.c_str(), v.verdict.c_str(), v.rule.c_str());
        ++proven;
      } else {
        std::printf("FAIL    %s  %s\n", chosen[i].name.c_str(), report::printable(problem, 400).c_str());
        ++failed;
      }
    }
    std::printf("%zu probes: %zu proven, %zu failed%s\n", chosen.size(), proven, failed,
                by_exit > 0 ? (", " + std::to_string(by_exit) + " judged by exit status").c_str() : "");
    return failed == 0 && !conforming.interrupted && !violating.interrupted ? 0 : 1;
  }

  report::check_console_options console_opt;
  console_opt.console.colour = report::colour_wanted(STDOUT_FILENO);
  console_opt.console.verbose = shared.verbose;
  console_opt.targets = 1 + opt.more_targets.size();
  std::vector<std::string> ids;
  for (const auto& in : chosen) ids.push_back(in.sc.name);
  console_opt.id_width = report::probe_id_width(ids);
  report::check_console_writer console(STDOUT_FILENO, console_opt);
  opt.on_result = [&](const report::scenario_result& r) { console.probe(r); };
  auto summary = run::run(chosen, opt, fatal);
  if (!fatal.empty()) {
    std::fprintf(stderr, "ehlo check: %s\n", fatal.c_str());
    return 2;
  }
  summary.ehlo_version = EHLO_VERSION;
  bool fails = false;
  for (const auto& r : summary.results) {
    if (!r.probe) continue;
    // Anything exploitable fails whatever its severity (as the JUnit report
    // has it), unless --fail-on never; a violation at --fail-on or heavier.
    const auto s = check::severity_of(r.probe->severity);
    if (fail_on >= 0 &&
        (r.probe->verdict == "exploitable" || (r.probe->verdict == "violates" && s && static_cast<int>(*s) <= fail_on)))
      fails = true;
  }
  console.summary(summary);
  std::optional<check::baseline_comparison> compared;
  if (baseline) {
    compared = check::compare(*baseline, summary);
    console.write(check::format_comparison(*compared, baseline_file, console_opt.console.colour));
  }
  for (const auto& r : shared.reports) {
    const std::string text = r.format == "json"   ? report::json_report(summary)
                             : r.format == "html" ? report::check_html(summary)
                                                  : report::junit_report(summary);
    if (const auto ec = report::write_file_atomically(r.path, text))
      std::fprintf(stderr, "ehlo check: cannot write %s: %s\n", r.path.c_str(), ec.message().c_str());
  }
  write_transcripts("ehlo check", shared.transcript_dir, summary);
  if (summary.interrupted) return 1;
  if (compared) return compared->failed() ? 1 : 0;  // --baseline: only what got worse fails
  return fails ? 1 : 0;
}

}  // namespace ehlo::cli
