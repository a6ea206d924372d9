#include "report/results.hpp"

namespace ehlo::report {

finding make_finding(const proto::finding& f, std::string step) {
  finding out;
  if (f.broken) {
    out.rule = f.broken->id;
    out.section = f.broken->section;
  }
  out.what = f.what;
  out.step = std::move(step);
  return out;
}

std::string_view to_string(status s) noexcept {
  switch (s) {
    case status::passed:
      return "passed";
    case status::failed:
      return "failed";
    case status::error:
      return "error";
    case status::skipped:
      return "skipped";
    case status::interrupted:
      return "interrupted";
  }
  return "unknown";
}

totals count(const run_summary& run) noexcept {
  totals t;
  t.scenarios = run.results.size();
  for (const auto& r : run.results) {
    switch (r.status) {
      case status::passed:
        ++t.passed;
        break;
      case status::failed:
        ++t.failed;
        break;
      case status::error:
        ++t.errors;
        break;
      case status::skipped:
        ++t.skipped;
        break;
      case status::interrupted:
        ++t.interrupted;
        break;
    }
    t.findings += r.findings.size() + r.findings_dropped;
  }
  if (run.planned > t.scenarios) t.not_run = run.planned - t.scenarios;
  return t;
}

}  // namespace ehlo::report
