#include "report/check_results.hpp"

#include <algorithm>
#include <map>

namespace ehlo::report {

namespace {

check_verdict by_status(status s) noexcept {
  switch (s) {
    case status::passed:
      return check_verdict::conforms;
    case status::failed:
      return check_verdict::violates;
    case status::error:
      return check_verdict::inconclusive;
    case status::skipped:
      return check_verdict::not_applicable;
    case status::interrupted:
      return check_verdict::interrupted;
  }
  return check_verdict::inconclusive;
}

}  // namespace

check_verdict verdict_of(const scenario_result& r) noexcept {
  if (r.status == status::interrupted || !r.probe) return by_status(r.status);
  const std::string_view v = r.probe->verdict;
  if (v == "conforms") return check_verdict::conforms;
  if (v == "violates") return check_verdict::violates;
  if (v == "exploitable") return check_verdict::exploitable;
  if (v == "inconclusive") return check_verdict::inconclusive;
  if (v == "not-applicable") return check_verdict::not_applicable;
  return by_status(r.status);
}

std::string_view to_string(check_verdict v) noexcept {
  switch (v) {
    case check_verdict::conforms:
      return "conforms";
    case check_verdict::violates:
      return "violates";
    case check_verdict::exploitable:
      return "exploitable";
    case check_verdict::inconclusive:
      return "inconclusive";
    case check_verdict::not_applicable:
      return "not-applicable";
    case check_verdict::interrupted:
      return "interrupted";
  }
  return "inconclusive";
}

int severity_index(std::string_view word) noexcept {
  for (std::size_t i = 0; i < std::size(severity_words); ++i)
    if (severity_words[i] == word) return static_cast<int>(i);
  return -1;
}

int violation_severity(const scenario_result& r) noexcept {
  const auto v = verdict_of(r);
  if (v != check_verdict::violates && v != check_verdict::exploitable) return -1;
  return r.probe ? severity_index(r.probe->severity) : -1;
}

bool fails_ci(const scenario_result& r) noexcept {
  const auto v = verdict_of(r);
  if (v == check_verdict::exploitable) return true;
  if (v != check_verdict::violates) return false;
  // A violation without a severity (no probe) is taken at its heaviest.
  const int s = violation_severity(r);
  return s <= 0;
}

bool holds_probes(const run_summary& run) noexcept {
  return std::any_of(run.results.begin(), run.results.end(), [](const auto& r) { return r.probe.has_value(); });
}

void verdict_counts::add(const scenario_result& r) noexcept {
  ++probes;
  switch (verdict_of(r)) {
    case check_verdict::conforms:
      ++conforms;
      break;
    case check_verdict::violates:
      ++violates;
      break;
    case check_verdict::exploitable:
      ++exploitable;
      break;
    case check_verdict::inconclusive:
      ++inconclusive;
      break;
    case check_verdict::not_applicable:
      ++not_applicable;
      break;
    case check_verdict::interrupted:
      ++interrupted;
      break;
  }
  if (const int s = violation_severity(r); s >= 0) ++by_severity[s];
}

verdict_counts count_verdicts(std::span<const scenario_result> results) noexcept {
  verdict_counts c;
  for (const auto& r : results) c.add(r);
  return c;
}

std::vector<target_results> by_target(const run_summary& run) {
  std::vector<target_results> out;
  for (const auto& r : run.results) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& t) { return t.target == r.peer; });
    if (it == out.end()) {
      out.push_back({r.peer, {}, {}});
      it = std::prev(out.end());
    }
    it->results.push_back(&r);
    it->counts.add(r);
  }
  return out;
}

format_results format_findings(std::span<const scenario_result* const> results) {
  format_results out;
  std::map<std::string, format_rule> rules;
  for (const auto* r : results) {
    out.not_kept += r->findings_dropped;
    const bool commands = r->probe && r->probe->checks == "client";
    std::vector<std::string_view> in_this;
    for (const auto& f : r->findings) {
      auto& rule = rules[f.rule];
      if (rule.seen == 0) {
        rule.rule = f.rule;
        rule.section = f.section;
        rule.commands = commands;
        rule.first_what = f.what;
      }
      ++rule.seen;
      if (std::find(in_this.begin(), in_this.end(), f.rule) == in_this.end()) {
        in_this.push_back(f.rule);
        ++rule.probes;
      }
    }
  }
  for (auto& [id, rule] : rules) out.rules.push_back(std::move(rule));
  return out;
}

std::string_view format_subject(std::span<const scenario_result* const> results) noexcept {
  const auto checks = [&](std::string_view side) {
    return std::any_of(results.begin(), results.end(),
                       [&](const auto* r) { return r->probe && r->probe->checks == side; });
  };
  const bool servers = checks("server"), clients = checks("client");
  return clients && !servers ? "the commands" : servers && !clients ? "the replies" : "the replies and commands";
}

bool seen_anything(std::span<const scenario_result* const> results) noexcept {
  return std::any_of(results.begin(), results.end(), [](const auto* r) { return !r->transcript.empty(); });
}

}  // namespace ehlo::report
