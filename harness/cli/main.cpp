// ehlo: the command-line program. Argument parsing only; every command is a
// call into the library. Exceptions stop here.
//
// Exit codes: 0 success; 1 a check failed (findings, a failed scenario);
// 2 bad usage or bad input (nothing was run).
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/transcript_lint.hpp"
#include "cli/commands.hpp"
#include "proto/rules.hpp"
#include "report/printable.hpp"
#include "scenario/input_files.hpp"
#include "scenario/scenario_keys.hpp"
#include "scenario/scenario_load.hpp"
#include "scenario/transcript.hpp"
#include "scenario/transcript_formats.hpp"
#include "scenario/transcript_import.hpp"

namespace {

constexpr std::string_view usage = R"(usage: ehlo COMMAND [ARGS]

commands:
  run [OPTIONS] PATH...
                        play scenarios and transcripts: as the client (--target), the server
                        (--listen), or both against each other (the default); `ehlo run --help`
  validate PATH...      check scenario files (files, or folders of *.json) without running them;
                        every error as file:line:column: pointer: what; exit 2 when any is invalid
  import FILE [--format F] [--name N]
                        print the scenario of a captured transcript; F: auto (the default), sc,
                        swaks, curl-v, curl-trace, smtplib, msmtp; one that would not validate
                        is refused with file:line: why (exit 2)
  check (--target HOST:PORT | --listen HOST:PORT | --self-test | --list) [OPTIONS] [PATH...]
                        play the conformance probes against a server or a client: a verdict
                        per probe, with its rule ids; `ehlo check --help`
  fuzz (--target HOST:PORT [--exec CMD] | --pipe CMD | --listen HOST:PORT --client-cmd CMD) [OPTIONS] SEED...
                        mutate seed scenarios against a live server or client; each crash, hang
                        or violation found is minimized into a scenario `ehlo run` replays;
                        `ehlo fuzz --help`
  load --target HOST:PORT [OPTIONS] SCENARIO...
                        play scenarios over and over against a server (--concurrency or --rate):
                        sessions and messages a second, per-step latency percentiles, errors by
                        cause, --fail-if thresholds; `ehlo load --help`
  report merge REPORT.json...
                        add up the JSON reports of several `ehlo load` processes into one
  lint PATH...          check S:/C: transcripts (files, or folders of *.txt) against the rules;
                        exit 1 when something breaks a rule, 2 when a file cannot be read
  rules                 list the SMTP rules findings are checked against
  schema                print the JSON Schema of scenario files (scenarios/scenario.schema.json is
                        its output, for editors)
  version               print the version
  help                  print this text

Only regular files are read (a FIFO, a device or a link loop is refused, saying so); a
transcript up to 16 MB, 256 KB a line and 100000 lines of conversation.
)";

/// Pads `s` with spaces to `width` columns, counting UTF-8 characters, not bytes ("§" is two).
std::string pad(std::string_view s, std::size_t width) {
  std::size_t columns = 0;
  for (const char c : s) columns += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  std::string out(s);
  if (columns < width) out.append(width - columns, ' ');
  return out;
}

int cmd_rules() {
  for (const auto* r : ehlo::proto::all_rules())
    std::printf("%s %s %.*s\n", pad(r->id, 14).c_str(), pad(r->section, 28).c_str(),
                static_cast<int>(r->summary.size()), r->summary.data());
  return 0;
}

/// At most this many bytes of a line ehlo prints about a file: its name and
/// what it holds are the file's, of any length.
constexpr std::size_t max_line_shown = 8192;

/// Writes `line` and a newline to `to` with every byte printable (a file name,
/// a transcript's bytes or a key may hold NUL or ESC, which would cut the line
/// or drive the terminal) and at most max_line_shown bytes of it.
void say(std::FILE* to, std::string_view line) {
  std::string out;
  ehlo::report::append_printable(out, line, false, max_line_shown);
  out += '\n';
  std::fwrite(out.data(), 1, out.size(), to);
}

std::string concat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const auto p : parts) out += p;
  return out;
}

/// The files named, and the files with `extension` under each folder named
/// (recursive, sorted), each with the problem found while listing it, if any.
/// An argument that names nothing, or a folder with no such file, is an error
/// (the user mistyped it): said, and false.
bool collect(const std::vector<std::string_view>& args, std::string_view extension, std::string_view kind,
             std::vector<ehlo::scenario::listed_file>& files) {
  std::vector<std::string> errors;
  ehlo::scenario::list_files(
      args,
      [&](const std::filesystem::path& p) {
        return p.extension() == extension && !p.filename().string().ends_with(".schema.json");
      },
      kind, files, errors);
  for (const auto& e : errors) say(stderr, "ehlo: " + e);
  return errors.empty();
}

int cmd_lint(const std::vector<std::string_view>& args) {
  namespace sc = ehlo::scenario;
  std::vector<sc::listed_file> files;
  if (args.empty()) {
    std::fputs("usage: ehlo lint PATH...\n", stderr);
    return 2;
  }
  if (!collect(args, ".txt", "transcripts (*.txt)", files)) return 2;
  const sc::transcript_limits limits;
  std::size_t total = 0, failed = 0, unread = 0;
  std::string text;
  for (const auto& [file, folder, problem] : files) {
    const std::string name = file.string();
    std::string bad;
    if (!problem.empty()) {
      bad = concat({name, ": cannot be read: ", problem});
    } else if (const auto f = sc::read_regular_file(file, limits.max_bytes, text)) {
      bad = f->what == sc::read_failure::kind::unreadable
                ? concat({name, ": cannot be read: ", f->why})
                : concat({name, ": ", sc::transcript_too_big(f->size, limits)});
    }
    sc::transcript_error err;
    std::vector<sc::transcript_step> steps;
    if (bad.empty()) {
      steps = sc::read_sc_transcript(text, err, limits);
      if (!err && steps.empty()) err = {1, "no SMTP conversation in it (no S: or C: line)"};
      if (err) bad = concat({name, ":", std::to_string(err.line), ": ", err.what});
    }
    if (!bad.empty()) {
      say(stderr, bad);
      ++unread;
      continue;
    }
    const auto findings = ehlo::check::lint_transcript(steps);
    for (const auto& f : findings)
      say(stdout,
          concat({name, ":", std::to_string(f.line), ": [", f.broken->id, "] ", f.what, " (", f.broken->section, ")"}));
    total += findings.size();
    failed += !findings.empty();
  }
  const std::size_t checked = files.size() - unread;
  const char* plural = checked == 1 ? "" : "s";
  if (total == 0)
    std::printf("%zu transcript%s checked, no findings", checked, plural);
  else
    std::printf("%zu transcript%s checked, %zu finding%s in %zu of them", checked, plural, total, total == 1 ? "" : "s",
                failed);
  if (unread > 0) std::printf("; %zu could not be read", unread);
  std::printf("\n");
  return unread > 0 ? 2 : total == 0 ? 0 : 1;
}

int cmd_validate(const std::vector<std::string_view>& args) {
  std::vector<ehlo::scenario::listed_file> files;
  if (args.empty()) {
    std::fputs("usage: ehlo validate PATH...\n", stderr);
    return 2;
  }
  if (!collect(args, ".json", "scenario files (*.json)", files)) return 2;
  std::size_t invalid = 0;
  for (const auto& [file, folder, problem] : files) {
    if (!problem.empty()) {
      say(stderr, concat({file.string(), ": cannot be read: ", problem}));
      ++invalid;
      continue;
    }
    const auto loaded = ehlo::scenario::load_scenario_file(file);
    for (const auto& d : loaded.errors) say(stderr, to_string(file.string(), d));
    invalid += !loaded.ok();
  }
  const char* plural = files.size() == 1 ? "" : "s";
  if (invalid == 0)
    std::printf("%zu scenario%s valid\n", files.size(), plural);
  else
    std::printf("%zu of %zu scenario%s invalid\n", invalid, files.size(), plural);
  return invalid == 0 ? 0 : 2;
}

int cmd_import(const std::vector<std::string_view>& args) {
  namespace sc = ehlo::scenario;
  constexpr std::string_view import_usage =
      "usage: ehlo import FILE [--format auto|sc|swaks|curl-v|curl-trace|smtplib|msmtp] [--name NAME]\n";
  std::string_view file, format = "auto";
  std::string name;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--format" || args[i] == "--name") && i + 1 < args.size()) {
      if (args[i] == "--format")
        format = args[i + 1];
      else
        name = args[i + 1];
      ++i;
    } else if (!args[i].starts_with("--") && file.empty()) {
      file = args[i];
    } else {
      std::fputs(import_usage.data(), stderr);
      return 2;
    }
  }
  if (file.empty()) {
    std::fputs(import_usage.data(), stderr);
    return 2;
  }
  const sc::import_settings settings;
  std::string text;
  if (const auto f = sc::read_regular_file(std::filesystem::path(file), settings.limits.max_bytes, text)) {
    say(stderr, f->what == sc::read_failure::kind::unreadable
                    ? concat({"ehlo: ", file, ": cannot be read: ", f->why})
                    : concat({"ehlo: ", file, ": ", sc::transcript_too_big(f->size, settings.limits)}));
    return 2;
  }
  std::optional<sc::transcript_format> f;
  if (format == "auto") {
    f = sc::detect_format(text);
    if (!f) {
      const auto why = sc::explain_no_format(text);
      say(stderr, concat({file, ":", std::to_string(why.line),
                          ": not a transcript ehlo can tell (S:/C:, swaks, curl -v, curl --trace-ascii, smtplib, "
                          "msmtp --debug): ",
                          why.what, "; name its format with --format"}));
      return 2;
    }
    say(stderr, concat({"ehlo: ", file, ": read as ", sc::format_name(*f), " output"}));
  } else if (f = sc::format_of(format); !f) {
    say(stderr, concat({"ehlo: unknown format '", format, "'"}));
    std::fputs(import_usage.data(), stderr);
    return 2;
  }
  const auto imported =
      sc::import_transcript_text(text, *f, name.empty() ? sc::name_from_file(file) : name,
                                 "Imported by `ehlo import` from " + std::filesystem::path(file).filename().string() +
                                     " (" + std::string(sc::format_name(*f)) + ").",
                                 settings);
  if (imported.err) {
    say(stderr, concat({file, ":", std::to_string(imported.err.line), ": ", imported.err.what}));
    return 2;
  }
  std::fputs(imported.json.c_str(), stdout);
  return 0;
}

int run(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(usage.data(), stderr);
    return 2;
  }
  const std::string_view cmd = argv[1];
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    std::fputs(usage.data(), stdout);
    return 0;
  }
  if (cmd == "version" || cmd == "--version") {
    std::puts("ehlo " EHLO_VERSION);
    return 0;
  }
  const std::vector<std::string_view> args(argv + 2, argv + argc);
  if (cmd == "rules") return cmd_rules();
  if (cmd == "schema") {
    if (!args.empty()) {
      std::fputs("usage: ehlo schema\n", stderr);
      return 2;
    }
    std::fputs(ehlo::scenario::keys::json_schema().c_str(), stdout);
    return 0;
  }
  if (cmd == "lint") return cmd_lint(args);
  if (cmd == "validate") return cmd_validate(args);
  if (cmd == "import") return cmd_import(args);
  if (cmd == "run") return ehlo::cli::run_command(args);
  if (cmd == "check") return ehlo::cli::check_command(args);
  if (cmd == "fuzz") return ehlo::cli::fuzz_command(args);
  if (cmd == "load") return ehlo::cli::load_command(args);
  if (cmd == "report") return ehlo::cli::report_command(args);
  std::fprintf(stderr, "ehlo: unknown command '%s'\n\n%s", argv[1], usage.data());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that goes away while ehlo writes to it is an error code where the
  // write is, never the end of ehlo: sockets are written with MSG_NOSIGNAL,
  // but the pipe to a `fuzz --pipe` server's stdin is not (that server
  // closing its stdin killed ehlo with SIGPIPE, its report unwritten), nor is
  // a stdout piped to `head`. Children get the default back (client_process).
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ehlo: %s\n", e.what());
    return 2;
  }
}
