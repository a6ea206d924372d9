// ehlo: the command-line program. Argument parsing only; every command is a
// call into the library. Exceptions stop here.
//
// Exit codes: 0 success; 1 a check failed (findings, a failed scenario);
// 2 bad usage or bad input (nothing was run).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "check/transcript_lint.hpp"
#include "cli/commands.hpp"
#include "proto/rules.hpp"
#include "scenario/scenario_keys.hpp"
#include "scenario/scenario_load.hpp"
#include "scenario/scenario_print.hpp"
#include "scenario/transcript.hpp"
#include "scenario/transcript_formats.hpp"
#include "scenario/transcript_import.hpp"

namespace {

constexpr std::string_view usage = R"(usage: ehlo COMMAND [ARGS]

commands:
  run [OPTIONS] PATH... play scenarios and transcripts: as the client (--target), the server
                        (--listen), or both against each other (the default); `ehlo run --help`
  validate PATH...      check scenario files (files, or folders of *.json) without running them;
                        every error as file:line:column: pointer: what; exit 2 when any is invalid
  import FILE [--format F] [--name N]
                        print the scenario of a captured transcript; F: auto (the default), sc,
                        swaks, curl-v, curl-trace, smtplib, msmtp
  lint PATH...          check S:/C: transcripts (files, or folders of *.txt) against the rules;
                        exit 1 when something breaks a rule
  rules                 list the SMTP rules findings are checked against
  schema                print the JSON Schema of scenario files (scenarios/scenario.schema.json is
                        its output, for editors)
  version               print the version
  help                  print this text
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

/// The files named, and the files with `extension` under each folder named
/// (recursive, sorted). An argument that names nothing is an error: the user mistyped it.
bool collect(const std::vector<std::string_view>& args, std::string_view extension,
             std::vector<std::filesystem::path>& files) {
  namespace fs = std::filesystem;
  for (const auto arg : args) {
    std::error_code ec;
    const fs::path p{arg};
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::recursive_directory_iterator(p, ec))
        if (e.is_regular_file() && e.path().extension() == extension && !e.path().string().ends_with(".schema.json"))
          found.push_back(e.path());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "ehlo: %.*s: no such file or folder\n", static_cast<int>(arg.size()), arg.data());
      return false;
    }
  }
  return true;
}

int cmd_lint(const std::vector<std::string_view>& args) {
  std::vector<std::filesystem::path> files;
  if (args.empty()) {
    std::fputs("usage: ehlo lint PATH...\n", stderr);
    return 2;
  }
  if (!collect(args, ".txt", files)) return 2;
  std::size_t total = 0, failed = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    ehlo::scenario::transcript_error err;
    const auto steps = ehlo::scenario::read_sc_transcript(text, err);
    if (err || !in) {
      std::fprintf(stderr, "%s:%zu: %s\n", file.c_str(), err.line, in ? err.what.c_str() : "cannot be read");
      return 2;
    }
    const auto findings = ehlo::check::lint_transcript(steps);
    for (const auto& f : findings)
      std::printf("%s:%zu: [%.*s] %s (%.*s)\n", file.c_str(), f.line, static_cast<int>(f.broken->id.size()),
                  f.broken->id.data(), f.what.c_str(), static_cast<int>(f.broken->section.size()),
                  f.broken->section.data());
    total += findings.size();
    failed += !findings.empty();
  }
  const char* plural = files.size() == 1 ? "" : "s";
  if (total == 0)
    std::printf("%zu transcript%s checked, no findings\n", files.size(), plural);
  else
    std::printf("%zu transcript%s checked, %zu finding%s in %zu of them\n", files.size(), plural, total,
                total == 1 ? "" : "s", failed);
  return total == 0 ? 0 : 1;
}

int cmd_validate(const std::vector<std::string_view>& args) {
  std::vector<std::filesystem::path> files;
  if (args.empty()) {
    std::fputs("usage: ehlo validate PATH...\n", stderr);
    return 2;
  }
  if (!collect(args, ".json", files)) return 2;
  std::size_t invalid = 0;
  for (const auto& file : files) {
    const auto loaded = ehlo::scenario::load_scenario_file(file);
    for (const auto& d : loaded.errors) std::fprintf(stderr, "%s\n", to_string(file.string(), d).c_str());
    invalid += !loaded.ok();
  }
  const char* plural = files.size() == 1 ? "" : "s";
  if (invalid == 0)
    std::printf("%zu scenario%s valid\n", files.size(), plural);
  else
    std::printf("%zu of %zu scenario%s invalid\n", invalid, files.size(), plural);
  return invalid == 0 ? 0 : 2;
}

/// The whole of a file, or false with a message on stderr (a limit keeps a
/// mistaken multi-gigabyte argument from being read into memory).
bool read_file(const std::filesystem::path& file, std::size_t limit, std::string& text) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    std::fprintf(stderr, "ehlo: %s: %s\n", file.c_str(), ec.message().c_str());
    return false;
  }
  if (size > limit) {
    std::fprintf(stderr, "ehlo: %s: %ju bytes; at most %zu are read\n", file.c_str(), static_cast<std::uintmax_t>(size),
                 limit);
    return false;
  }
  std::ifstream in(file, std::ios::binary);
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) {
    std::fprintf(stderr, "ehlo: %s: cannot be read\n", file.c_str());
    return false;
  }
  return true;
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
  std::string text;
  if (!read_file(std::filesystem::path(file), 64u << 20, text)) return 2;
  std::optional<sc::transcript_format> f;
  if (format == "auto") {
    f = sc::detect_format(text);
    if (!f) {
      std::fprintf(stderr,
                   "ehlo: %.*s: not a transcript ehlo can tell (S:/C:, swaks, curl -v, curl --trace-ascii, smtplib, "
                   "msmtp --debug); name it with --format\n",
                   static_cast<int>(file.size()), file.data());
      return 2;
    }
    const auto n = sc::format_name(*f);
    std::fprintf(stderr, "ehlo: %.*s: read as %.*s output\n", static_cast<int>(file.size()), file.data(),
                 static_cast<int>(n.size()), n.data());
  } else if (f = sc::format_of(format); !f) {
    std::fprintf(stderr, "ehlo: unknown format '%.*s'\n%s", static_cast<int>(format.size()), format.data(),
                 import_usage.data());
    return 2;
  }
  sc::transcript_error err;
  const auto steps = sc::read_transcript(text, *f, err);
  if (err) {
    std::fprintf(stderr, "%.*s:%zu: %s\n", static_cast<int>(file.size()), file.data(), err.line, err.what.c_str());
    return 2;
  }
  if (steps.empty()) {
    std::fprintf(stderr, "ehlo: %.*s: no SMTP conversation in it\n", static_cast<int>(file.size()), file.data());
    return 2;
  }
  const auto n = sc::format_name(*f);
  auto scenario =
      sc::import_transcript(steps, name.empty() ? sc::name_from_file(file) : name,
                            "Imported by `ehlo import` from " + std::string(std::filesystem::path(file).filename()) +
                                " (" + std::string(n) + ").");
  std::fputs(sc::to_json(scenario).c_str(), stdout);
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
  std::fprintf(stderr, "ehlo: unknown command '%s'\n\n%s", argv[1], usage.data());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ehlo: %s\n", e.what());
    return 2;
  }
}
