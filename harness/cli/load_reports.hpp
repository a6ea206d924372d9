// What `ehlo load` and `ehlo report merge` share: the reports written at the
// end and the --fail-if conditions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cli/run_options.hpp"
#include "load/load_stats.hpp"
#include "load/thresholds.hpp"

namespace ehlo::cli {

/// Writes the json and html reports (and csv, unless `csv_written`: ehlo
/// load writes it as it runs), each atomically; says what could not be written.
void write_load_reports(std::string_view command, const std::vector<report_target>& reports, const load::load_stats& s,
                        bool csv_written);

/// Appends a line per condition to `out`; true when any holds.
bool check_thresholds(const std::vector<load::threshold>& thresholds, const load::load_stats& s, bool colour,
                      std::string& out);

}  // namespace ehlo::cli
