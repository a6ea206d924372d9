#include "report/junit_report.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "report/check_results.hpp"
#include "report/time_format.hpp"
#include "report/xml_escape.hpp"

namespace ehlo::report {

namespace {

void attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  append_xml_attribute(out, value);
  out += '"';
}

void property(std::string& out, std::string_view indent, std::string_view name, std::string_view value) {
  out += indent;
  out += "<property";
  attribute(out, "name", name);
  attribute(out, "value", value);
  out += "/>\n";
}

void counts(std::string& out, const totals& t, std::chrono::milliseconds elapsed) {
  attribute(out, "tests", std::to_string(t.scenarios));
  attribute(out, "failures", std::to_string(t.failed));
  attribute(out, "errors", std::to_string(t.errors + t.interrupted));
  attribute(out, "skipped", std::to_string(t.skipped));
  attribute(out, "time", seconds(elapsed));
}

std::string_view first_line(std::string_view s, bool& more) {
  const auto nl = s.find('\n');
  more = nl != std::string_view::npos && nl + 1 < s.size();
  s = s.substr(0, nl);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

// One line for the message attribute, which readers show as a title:
// "steps/3: expected 250, got 550 5.7.1 relaying denied".
std::string headline(const failure& f) {
  std::string out;
  if (!f.step.empty()) out += f.step + ": ";
  if (!f.expected.empty() || !f.got.empty()) {
    const auto shown = [&](std::string_view value) {
      if (value.empty()) return std::string("nothing");
      bool more = false;
      std::string line(first_line(value, more));
      if (more) line += " ...";
      return line;
    };
    out += "expected " + shown(f.expected) + ", got " + shown(f.got);
  } else if (!f.message.empty()) {
    out += f.message;
  } else if (!out.empty()) {
    out.resize(out.size() - 2);
  }
  return out;
}

// "expected  250-first\n          250 second\n"
void detail(std::string& out, std::string_view name, std::string_view value) {
  if (value.empty()) return;
  out += name;
  out.append(10 - name.size(), ' ');
  for (std::size_t nl; (nl = value.find('\n')) != std::string_view::npos && nl + 1 < value.size();) {
    out += value.substr(0, nl + 1);
    out.append(10, ' ');
    value.remove_prefix(nl + 1);
  }
  out += value;
  if (value.back() != '\n') out += '\n';
}

void append_findings(std::string& out, const scenario_result& r) {
  for (const auto& f : r.findings) {
    out += "finding [" + f.rule + "] " + f.what;
    if (!f.step.empty()) out += " (" + f.step + ")";
    out += '\n';
  }
  if (r.findings_dropped > 0)
    out += std::to_string(r.findings_dropped) + (r.findings_dropped == 1 ? " more finding" : " more findings") +
           " not kept\n";
}

// The element's text: the message, the labelled fields, each finding.
std::string details(const scenario_result& r) {
  std::string out;
  if (r.fail) {
    if (!r.fail->message.empty()) out += r.fail->message + "\n";
    detail(out, "step", r.fail->step);
    detail(out, "expected", r.fail->expected);
    detail(out, "got", r.fail->got);
    detail(out, "note", r.fail->note);
  }
  append_findings(out, r);
  return out;
}

void outcome(std::string& out, const scenario_result& r) {
  static const failure none;
  const failure& f = r.fail ? *r.fail : none;
  std::string_view element;
  std::string message, type;
  switch (r.status) {
    case status::passed:
      return;
    case status::skipped:
      out += "      <skipped";
      if (!f.message.empty()) attribute(out, "message", f.message);
      out += "/>\n";
      return;
    case status::failed:
      element = "failure";
      message = headline(f);
      type = f.step;
      break;
    case status::error:
      element = "error";
      message = f.message.empty() ? headline(f) : f.message;
      type = f.step;
      break;
    case status::interrupted:
      element = "error";
      message = f.message.empty() ? "interrupted" : "interrupted: " + f.message;
      type = "interrupted";
      break;
  }
  out += "      <";
  out += element;
  attribute(out, "message", message.empty() ? std::string(to_string(r.status)) : message);
  if (!type.empty()) attribute(out, "type", type);
  out += '>';
  append_xml_text(out, details(r));
  out += "</";
  out += element;
  out += ">\n";
}

void testcase(std::string& out, const scenario_result& r) {
  out += "    <testcase";
  attribute(out, "name", r.name);
  attribute(out, "classname", junit_classname(r.role, r.file));
  if (!r.file.empty()) attribute(out, "file", r.file);
  attribute(out, "time", seconds(r.elapsed));
  out += ">\n      <properties>\n";
  constexpr std::string_view indent = "        ";
  if (!r.peer.empty()) property(out, indent, "peer", r.peer);
  if (!r.expected_outcome.empty()) property(out, indent, "expected_outcome", r.expected_outcome);
  for (const auto& tag : r.tags) property(out, indent, "tag", tag);
  property(out, indent, "findings", std::to_string(r.findings.size() + r.findings_dropped));
  out += "      </properties>\n";
  outcome(out, r);
  if (!r.transcript.empty()) {
    out += "      <system-out>";
    append_xml_text(out, r.transcript);
    out += "</system-out>\n";
  }
  out += "    </testcase>\n";
}

// ehlo check: a testsuite per target and category, a testcase per probe.

struct check_counts {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::chrono::milliseconds time{0};

  void add(const scenario_result& r) {
    ++tests;
    time += r.elapsed;
    const auto v = verdict_of(r);
    if (v == check_verdict::interrupted)
      ++errors;
    else if (v == check_verdict::inconclusive || v == check_verdict::not_applicable)
      ++skipped;
    else if (fails_ci(r))
      ++failures;
  }
};

void counts(std::string& out, const check_counts& c, std::chrono::milliseconds elapsed) {
  attribute(out, "tests", std::to_string(c.tests));
  attribute(out, "failures", std::to_string(c.failures));
  attribute(out, "errors", std::to_string(c.errors));
  attribute(out, "skipped", std::to_string(c.skipped));
  attribute(out, "time", seconds(elapsed));
}

// "[5321-4.1.1.4] it took <LF>.<LF> as the end of data": the failure's title.
std::string check_headline(const scenario_result& r) {
  std::string out;
  if (r.probe && !r.probe->rule.empty()) out += "[" + r.probe->rule + "]";
  const std::string& why = r.probe && !r.probe->why.empty() ? r.probe->why : r.fail ? r.fail->message : std::string();
  if (!why.empty()) {
    bool more = false;
    if (!out.empty()) out += ' ';
    out += first_line(why, more);
    if (more) out += " ...";
  }
  return out.empty() ? std::string(to_string(verdict_of(r))) : out;
}

// The failure's text: the verdict's fields, labelled, then the findings.
std::string check_details(const scenario_result& r) {
  std::string out;
  if (r.probe) {
    const auto& p = *r.probe;
    detail(out, "verdict", p.severity.empty() ? p.verdict : p.verdict + " (" + p.severity + ")");
    detail(out, "rule", p.section.empty() ? p.rule : p.rule + " (" + p.section + ")");
    detail(out, "why", p.why);
    detail(out, "step", p.at);
    if (p.client_exit) detail(out, "exit", std::to_string(*p.client_exit));
    detail(out, "output", p.client_output);
  } else if (r.fail) {
    detail(out, "why", r.fail->message);
    detail(out, "step", r.fail->step);
  }
  append_findings(out, r);
  return out;
}

void check_outcome(std::string& out, const scenario_result& r) {
  const auto v = verdict_of(r);
  const std::string why = r.probe && !r.probe->why.empty() ? r.probe->why : r.fail ? r.fail->message : std::string();
  std::string_view element;
  std::string type;
  switch (v) {
    case check_verdict::conforms:
      return;
    case check_verdict::violates:
    case check_verdict::exploitable:
      if (!fails_ci(r)) return;  // said in the properties and at the head of system-out
      element = "failure";
      type = std::string(to_string(v));
      if (r.probe && !r.probe->severity.empty()) type += " " + r.probe->severity;
      break;
    case check_verdict::inconclusive:
    case check_verdict::not_applicable:
      out += "      <skipped";
      attribute(out, "message",
                std::string(v == check_verdict::inconclusive ? "inconclusive" : "not applicable") +
                    (why.empty() ? "" : ": " + why));
      out += "/>\n";
      return;
    case check_verdict::interrupted:
      element = "error";
      type = "interrupted";
      break;
  }
  out += "      <";
  out += element;
  attribute(
      out, "message",
      v == check_verdict::interrupted ? (why.empty() ? "interrupted" : "interrupted: " + why) : check_headline(r));
  attribute(out, "type", type);
  out += '>';
  append_xml_text(out, check_details(r));
  out += "</";
  out += element;
  out += ">\n";
}

void check_testcase(std::string& out, const scenario_result& r) {
  const std::string category = r.probe && !r.probe->category.empty() ? r.probe->category : "ehlo";
  out += "    <testcase";
  attribute(out, "name", r.name);
  attribute(out, "classname", category);
  if (!r.file.empty()) attribute(out, "file", r.file);
  attribute(out, "time", seconds(r.elapsed));
  out += ">\n      <properties>\n";
  constexpr std::string_view indent = "        ";
  if (!r.peer.empty()) property(out, indent, "target", r.peer);
  property(out, indent, "verdict", to_string(verdict_of(r)));
  if (r.probe) {
    const auto& p = *r.probe;
    property(out, indent, "title", p.title);
    std::string rules;
    for (const auto& rule : p.rules) rules += (rules.empty() ? "" : " ") + rule;
    property(out, indent, "rules", rules);
    if (!p.checks.empty()) property(out, indent, "checks", p.checks);
    if (!p.severity.empty()) property(out, indent, "severity", p.severity);
    if (!p.rule.empty()) property(out, indent, "rule", p.rule);
    if (!p.section.empty()) property(out, indent, "section", p.section);
    if (!p.why.empty()) property(out, indent, "why", p.why);
    if (!p.at.empty()) property(out, indent, "at", p.at);
    if (p.client_exit) property(out, indent, "client_exit", std::to_string(*p.client_exit));
  }
  property(out, indent, "findings", std::to_string(r.findings.size() + r.findings_dropped));
  out += "      </properties>\n";
  check_outcome(out, r);
  // A violation that does not fail the build (should, lenient, pedantic) says so first in system-out,
  // which every reader shows.
  const auto v = verdict_of(r);
  std::string note;
  if ((v == check_verdict::violates || v == check_verdict::exploitable) && !fails_ci(r)) {
    note = "ehlo check: " + std::string(to_string(v));
    if (r.probe && !r.probe->severity.empty()) note += " (" + r.probe->severity + ")";
    note += " " + check_headline(r) + "\n";
    note += "(passes: only a violation of a MUST, or an exploitable one, is a failure)\n";
    if (!r.transcript.empty()) note += "\n";
  }
  if (!note.empty() || !r.transcript.empty()) {
    out += "      <system-out>";
    append_xml_text(out, note);
    append_xml_text(out, r.transcript);
    out += "</system-out>\n";
  }
  out += "    </testcase>\n";
}

std::string junit_check_report(const run_summary& run) {
  const totals t = count(run);
  struct suite {
    std::string target, category;
    std::vector<const scenario_result*> results;
    check_counts counts;
  };
  std::vector<suite> suites;
  check_counts all;
  for (const auto& r : run.results) {
    const std::string category = r.probe ? r.probe->category : std::string();
    auto it = std::find_if(suites.begin(), suites.end(),
                           [&](const suite& s) { return s.target == r.peer && s.category == category; });
    if (it == suites.end()) {
      suites.push_back({r.peer, category, {}, {}});
      it = std::prev(suites.end());
    }
    it->results.push_back(&r);
    it->counts.add(r);
    all.add(r);
  }

  std::string out;
  out.reserve(1024 + run.results.size() * 1024);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites";
  attribute(out, "name", "ehlo check");
  counts(out, all, run.elapsed);
  out += ">\n";
  for (const auto& s : suites) {
    out += "  <testsuite";
    std::string name = s.category.empty() ? "ehlo" : s.category;
    if (!s.target.empty()) name += " (" + s.target + ")";
    attribute(out, "name", name);
    counts(out, s.counts, s.counts.time);
    attribute(out, "timestamp", junit_timestamp(run.started));
    out += ">\n    <properties>\n";
    constexpr std::string_view indent = "      ";
    if (!s.target.empty()) property(out, indent, "ehlo.target", s.target);
    property(out, indent, "ehlo.version", run.ehlo_version);
    property(out, indent, "ehlo.seed", std::to_string(run.seed));
    property(out, indent, "ehlo.started", rfc3339_utc(run.started));
    property(out, indent, "ehlo.interrupted", run.interrupted ? "true" : "false");
    property(out, indent, "ehlo.not_run", std::to_string(t.not_run));
    property(out, indent, "ehlo.not_kept", std::to_string(t.not_kept));
    out += "    </properties>\n";
    for (const auto* r : s.results) check_testcase(out, *r);
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace

std::string junit_classname(std::string_view role, std::string_view file) {
  std::string out(role);
  for (const auto& part : std::filesystem::path(file).parent_path()) {
    const std::string s = part.string();
    if (s.empty() || s == "." || s == ".." || s == "/") continue;
    if (!out.empty()) out += '.';
    for (const char c : s) out += c == '.' ? '_' : c;
  }
  return out.empty() ? "ehlo" : out;
}

std::string junit_report(const run_summary& run) {
  if (holds_probes(run)) return junit_check_report(run);
  const totals t = count(run);
  std::string out;
  out.reserve(1024 + run.results.size() * 512);
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites";
  attribute(out, "name", "ehlo");
  counts(out, t, run.elapsed);
  out += ">\n  <testsuite";
  attribute(out, "name", "ehlo");
  counts(out, t, run.elapsed);
  attribute(out, "timestamp", junit_timestamp(run.started));
  out += ">\n    <properties>\n";
  constexpr std::string_view indent = "      ";
  property(out, indent, "ehlo.version", run.ehlo_version);
  property(out, indent, "ehlo.seed", std::to_string(run.seed));
  property(out, indent, "ehlo.started", rfc3339_utc(run.started));
  property(out, indent, "ehlo.interrupted", run.interrupted ? "true" : "false");
  property(out, indent, "ehlo.not_run", std::to_string(t.not_run));
  property(out, indent, "ehlo.not_kept", std::to_string(t.not_kept));
  out += "    </properties>\n";
  for (const auto& r : run.results) testcase(out, r);
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace ehlo::report
