// ehlo fuzz: argument parsing, then run::fuzz (run/fuzz_campaign.hpp) and what it prints.
#include <charconv>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/run_options.hpp"
#include "report/atomic_file.hpp"
#include "report/fuzz_report.hpp"
#include "report/printable.hpp"
#include "run/fuzz_campaign.hpp"
#include "run/selection.hpp"

namespace ehlo::cli {

namespace {

constexpr std::string_view fuzz_usage =
    R"(usage: ehlo fuzz (--target HOST:PORT [--exec CMD] | --pipe CMD | --listen HOST:PORT --client-cmd CMD) [OPTIONS] SEED...

Mutates the conversations of seed scenarios (scenario files, captured transcripts, or
folders of them) and plays them against a live server (--target: ehlo plays the
client) or client (--listen: ehlo plays the server and runs the client for each case).
Judges what each case left: a crash, a hang, a protocol violation, a conformance
violation (the probes of scenarios/conformance as seeds), the server's memory. Keeps
the cases that reach a state (command, reply code, enhanced status) or transition
not seen before; confirms each new finding alone, minimizes it, and writes it as a
scenario that `ehlo run` replays: DIR/findings/NNN-ORACLE-RULE.json.

  --target HOST:PORT     the server to fuzz
  --exec CMD             start the server under test: `sh -c CMD` with {host} and {port}
                         filled in (a --target port of 0: a free one); restart it when it
                         dies; a crash is its exit status, its signal or a sanitizer
                         report in its output
  --pipe CMD             fuzz a server that speaks SMTP on its stdin and stdout
                         (`sendmail -bs`): a fresh `sh -c CMD` for each case, its stdin
                         and stdout a socket ehlo accepted on 127.0.0.1; one case at a
                         time; a crash is a signal or a sanitizer report (its stderr)
  --listen HOST:PORT     fuzz a client, which connects once per case (port 0: any)
  --client-cmd CMD       with --listen: the client, run for each case with {host} and
                         {port} filled in
  --client-limit DURATION  how long the client may run (default 10s); past it: a hang
  --dir DIR              the campaign's folder (default ehlo-fuzz): corpus/, findings/,
                         states.dot (and .svg with Graphviz), report.json; a later run
                         with the same DIR resumes where this one stopped
  --seed N               the campaign's seed (default: drawn, and printed); the same seed
                         plays the same cases again
  --jobs N               cases played at once (default 16)
  --max-execs N          stop after N cases
  --max-time DURATION    stop after DURATION ("10m", "1h"; a finding still being
                         minimized gets a tenth more, 5 s to a minute)
  --timeout DURATION     the wait for each reply (default 1s): a reply due that has not
                         come by then is a hang. Cases are explored with a quarter of it
                         (at most 100ms); a hang seen so is confirmed with the whole wait
  --tag TAG, --skip-tag TAG
                         which seeds to start from (again for more), as ehlo run
  --max-corpus N         cases kept in the corpus (default 2000)
  --max-findings N       findings kept (default 256); more are counted
  --minimize N           executions to confirm and minimize one finding (default 300)
  --max-rss MB           with --exec: the server's memory bound (default: four times its
                         first measure plus 64 MB)
  --ignore-rule ID       a rule (`ehlo rules`) whose violations the peer is known for: not
                         a finding (again for more); 3207-4.1, a certificate a verifying
                         client would refuse, is ignored always
  --stop-on ORACLE       end the campaign once a finding of ORACLE (crash, hang, protocol,
                         conformance, memory) is written (again for more)
  --report json:PATH     the JSON report there too (it is always in DIR/report.json)
  --quiet                no status line
 shared with ehlo run:
)";

int usage_error(std::string_view what) {
  std::fprintf(stderr, "ehlo fuzz: %.*s\n\n%s%s", static_cast<int>(what.size()), what.data(), fuzz_usage.data(),
               shared_usage.data());
  return 2;
}

bool parse_u64(std::string_view v, std::uint64_t& out) {
  return !v.empty() && std::from_chars(v.data(), v.data() + v.size(), out).ptr == v.data() + v.size();
}

}  // namespace

int fuzz_command(const std::vector<std::string_view>& args) {
  run::fuzz_options opt;
  opt.run.jobs = 16;
  opt.run.mode = run::mode::client;
  opt.run.client_limit = std::chrono::seconds(10);
  opt.ehlo_version = EHLO_VERSION;
  shared_options shared;
  std::vector<std::string_view> paths;
  std::vector<std::string> tags, skip_tags;
  std::optional<std::uint64_t> seed;
  bool target = false, listen = false, quiet = false;

  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string error;
    const parsed shared_option = parse_shared_option(args, i, opt.run, shared, {"json"}, error);
    if (shared_option == parsed::error) return usage_error(error);
    if (shared_option == parsed::taken) continue;
    const std::string_view a = args[i];
    std::string_view v;
    const auto value = [&] { return next_value(args, i, v); };
    std::uint64_t n = 0;
    scenario::duration d{};
    if (a == "--target" || a == "--listen") {
      if (target || listen || !opt.pipe.empty()) return usage_error("give one of --target, --pipe and --listen");
      if (!value()) return usage_error(std::string(a) + " needs HOST:PORT");
      std::error_code ec;
      opt.run.peer = net::parse_endpoint(v, ec);
      if (ec) return usage_error(std::string(a) + " " + std::string(v) + ": " + ec.message());
      (a == "--target" ? target : listen) = true;
      opt.run.mode = a == "--target" ? run::mode::client : run::mode::server;
    } else if (a == "--pipe") {
      if (target || listen) return usage_error("give one of --target, --pipe and --listen");
      if (!value() || v.empty()) return usage_error("--pipe needs a command");
      opt.pipe = v;
      opt.run.mode = run::mode::client;
    } else if (a == "--exec") {
      if (!value() || v.empty()) return usage_error("--exec needs a command");
      opt.exec = v;
    } else if (a == "--client-cmd") {
      if (!value() || v.empty()) return usage_error("--client-cmd needs a command");
      opt.run.client_cmd = v;
    } else if (a == "--client-limit") {
      if (!value() || !parse_duration(v, d) || d.count() == 0)
        return usage_error("--client-limit needs a duration above 0 such as 10s");
      opt.run.client_limit = d;
    } else if (a == "--dir") {
      if (!value() || v.empty()) return usage_error("--dir needs a folder");
      opt.dir = std::filesystem::path(v);
    } else if (a == "--seed") {
      if (!value() || !parse_u64(v, n)) return usage_error("--seed needs a number from 0 to 18446744073709551615");
      seed = n;
    } else if (a == "--jobs") {
      if (!value() || !parse_count(v, opt.run.jobs)) return usage_error("--jobs needs a number above 0");
    } else if (a == "--max-execs") {
      if (!value() || !parse_u64(v, n) || n == 0) return usage_error("--max-execs needs a number above 0");
      opt.max_cases = n;
    } else if (a == "--max-time") {
      if (!value() || !parse_duration(v, d) || d.count() == 0)
        return usage_error("--max-time needs a duration above 0 such as 10m (at most an hour a run: --dir resumes)");
      opt.max_time = d;
    } else if (a == "--max-corpus" || a == "--max-findings" || a == "--minimize") {
      std::size_t count = 0;
      if (!value() || !parse_count(v, count)) return usage_error(std::string(a) + " needs a number above 0");
      (a == "--max-corpus" ? opt.max_corpus : a == "--max-findings" ? opt.max_findings : opt.minimize_tests) = count;
    } else if (a == "--max-rss") {
      std::size_t mb = 0;
      if (!value() || !parse_count(v, mb)) return usage_error("--max-rss needs megabytes above 0");
      opt.max_rss_kb = mb * 1024;
    } else if (a == "--ignore-rule") {
      if (!value() || v.empty()) return usage_error("--ignore-rule needs a rule id (ehlo rules)");
      opt.ignore_rules.emplace_back(v);
    } else if (a == "--stop-on") {
      if (!value() || (v != "crash" && v != "hang" && v != "protocol" && v != "conformance" && v != "memory"))
        return usage_error("--stop-on needs an oracle: crash, hang, protocol, conformance or memory");
      opt.stop_on.emplace_back(v);
    } else if (a == "--tag" || a == "--skip-tag") {
      if (!value()) return usage_error(std::string(a) + " needs a tag");
      (a == "--tag" ? tags : skip_tags).emplace_back(v);
    } else if (a == "--quiet" || a == "-q") {
      quiet = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(fuzz_usage.data(), stdout);
      std::fputs(shared_usage.data(), stdout);
      return 0;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + std::string(a));
    } else {
      paths.push_back(a);
    }
  }
  if (!target && !listen && opt.pipe.empty())
    return usage_error("give --target HOST:PORT, --pipe CMD or --listen HOST:PORT");
  if (listen && opt.run.client_cmd.empty())
    return usage_error("--listen needs --client-cmd: the client run for each case");
  if (!opt.run.client_cmd.empty() && !listen) return usage_error("--client-cmd goes with --listen");
  if (!opt.exec.empty() && !target) return usage_error("--exec goes with --target");
  if (target && opt.run.peer.port == 0 && opt.exec.empty())
    return usage_error("--target needs a port (0 only with --exec)");
  if (!shared.transcript_dir.empty())
    return usage_error("--transcript: a campaign writes its findings as scenarios, in DIR/findings");
  if (paths.empty()) return usage_error("name the seed scenarios (files or folders)");
  if (const auto why = check_proxy_options(opt.run); !why.empty()) return usage_error(why);
  // --timeout is the wait for a reply, the hang deadline; the steps that may
  // go without a reply keep their own shorter waits.
  if (opt.run.session.timeout) {
    opt.reply_wait = *opt.run.session.timeout;
    opt.run.session.timeout.reset();
  }

  std::vector<std::string> errors;
  auto inputs = run::load_inputs(paths, errors);
  for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
  if (!errors.empty()) {
    std::fprintf(stderr, "ehlo fuzz: nothing was played\n");
    return 2;
  }
  for (const auto& u : run::unmatched_options(inputs, opt.run.session.vars, tags, skip_tags))
    std::fprintf(stderr, "ehlo fuzz: warning: %s\n", u.c_str());
  std::vector<run::input> seeds;
  for (auto& in : inputs)
    if (run::skip_reason(in.sc, tags, skip_tags).empty()) seeds.push_back(std::move(in));
  if (seeds.empty()) {
    std::fprintf(stderr, "ehlo fuzz: no seed left after --tag/--skip-tag\n");
    return 2;
  }
  if (!seed) {
    std::random_device random;
    seed = std::uint64_t{random()} << 32 | random();
  }
  opt.seed = *seed;

  const bool live = !quiet && isatty(STDERR_FILENO) != 0;
  std::mutex out;
  bool status_shown = false;
  const auto clear_status = [&] {
    if (status_shown) std::fputs("\r\x1b[K", stderr);
    status_shown = false;
  };
  auto last_plain = std::chrono::steady_clock::now();
  opt.on_progress = [&](const report::fuzz_progress& p) {
    if (quiet) return;
    const std::string line = report::fuzz_status_line(p);
    if (live) {
      std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
      status_shown = true;
    } else if (std::chrono::steady_clock::now() - last_plain >= std::chrono::seconds(30)) {
      last_plain = std::chrono::steady_clock::now();
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    std::fflush(stderr);
  };
  opt.on_finding = [&](const report::fuzz_finding_entry& f) {
    clear_status();
    std::printf("%s\n", report::printable(report::fuzz_finding_line(f), 2000).c_str());
    if (!f.detail.empty()) std::printf("        %s\n", report::printable(f.detail, 2000).c_str());
    std::fflush(stdout);
  };
  opt.on_note = [&](std::string_view text) {
    clear_status();
    std::fprintf(stderr, "ehlo fuzz: %s\n", report::printable(text, 2000).c_str());
  };
  std::fprintf(stderr, "ehlo fuzz: seed %llu, %zu seed scenarios, campaign folder %s\n",
               static_cast<unsigned long long>(*seed), seeds.size(), opt.dir.string().c_str());

  std::string fatal;
  const report::fuzz_summary summary = run::fuzz(seeds, opt, fatal);
  clear_status();
  if (!fatal.empty()) {
    std::fprintf(stderr, "ehlo fuzz: %s\n", report::printable(fatal, 4000).c_str());
    return 2;
  }
  std::fputs(report::fuzz_summary_text(summary).c_str(), stdout);
  for (const auto& r : shared.reports)
    if (const auto ec = report::write_file_atomically(r.path, report::fuzz_json_report(summary)))
      std::fprintf(stderr, "ehlo fuzz: cannot write %s: %s\n", r.path.c_str(), ec.message().c_str());
  if (summary.stopped == "interrupted") return 1;
  return summary.findings.empty() ? 0 : 1;
}

}  // namespace ehlo::cli
