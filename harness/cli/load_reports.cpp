#include "cli/load_reports.hpp"

#include <cstdio>

#include "report/atomic_file.hpp"
#include "report/load_console.hpp"
#include "report/load_csv.hpp"
#include "report/load_html.hpp"
#include "report/load_json.hpp"

namespace ehlo::cli {

void write_load_reports(std::string_view command, const std::vector<report_target>& reports, const load::load_stats& s,
                        bool csv_written) {
  for (const auto& r : reports) {
    std::string text;
    if (r.format == "json")
      text = report::load_json_report(s);
    else if (r.format == "html")
      text = report::load_html(s);
    else if (r.format == "csv" && !csv_written)
      text = report::load_csv_report(s);
    else
      continue;
    if (const auto ec = report::write_file_atomically(r.path, text))
      std::fprintf(stderr, "%.*s: cannot write %s: %s\n", static_cast<int>(command.size()), command.data(),
                   r.path.c_str(), ec.message().c_str());
  }
}

bool check_thresholds(const std::vector<load::threshold>& thresholds, const load::load_stats& s, bool colour,
                      std::string& out) {
  bool crossed = false;
  for (const auto& t : thresholds) {
    const auto c = load::evaluate(t, s);
    out += report::format_threshold(t, c, colour);
    crossed = crossed || c.crossed;
  }
  return crossed;
}

}  // namespace ehlo::cli
