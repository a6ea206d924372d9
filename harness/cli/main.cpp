// ehlo: the command-line program. Argument parsing only; every command is a
// call into the library. Exceptions stop here.
//
// Exit codes: 0 success; 1 a check failed (findings, a failed scenario);
// 2 bad usage or bad input (nothing was run).
#include <cstdio>
#include <exception>
#include <string_view>

#include "proto/rules.hpp"

namespace {

constexpr std::string_view usage = R"(usage: ehlo COMMAND [ARGS]

commands:
  rules                 list the SMTP rules findings are checked against
  version               print the version
  help                  print this text
)";

int cmd_rules() {
  for (const auto* r : ehlo::proto::all_rules())
    std::printf("%-18.*s %-28.*s %.*s\n", static_cast<int>(r->id.size()), r->id.data(),
                static_cast<int>(r->section.size()), r->section.data(), static_cast<int>(r->summary.size()),
                r->summary.data());
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
  if (cmd == "rules") return cmd_rules();
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
