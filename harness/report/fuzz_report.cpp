#include "report/fuzz_report.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace ehlo::report {

namespace {

std::string clock_time(std::chrono::milliseconds d) {
  const long long s = d.count() / 1000;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

double per_second(const fuzz_progress& p) {
  return p.elapsed.count() > 0 ? static_cast<double>(p.execs) * 1000.0 / static_cast<double>(p.elapsed.count()) : 0;
}

}  // namespace

std::string fuzz_status_line(const fuzz_progress& p) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "execs %llu (%.0f/s)  corpus %zu  states %zu  transitions %zu  findings %zu  restarts %zu  %s",
                static_cast<unsigned long long>(p.execs), per_second(p), p.corpus, p.states, p.transitions, p.findings,
                p.restarts, clock_time(p.elapsed).c_str());
  std::string out = buf;
  if (!p.doing.empty()) out += "  (" + p.doing + ")";
  return out;
}

std::string fuzz_finding_line(const fuzz_finding_entry& f) {
  return "FOUND   " + f.oracle + " " + f.rule + (f.state.empty() ? "" : " in " + f.state) + " (case " +
         std::to_string(f.case_number) + ", " + std::to_string(f.steps) + " steps): " + f.file;
}

std::string fuzz_summary_text(const fuzz_summary& s) {
  const fuzz_progress& p = s.at_end;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%llu cases, %llu executions in %s (%.0f/s); %zu seeds, corpus %zu, %zu states, %zu transitions; "
                "%zu findings",
                static_cast<unsigned long long>(p.cases), static_cast<unsigned long long>(p.execs),
                clock_time(p.elapsed).c_str(), per_second(p), s.seeds, p.corpus, p.states, p.transitions,
                s.findings.size());
  std::string out = buf;
  if (s.first_case > 1) out += "; resumed at case " + std::to_string(s.first_case);
  if (p.restarts > 0) out += "; the server restarted " + std::to_string(p.restarts) + " times";
  if (s.flaky > 0) out += "; " + std::to_string(s.flaky) + " did not show again alone";
  if (!s.stopped.empty()) out += " (stopped: " + s.stopped + ")";
  out += "\n";
  if (!s.state_machine.empty()) out += "state machine: " + s.state_machine + "\n";
  return out;
}

std::string fuzz_json_report(const fuzz_summary& s) {
  using json = nlohmann::ordered_json;
  const fuzz_progress& p = s.at_end;
  json doc;
  doc["format"] = "ehlo-fuzz-report";
  doc["format_version"] = 1;
  doc["ehlo_version"] = s.ehlo_version;
  doc["peer"] = s.peer;
  if (!s.exec.empty()) doc["exec"] = s.exec;
  doc["dir"] = s.dir;
  doc["seed"] = s.seed;
  doc["first_case"] = s.first_case;
  doc["cases"] = p.cases;
  doc["executions"] = p.execs;
  doc["elapsed_ms"] = p.elapsed.count();
  doc["executions_per_second"] = per_second(p);
  doc["seeds"] = s.seeds;
  doc["corpus"] = p.corpus;
  doc["states"] = p.states;
  doc["transitions"] = p.transitions;
  doc["restarts"] = p.restarts;
  doc["discarded"] = s.discarded;
  doc["flaky"] = s.flaky;
  doc["stopped"] = s.stopped;
  doc["state_machine"] = s.state_machine;
  auto& list = doc["findings"] = json::array();
  for (const auto& f : s.findings)
    list.push_back({{"oracle", f.oracle},
                    {"rule", f.rule},
                    {"state", f.state},
                    {"detail", f.detail},
                    {"at", f.at},
                    {"file", f.file},
                    {"case", f.case_number},
                    {"steps_before", f.steps_before},
                    {"steps", f.steps},
                    {"tests", f.tests}});
  doc["findings_dropped"] = s.findings_dropped;
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace ehlo::report
