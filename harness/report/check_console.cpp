#include "report/check_console.hpp"

#include <algorithm>

#include "report/check_results.hpp"
#include "report/console_text.hpp"
#include "report/printable.hpp"
#include "report/time_format.hpp"

namespace ehlo::report {

namespace {

using namespace console_text;

constexpr std::size_t verdict_width = 14;    // "inconclusive" and two spaces
constexpr std::size_t severity_width = 10;   // "pedantic" and two spaces
constexpr std::size_t max_name_shown = 200;  // an id, a title, a category, a target
constexpr std::size_t max_why_shown = 500;

struct label {
  std::string_view text;
  std::string_view colour;
};

label label_of(check_verdict v) {
  switch (v) {
    case check_verdict::conforms:
      return {"conforms", green};
    case check_verdict::violates:
      return {"VIOLATES", red};
    case check_verdict::exploitable:
      return {"EXPLOITABLE", magenta};
    case check_verdict::inconclusive:
      return {"inconclusive", yellow};
    case check_verdict::not_applicable:
      return {"n/a", dim};
    case check_verdict::interrupted:
      return {"interrupted", yellow};
  }
  return {"?", {}};
}

void pad(std::string& out, std::size_t used, std::size_t width) { out.append(used < width ? width - used : 2, ' '); }

// `text` made printable on one line, then spaces to `width` columns (at least two).
void append_column(std::string& out, std::string_view text, std::size_t width) {
  std::string shown;
  append_one_line(shown, text, max_name_shown);
  out += shown;
  pad(out, columns(shown), width);
}

}  // namespace

std::size_t probe_id_width(std::span<const std::string> ids) noexcept {
  std::size_t width = default_probe_id_width;
  for (const auto& id : ids) width = std::max(width, columns(id) + 2);
  return std::min(width, max_probe_id_width);
}

std::string check_console_lines::next(const scenario_result& r) {
  std::string out;
  const bool colour = opt_.console.colour;
  const bool several = opt_.targets > 1;
  const std::string& category = r.probe ? r.probe->category : std::string();
  if (several && (first_ || r.peer != target_)) {
    std::string shown;
    append_one_line(shown, r.peer.empty() ? std::string_view("(no target)") : std::string_view(r.peer), max_name_shown);
    append_coloured(out, shown, bold, colour);
    out += '\n';
    target_ = r.peer;
    first_ = true;  // the category header again, under the new target
  }
  if (first_ || category != category_) {
    if (several) out += "  ";
    std::string shown;
    append_one_line(shown, category.empty() ? std::string_view("(no category)") : std::string_view(category),
                    max_name_shown);
    append_coloured(out, shown, bold, colour);
    out += '\n';
    category_ = category;
  }
  first_ = false;

  const std::string_view indent = several ? "    " : "  ";
  const std::size_t id_width = opt_.id_width > 0 ? opt_.id_width : default_probe_id_width;
  const auto v = verdict_of(r);
  const auto l = label_of(v);
  out += indent;
  append_coloured(out, l.text, l.colour, colour);
  pad(out, l.text.size(), verdict_width);
  const bool violation = v == check_verdict::violates || v == check_verdict::exploitable;
  const std::string_view severity = violation && r.probe ? std::string_view(r.probe->severity) : std::string_view();
  append_column(out, severity, severity_width);
  std::string id;
  append_one_line(id, r.name, max_name_shown);
  out += id;
  if (r.probe && !r.probe->title.empty()) {
    pad(out, columns(id), id_width);
    append_one_line(out, r.probe->title, max_name_shown);
  }
  out += '\n';

  const std::string under = std::string(indent) + std::string(verdict_width + severity_width, ' ');
  if (v != check_verdict::conforms) {
    std::string line;
    if (violation && r.probe && !r.probe->rule.empty()) {
      line += '[';
      append_one_line(line, r.probe->rule, max_name_shown);
      line += ']';
    }
    // Why: the probe's sentence, or for a result without one, why the runner says it did not pass.
    std::string_view why = r.probe ? std::string_view(r.probe->why) : std::string_view();
    if (why.empty() && r.fail) why = r.fail->message;
    if (!why.empty()) {
      if (!line.empty()) line += ' ';
      append_one_line(line, why, max_why_shown);
    }
    if (!line.empty()) out += under + line + '\n';
  }
  if (opt_.console.verbose) {
    for (const auto& f : r.findings) {
      out += under + "finding [";
      append_one_line(out, f.rule, max_name_shown);
      out += "] ";
      append_one_line(out, f.what, max_why_shown);
      if (!f.step.empty()) {
        out += " (";
        append_one_line(out, f.step, max_name_shown);
        out += ')';
      }
      out += '\n';
    }
    if (r.findings_dropped > 0)
      out += under + plural(r.findings_dropped, "more finding", "more findings") + " not kept\n";
    if (violation || v == check_verdict::inconclusive || v == check_verdict::interrupted)
      append_transcript_tail(out, r.transcript, opt_.console.transcript_lines, under);
  }
  return out;
}

namespace {

void append_counts(std::string& out, const verdict_counts& c, bool colour) {
  append_coloured(out, std::to_string(c.conforms) + (c.conforms == 1 ? " conforms" : " conform"), green,
                  colour && c.conforms > 0);
  out += ", ";
  const std::size_t violations = c.violations();
  append_coloured(out, std::to_string(violations) + (violations == 1 ? " violates" : " violate"), red,
                  colour && violations > 0);
  if (violations > 0) {
    std::string parts;
    for (std::size_t i = 0; i < std::size(c.by_severity); ++i) {
      if (c.by_severity[i] == 0) continue;
      if (!parts.empty()) parts += ", ";
      parts += std::to_string(c.by_severity[i]) + " " + std::string(severity_words[i]);
    }
    if (c.exploitable > 0) {
      if (!parts.empty()) parts += "; ";
      parts += std::to_string(c.exploitable) + " exploitable";
    }
    if (!parts.empty()) out += " (" + parts + ")";
  }
  if (c.inconclusive > 0) {
    out += ", ";
    append_coloured(out, std::to_string(c.inconclusive) + " inconclusive", yellow, colour);
  }
  if (c.not_applicable > 0) out += ", " + std::to_string(c.not_applicable) + " not applicable";
  if (c.interrupted > 0) {
    out += ", ";
    append_coloured(out, std::to_string(c.interrupted) + " interrupted", yellow, colour);
  }
}

// "  format: [5321-4.2.1] 3 replies in 2 probes: what the first one saw"
void append_format(std::string& out, const target_results& t) {
  const auto f = format_findings(t.results);
  for (const auto& rule : f.rules) {
    out += "  format: [";
    append_one_line(out, rule.rule, max_name_shown);
    out += "] ";
    out += rule.commands ? plural(rule.seen, "command", "commands") : plural(rule.seen, "reply", "replies");
    out += " in " + plural(rule.probes, "probe", "probes") + ": ";
    append_one_line(out, rule.first_what, max_why_shown);
    out += '\n';
  }
  if (f.not_kept > 0) out += "  format: " + plural(f.not_kept, "more finding", "more findings") + " not kept\n";
  if (f.rules.empty() && f.not_kept == 0)
    out += seen_anything(t.results)
               ? "  format: " + std::string(format_subject(t.results)) + " seen broke no format rule\n"
               : std::string("  format: nothing was seen to check\n");
}

}  // namespace

std::string format_check_summary(const run_summary& run, const check_console_options& opt) {
  const bool colour = opt.console.colour;
  const auto targets = by_target(run);
  const totals t = count(run);
  const bool closing = targets.size() > 1 || run.interrupted || t.not_kept > 0;
  std::string out;
  for (const auto& target : targets) {
    out += plural(target.counts.probes, "probe", "probes");
    if (!target.target.empty()) {
      out += " against ";
      append_one_line(out, target.target, max_name_shown);
    }
    out += ": ";
    append_counts(out, target.counts, colour);
    if (!closing) out += " (" + human_elapsed(run.elapsed) + ")";
    out += '\n';
    append_format(out, target);
  }
  if (targets.empty() && !closing) out += "0 probes (" + human_elapsed(run.elapsed) + ")\n";
  if (closing) {
    if (run.interrupted) {
      append_coloured(out, "interrupted", yellow, colour);
      out += " after ";
      if (t.not_run > 0) out += std::to_string(t.scenarios) + " of ";
      out += plural(t.scenarios + t.not_run, "probe", "probes");
    } else {
      out += plural(t.scenarios, "probe", "probes");
    }
    if (targets.size() > 1) out += " against " + std::to_string(targets.size()) + " targets";
    if (t.not_kept > 0) out += "; " + plural(t.not_kept, "result", "results") + " not kept for the reports";
    out += " (" + human_elapsed(run.elapsed) + ")\n";
  }
  return out;
}

std::error_code check_console_writer::probe(const scenario_result& r) {
  const std::lock_guard lock(mutex_);
  return write_all(fd_, lines_.next(r));
}

std::error_code check_console_writer::summary(const run_summary& run) {
  const std::lock_guard lock(mutex_);
  return write_all(fd_, format_check_summary(run, lines_.options()));
}

std::error_code check_console_writer::write(std::string_view text) {
  const std::lock_guard lock(mutex_);
  return write_all(fd_, text);
}

}  // namespace ehlo::report
