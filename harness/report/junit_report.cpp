#include "report/junit_report.hpp"

#include <filesystem>

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
  for (const auto& f : r.findings) {
    out += "finding [" + f.rule + "] " + f.what;
    if (!f.step.empty()) out += " (" + f.step + ")";
    out += '\n';
  }
  if (r.findings_dropped > 0)
    out += std::to_string(r.findings_dropped) + (r.findings_dropped == 1 ? " more finding" : " more findings") +
           " not kept\n";
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
