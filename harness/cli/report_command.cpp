// ehlo report merge: the JSON reports of several `ehlo load` processes added up.
#include <cstdio>
#include <string>
#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/load_reports.hpp"
#include "report/console.hpp"
#include "report/load_console.hpp"
#include "report/load_json.hpp"

namespace ehlo::cli {

namespace {

constexpr std::string_view report_usage =
    R"(usage: ehlo report merge REPORT.json... [--report FORMAT:PATH]... [--fail-if CONDITION]...

Adds up the JSON reports of several `ehlo load` processes (--report json:), run side by side on
one machine or several, into one: the counts add up, the histograms merge exactly (so the
percentiles are those of all the sessions together), the errors add up by cause, and the series
line up on the clock (each report's start). Prints the summary, as ehlo load does.

  --report json:PATH       the merged report, in the same format (it can be merged again)
  --report csv:PATH        a row per point of the merged series
  --report html:PATH       the page of plots, as ehlo load writes it
  --fail-if CONDITION      exit 1 when CONDITION holds for the whole (see ehlo load --help)

Exit status: 0; 1 when a --fail-if condition holds; 2 when a file is not a load report.
)";

int usage_error(std::string_view what) {
  std::fprintf(stderr, "ehlo report: %.*s\n\n%s", static_cast<int>(what.size()), what.data(), report_usage.data());
  return 2;
}

int merge(const std::vector<std::string_view>& args) {
  std::vector<std::string_view> files;
  std::vector<report_target> reports;
  std::vector<load::threshold> thresholds;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--report") {
      const std::string_view v = i + 1 < args.size() ? args[++i] : std::string_view();
      const auto colon = v.find(':');
      const std::string_view format = v.substr(0, colon);
      if (colon == std::string_view::npos || colon + 1 == v.size() ||
          (format != "json" && format != "csv" && format != "html"))
        return usage_error("--report needs json:PATH, csv:PATH or html:PATH");
      reports.push_back({std::string(format), std::string(v.substr(colon + 1))});
    } else if (a == "--fail-if") {
      if (i + 1 >= args.size()) return usage_error("--fail-if needs a condition such as 'p99(session) > 200ms'");
      const std::string_view v = args[++i];
      std::string why;
      auto t = load::parse_threshold(v, why);
      if (!t) return usage_error("--fail-if '" + std::string(v) + "': " + why);
      thresholds.push_back(std::move(*t));
    } else if (a == "--help" || a == "-h") {
      std::fputs(report_usage.data(), stdout);
      return 0;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + std::string(a));
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) return usage_error("name the JSON reports of ehlo load to merge");
  std::optional<load::load_stats> all;
  bool bad = false;
  for (const auto f : files) {
    std::string error;
    auto one = report::read_load_json_report(std::filesystem::path(f), error);
    if (!one) {
      std::fprintf(stderr, "%s\n", error.c_str());
      bad = true;
      continue;
    }
    if (!all)
      all = std::move(*one);
    else
      load::merge(*all, *one);
  }
  if (bad) {
    std::fprintf(stderr, "ehlo report: nothing was merged\n");
    return 2;
  }
  const bool colour = report::colour_wanted(STDOUT_FILENO);
  std::string out = report::format_load_summary(*all, colour);
  const bool crossed = check_thresholds(thresholds, *all, colour, out);
  (void)report::write_all(STDOUT_FILENO, out);
  write_load_reports("ehlo report merge", reports, *all, false);
  return crossed ? 1 : 0;
}

}  // namespace

int report_command(const std::vector<std::string_view>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h" || args[0] == "help")) {
    std::fputs(report_usage.data(), stdout);
    return 0;
  }
  if (args.empty() || args[0] != "merge")
    return usage_error(args.empty() ? "name a subcommand: merge"
                                    : "unknown subcommand '" + std::string(args[0]) + "' (merge)");
  return merge({args.begin() + 1, args.end()});
}

}  // namespace ehlo::cli
