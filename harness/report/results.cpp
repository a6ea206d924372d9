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

namespace {

void tally(totals& t, const scenario_result& r) noexcept {
  ++t.scenarios;
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

}  // namespace

totals count(const run_summary& run) noexcept {
  totals t = run.not_kept;
  t.not_kept = run.not_kept.scenarios;
  t.not_run = 0;
  for (const auto& r : run.results) tally(t, r);
  if (run.planned > t.scenarios) t.not_run = run.planned - t.scenarios;
  return t;
}

void result_keeper::add(run_summary& run, scenario_result r) {
  std::size_t& kept = r.status == status::passed || r.status == status::skipped ? passed_ : other_;
  if (kept < limit_) {
    ++kept;
    run.results.push_back(std::move(r));
  } else {
    tally(run.not_kept, r);
  }
}

}  // namespace ehlo::report
