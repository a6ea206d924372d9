#include "report/console.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <vector>

#include "report/console_text.hpp"
#include "report/printable.hpp"
#include "report/time_format.hpp"

namespace ehlo::report {

namespace {

using namespace console_text;

constexpr std::string_view indent = "      ";                  // under the name
constexpr std::string_view value_indent = "                ";  // continuation of a labelled value

struct label {
  std::string_view text;
  std::string_view colour;
};

label label_of(status s) {
  switch (s) {
    case status::passed:
      return {"PASS", green};
    case status::failed:
      return {"FAIL", red};
    case status::error:
      return {"ERROR", red};
    case status::skipped:
      return {"SKIP", yellow};
    case status::interrupted:
      return {"INTR", yellow};
  }
  return {"?", {}};
}

// "      expected  250-first\n                250 second\n"; with no name, the value under the name.
void append_field(std::string& out, std::string_view name, std::string_view value) {
  bool first = true;
  for (const auto line : lines_of(value)) {
    if (name.empty()) {
      out += indent;
    } else if (first) {
      out += indent;
      out += name;
      out.append(10 - name.size(), ' ');
    } else {
      out += value_indent;
    }
    first = false;
    append_printable(out, line, false, max_line_shown);
    out += '\n';
  }
}

}  // namespace

std::string format_scenario(const scenario_result& r, const console_options& opt) {
  std::string out;
  const auto l = label_of(r.status);
  append_coloured(out, l.text, l.colour, opt.colour);
  out.append(l.text.size() < 5 ? 6 - l.text.size() : 1, ' ');
  append_printable(out, r.name, false);
  out += "  (";
  out += human_elapsed(r.elapsed);
  const std::size_t findings = r.findings.size() + r.findings_dropped;
  if (findings > 0) out += ", " + plural(findings, "finding", "findings");
  out += ")\n";

  if (r.fail) {
    const auto& f = *r.fail;
    append_field(out, "", f.message);
    append_field(out, "step", f.step);
    append_field(out, "expected", f.expected);
    append_field(out, "got", f.got);
    append_field(out, "note", f.note);
  }
  if (opt.verbose) {
    for (const auto& f : r.findings) {
      out += indent;
      out += "finding [";
      append_printable(out, f.rule, false);
      out += "] ";
      append_printable(out, f.what, false);
      if (!f.step.empty()) {
        out += " (";
        append_printable(out, f.step, false);
        out += ')';
      }
      out += '\n';
    }
    if (r.findings_dropped > 0)
      out += std::string(indent) + std::to_string(r.findings_dropped) +
             (r.findings_dropped == 1 ? " more finding" : " more findings") + " not kept\n";
  }
  if (r.status == status::failed || r.status == status::error || r.status == status::interrupted)
    append_transcript_tail(out, r.transcript, opt.transcript_lines, indent);
  return out;
}

std::string format_summary(const run_summary& run, const console_options& opt) {
  const totals t = count(run);
  std::string out;
  if (run.interrupted) {
    append_coloured(out, "interrupted", yellow, opt.colour);
    out += " after ";
    if (t.not_run > 0) out += std::to_string(t.scenarios) + " of ";
    out += std::to_string(t.scenarios + t.not_run) + (t.scenarios + t.not_run == 1 ? " scenario" : " scenarios");
  } else {
    out += plural(t.scenarios, "scenario", "scenarios");
  }
  out += ": ";
  append_coloured(out, std::to_string(t.passed) + " passed", green, opt.colour && t.passed > 0);
  out += ", ";
  append_coloured(out, std::to_string(t.failed) + " failed", red, opt.colour && t.failed > 0);
  if (t.errors > 0) {
    out += ", ";
    append_coloured(out, plural(t.errors, "error", "errors"), red, opt.colour);
  }
  if (t.skipped > 0) {
    out += ", ";
    append_coloured(out, std::to_string(t.skipped) + " skipped", yellow, opt.colour);
  }
  if (t.interrupted > 0) {
    out += ", ";
    append_coloured(out, std::to_string(t.interrupted) + " interrupted", yellow, opt.colour);
  }
  if (t.findings > 0) out += "; " + plural(t.findings, "finding", "findings");
  if (run.seed_used) out += "; --seed " + std::to_string(run.seed);
  if (t.not_kept > 0) out += "; " + plural(t.not_kept, "result", "results") + " not kept for the reports";
  out += " (" + human_elapsed(run.elapsed) + ")\n";
  return out;
}

bool colour_wanted(int fd) {
  if (::isatty(fd) != 1) return false;
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour && *no_colour) return false;
  const char* term = std::getenv("TERM");
  return !(term && std::strcmp(term, "dumb") == 0);
}

std::error_code write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return {errno, std::generic_category()};
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

std::error_code console_writer::write(std::string_view text) {
  const std::lock_guard lock(mutex_);
  return write_all(fd_, text);
}

}  // namespace ehlo::report
