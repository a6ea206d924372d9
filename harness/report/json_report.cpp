#include "report/json_report.hpp"

#include <nlohmann/json.hpp>

#include "report/check_results.hpp"
#include "report/time_format.hpp"

namespace ehlo::report {

namespace {

using json = nlohmann::ordered_json;

json to_json(const scenario_result& r) {
  json s;
  s["name"] = r.name;
  s["file"] = r.file;
  s["role"] = r.role;
  s["peer"] = r.peer;
  s["status"] = to_string(r.status);
  s["expected_outcome"] = r.expected_outcome;
  s["elapsed_ms"] = r.elapsed.count();
  s["tags"] = r.tags;
  if (r.fail) {
    s["failure"] = {{"step", r.fail->step},
                    {"expected", r.fail->expected},
                    {"got", r.fail->got},
                    {"note", r.fail->note},
                    {"message", r.fail->message}};
  } else {
    s["failure"] = nullptr;
  }
  auto& findings = s["findings"] = json::array();
  for (const auto& f : r.findings)
    findings.push_back({{"rule", f.rule}, {"section", f.section}, {"what", f.what}, {"step", f.step}});
  s["findings_dropped"] = r.findings_dropped;
  s["state_log"] = r.state_log;
  s["transcript"] = r.transcript;
  if (r.probe) {
    const probe_verdict& p = *r.probe;
    json& o = s["probe"] = {{"title", p.title},       {"category", p.category}, {"rules", p.rules},
                            {"checks", p.checks},     {"verdict", p.verdict},   {"severity", p.severity},
                            {"rule", p.rule},         {"section", p.section},   {"why", p.why},
                            {"at", p.at}};
    if (p.client_exit) o["client_exit"] = *p.client_exit;
    if (!p.client_output.empty()) o["client_output"] = p.client_output;
  }
  return s;
}

}  // namespace

std::string json_report(const run_summary& run) {
  const totals t = count(run);
  json doc;
  doc["format"] = "ehlo-run-report";
  doc["format_version"] = json_format_version;
  doc["ehlo_version"] = run.ehlo_version;
  doc["started"] = rfc3339_utc(run.started);
  doc["elapsed_ms"] = run.elapsed.count();
  doc["interrupted"] = run.interrupted;
  doc["seed"] = std::to_string(run.seed);
  doc["totals"] = {{"scenarios", t.scenarios}, {"passed", t.passed},     {"failed", t.failed},
                   {"errors", t.errors},       {"skipped", t.skipped},   {"interrupted", t.interrupted},
                   {"not_run", t.not_run},     {"findings", t.findings}, {"not_kept", t.not_kept}};
  if (holds_probes(run)) {
    const verdict_counts c = count_verdicts(run.results);
    doc["totals"]["verdicts"] = {{"conforms", c.conforms},
                                 {"violates", c.violates},
                                 {"exploitable", c.exploitable},
                                 {"inconclusive", c.inconclusive},
                                 {"not-applicable", c.not_applicable}};
    auto& severities = doc["totals"]["violations_by_severity"] = json::object();
    for (std::size_t i = 0; i < std::size(c.by_severity); ++i) severities[severity_words[i]] = c.by_severity[i];
  }
  auto& scenarios = doc["scenarios"] = json::array();
  for (const auto& r : run.results) scenarios.push_back(to_json(r));
  // Replace, not throw: a peer's bytes need not be UTF-8.
  std::string out = doc.dump(2, ' ', false, json::error_handler_t::replace);
  out += '\n';
  return out;
}

}  // namespace ehlo::report
