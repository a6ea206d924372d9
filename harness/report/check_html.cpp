#include "report/check_html.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/base64.hpp"
#include "report/check_results.hpp"
#include "report/console_text.hpp"
#include "report/html_escape.hpp"
#include "report/time_format.hpp"

namespace ehlo::report {

namespace {

constexpr std::size_t max_name_shown = 300;   // an id, a title, a target, a rule
constexpr std::size_t max_text_shown = 4000;  // why, a finding, a client's output

constexpr std::string_view style = R"css(
:root { color-scheme: light; font: 14px/1.45 system-ui, "Segoe UI", "DejaVu Sans", sans-serif; color: #1d232a; background: #f5f6f8; }
body { margin: 0 1.5rem 2rem; }
h1 { font-size: 1.45rem; margin: 1rem 0 .1rem; }
.run { color: #56606b; margin: 0 0 1rem; }
.run .interrupted { color: #9a3412; font-weight: 600; }
.targets { display: flex; flex-wrap: wrap; gap: .8rem; margin: 0 0 1rem; }
.target { background: #fff; border: 1px solid #d6dbe1; border-radius: 6px; padding: .6rem .9rem; flex: 1 1 24rem; max-width: 44rem; }
.target h2 { font: 600 1rem/1.3 "DejaVu Sans Mono", monospace; margin: 0 0 .45rem; }
.chips { display: flex; flex-wrap: wrap; gap: .35rem; margin: 0; padding: 0; list-style: none; }
.chip { padding: .1rem .5rem; border-radius: 3px; font-weight: 600; white-space: nowrap; border: 1px solid rgba(0,0,0,.12); }
.format { margin: .5rem 0 0; padding-left: 1.1rem; color: #4a535d; font-size: .9rem; }
.format code { font-family: "DejaVu Sans Mono", monospace; }
.legend { display: flex; flex-wrap: wrap; gap: .35rem 1.2rem; align-items: center; margin: 0 0 .8rem; font-size: .9rem; color: #4a535d; }
.legend .chip { margin-right: .3rem; }
.matrix-wrap { overflow-x: auto; }
table.matrix { border-collapse: collapse; background: #fff; border: 1px solid #d6dbe1; }
.matrix th, .matrix td { border: 1px solid #e3e7eb; padding: .25rem .55rem; text-align: left; vertical-align: middle; }
.matrix thead th { position: sticky; top: 0; background: #e9edf1; z-index: 1; }
.matrix thead th.target-col { font-family: "DejaVu Sans Mono", monospace; text-align: center; }
.matrix tr.category th { background: #dde3e9; font-size: .95rem; padding-top: .4rem; }
.matrix td.id { font-family: "DejaVu Sans Mono", monospace; white-space: nowrap; }
.matrix td.title { min-width: 14rem; max-width: 30rem; }
.matrix td.rules { font-family: "DejaVu Sans Mono", monospace; font-size: .85rem; white-space: nowrap; }
.matrix td.verdict { padding: 0; text-align: center; min-width: 9rem; }
.matrix td.verdict a, .matrix td.verdict span.none { display: block; padding: .3rem .55rem; color: inherit; text-decoration: none; font-weight: 600; }
.matrix td.verdict a:hover, .matrix td.verdict a:focus, .matrix td.verdict a.selected { outline: 3px solid #1d232a; outline-offset: -3px; }
.matrix td.verdict small { font-weight: 400; }
.chip.total { background: #fff; }
.v-conforms { background: #cfe9d5; color: #14532d; }
.v-violates { background: #f6c4be; color: #7f1d1d; }
.v-exploitable { background: #6b21a8; color: #fff; }
.v-inconclusive { background: #fbe7a6; color: #6b4d00; }
.v-not-applicable { background: #e6e9ed; color: #4b5563; }
.v-interrupted { background: #fdd2a8; color: #7c2d12; }
.v-not-run { background: #fff; color: #8a939c; font-style: italic; }
.detail { display: none; }
.detail:target { display: block; position: fixed; top: 0; right: 0; bottom: 0; width: min(46rem, 50vw); overflow: auto; box-sizing: border-box;
  background: #fff; border-left: 3px solid #1d232a; box-shadow: -6px 0 18px rgba(0,0,0,.18); padding: .7rem 1.2rem 1.5rem; z-index: 2; }
body:has(.detail:target) { margin-right: calc(min(46rem, 50vw) + 1rem); }
.detail header { display: flex; align-items: baseline; gap: .8rem; flex-wrap: wrap; }
.detail h3 { margin: 0; font: 600 1.05rem/1.3 "DejaVu Sans Mono", monospace; }
.detail .close { margin-left: auto; color: #1d232a; }
.detail dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .6rem 0; }
.detail dt { color: #56606b; }
.detail dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.detail pre { background: #111827; color: #e5e7eb; padding: .6rem .8rem; margin: .3rem 0 0; border-radius: 4px;
  font: 12.5px/1.45 "DejaVu Sans Mono", monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.detail pre .ctl { color: #111827; background: #f9a8d4; border-radius: 2px; padding: 0 .15em; margin: 0 .05em; font-size: .85em; }
.detail pre .s { color: #93c5fd; } .detail pre .c { color: #fde68a; } .detail pre .n { color: #9ca3af; }
.detail ul.findings { margin: .2rem 0; padding-left: 1.2rem; }
)css";

// Marks the chosen cell, and closes the open panel on Escape (back to its cell).
// The page needs none of it: the panels open through :target.
constexpr std::string_view script = R"js(
(function () {
  var chosen = null;
  function mark() {
    if (chosen) chosen.classList.remove("selected");
    chosen = null;
    var id = location.hash.slice(1);
    if (!/^d-[0-9]+-[0-9]+$/.test(id)) return;
    chosen = document.getElementById("c" + id.slice(1));
    if (chosen) chosen.classList.add("selected");
  }
  window.addEventListener("hashchange", mark);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && chosen) location.hash = chosen.id;
  });
  mark();
})();
)js";

// "'sha256-...'": the Content Security Policy's source for the script above.
std::string script_source() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(script.data(), script.size(), md, &n, EVP_sha256(), nullptr) != 1) return "'none'";
  return "'sha256-" + proto::base64::encode(std::string_view(reinterpret_cast<const char*>(md), n)) + "'";
}

struct verdict_look {
  std::string_view css;   // the class: "v-violates"
  std::string_view word;  // what the cell says
};

verdict_look look_of(check_verdict v) {
  switch (v) {
    case check_verdict::conforms:
      return {"v-conforms", "conforms"};
    case check_verdict::violates:
      return {"v-violates", "VIOLATES"};
    case check_verdict::exploitable:
      return {"v-exploitable", "EXPLOITABLE"};
    case check_verdict::inconclusive:
      return {"v-inconclusive", "inconclusive"};
    case check_verdict::not_applicable:
      return {"v-not-applicable", "n/a"};
    case check_verdict::interrupted:
      return {"v-interrupted", "interrupted"};
  }
  return {"v-inconclusive", "?"};
}

std::string joined(const std::vector<std::string>& words, std::string_view by) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += by;
    out += w;
  }
  return out;
}

// A row of the matrix: one probe, its result per target (null: not run there).
struct row {
  std::string category, id;
  const scenario_result* about = nullptr;  // whose title, rules and severity the row shows
  std::vector<const scenario_result*> cells;
};

int about_score(const scenario_result& r) {
  if (!r.probe) return 0;
  const auto v = verdict_of(r);
  return v == check_verdict::violates || v == check_verdict::exploitable ? 1 : 2;
}

std::vector<row> rows_of(const std::vector<target_results>& targets) {
  std::map<std::pair<std::string, std::string>, row> rows;  // sorted by (category, id)
  for (std::size_t t = 0; t < targets.size(); ++t) {
    for (const auto* r : targets[t].results) {
      const std::string category = r->probe ? r->probe->category : std::string();
      auto& w = rows[{category, r->name}];
      if (w.cells.empty()) {
        w.category = category;
        w.id = r->name;
        w.cells.assign(targets.size(), nullptr);
      }
      if (!w.cells[t]) w.cells[t] = r;
      // The probe's own severity comes from a result that is no violation (a mark may change a violation's).
      if (!w.about || about_score(*r) > about_score(*w.about)) w.about = r;
    }
  }
  std::vector<row> out;
  out.reserve(rows.size());
  for (auto& [key, w] : rows) out.push_back(std::move(w));
  return out;
}

void chip(std::string& out, std::string_view css, std::string_view text) {
  out += "<li class=\"chip ";
  out += css;
  out += "\">";
  append_html(out, text);
  out += "</li>";
}

void target_card(std::string& out, const target_results& t) {
  const auto& c = t.counts;
  out += "<section class=\"target\"><h2>";
  append_html(out, t.target.empty() ? std::string_view("(no target)") : std::string_view(t.target), max_name_shown);
  out += "</h2>\n<ul class=\"chips\">";
  chip(out, "total", console_text::plural(c.probes, "probe", "probes"));
  chip(out, "v-conforms", std::to_string(c.conforms) + (c.conforms == 1 ? " conforms" : " conform"));
  std::string violate = std::to_string(c.violations()) + (c.violations() == 1 ? " violates" : " violate");
  std::string parts;
  for (std::size_t i = 0; i < std::size(c.by_severity); ++i)
    if (c.by_severity[i] > 0)
      parts += (parts.empty() ? "" : ", ") + std::to_string(c.by_severity[i]) + " " + std::string(severity_words[i]);
  if (!parts.empty()) violate += " (" + parts + ")";
  chip(out, "v-violates", violate);
  if (c.exploitable > 0) chip(out, "v-exploitable", std::to_string(c.exploitable) + " exploitable");
  if (c.inconclusive > 0) chip(out, "v-inconclusive", std::to_string(c.inconclusive) + " inconclusive");
  if (c.not_applicable > 0) chip(out, "v-not-applicable", std::to_string(c.not_applicable) + " not applicable");
  if (c.interrupted > 0) chip(out, "v-interrupted", std::to_string(c.interrupted) + " interrupted");
  out += "</ul>\n<ul class=\"format\">";
  const auto f = format_findings(t.results);
  for (const auto& rule : f.rules) {
    out += "<li>format: <code>[";
    append_html(out, rule.rule, max_name_shown);
    out += "]</code> ";
    out += rule.commands ? console_text::plural(rule.seen, "command", "commands")
                         : console_text::plural(rule.seen, "reply", "replies");
    out += " in " + console_text::plural(rule.probes, "probe", "probes") + ": ";
    append_html(out, rule.first_what, max_text_shown);
    out += "</li>";
  }
  if (f.not_kept > 0)
    out += "<li>format: " + console_text::plural(f.not_kept, "more finding", "more findings") + " not kept</li>";
  if (f.rules.empty() && f.not_kept == 0)
    out += seen_anything(t.results)
               ? "<li>format: " + std::string(format_subject(t.results)) + " seen broke no format rule</li>"
               : std::string("<li>format: nothing was seen to check</li>");
  out += "</ul></section>\n";
}

void legend(std::string& out, bool interrupted, bool not_run) {
  out += "<div class=\"legend\" id=\"legend\">\n";
  const auto item = [&](std::string_view css, std::string_view word, std::string_view meaning) {
    out += "<span><span class=\"chip ";
    out += css;
    out += "\">";
    out += word;
    out += "</span>";
    out += meaning;
    out += "</span>\n";
  };
  item("v-conforms", "conforms", "keeps the rule");
  item("v-violates", "VIOLATES", "breaks it (with its severity: must, should, lenient, pedantic)");
  item("v-exploitable", "EXPLOITABLE", "breaks it in a way an attacker can use");
  item("v-inconclusive", "inconclusive", "could not be judged (a 421, a refused connection, a time-out)");
  item("v-not-applicable", "n/a", "does not offer or use what the probe needs");
  if (interrupted) item("v-interrupted", "interrupted", "was running when the run was stopped");
  if (not_run) item("v-not-run", "not run", "no result for this target");
  out += "</div>\n";
}

// The transcript, a line each, in spans by side; bounded (check_html_options).
void transcript(std::string& out, std::string_view text, const check_html_options& opt) {
  const auto lines = console_text::lines_of(text);
  const std::size_t keep = std::max<std::size_t>(opt.transcript_lines, 2);
  const std::size_t head = lines.size() > keep ? keep / 2 : lines.size();
  const std::size_t tail_from = lines.size() > keep ? lines.size() - (keep - head) : lines.size();
  const auto line = [&](std::string_view l) {
    const std::string_view css = l.starts_with("S:") ? "s" : l.starts_with("C:") ? "c" : "n";
    out += "<span class=\"";
    out += css;
    out += "\">";
    append_html_marking_controls(out, l, opt.line_bytes);
    out += "</span>\n";
  };
  out += "<pre class=\"transcript\">";
  for (std::size_t i = 0; i < head; ++i) line(lines[i]);
  if (tail_from > head)
    out += "<span class=\"n\">... " + std::to_string(tail_from - head) +
           " lines left out here (the JSON report has them all) ...</span>\n";
  for (std::size_t i = std::max(tail_from, head); i < lines.size(); ++i) line(lines[i]);
  out += "</pre>\n";
}

void field(std::string& out, std::string_view name, std::string_view value, std::size_t max = max_text_shown) {
  if (value.empty()) return;
  out += "<dt>";
  out += name;
  out += "</dt><dd>";
  append_html(out, value, max);
  out += "</dd>\n";
}

void panel(std::string& out, const scenario_result& r, std::size_t row, std::size_t col,
           const check_html_options& opt) {
  const std::string ids = std::to_string(row) + "-" + std::to_string(col);
  const auto v = verdict_of(r);
  const auto look = look_of(v);
  out += "<section class=\"detail\" id=\"d-" + ids + "\" tabindex=\"-1\">\n<header><span class=\"chip ";
  out += look.css;
  out += "\">";
  out += look.word;
  if ((v == check_verdict::violates || v == check_verdict::exploitable) && r.probe && !r.probe->severity.empty()) {
    out += ' ';
    append_html(out, r.probe->severity, max_name_shown);
  }
  out += "</span><h3>";
  append_html(out, r.name, max_name_shown);
  out += "</h3><span>against ";
  append_html(out, r.peer.empty() ? std::string_view("(no target)") : std::string_view(r.peer), max_name_shown);
  out += "</span><a class=\"close\" href=\"#c-" + ids + "\">close</a></header>\n<dl>\n";
  if (r.probe) {
    const auto& p = *r.probe;
    field(out, "title", p.title, max_name_shown);
    field(out, "why", p.why);
    if (!p.rule.empty()) field(out, "rule broken", p.section.empty() ? p.rule : p.rule + " (" + p.section + ")");
    field(out, "severity", p.severity, max_name_shown);
    field(out, "rules checked", joined(p.rules, ", "));
    field(out, "decided at", p.at, max_name_shown);
    field(out, "checks", p.checks == "client" ? "the client" : p.checks == "server" ? "the server" : p.checks);
    if (p.client_exit) field(out, "client exit", std::to_string(*p.client_exit));
    field(out, "client output", p.client_output);
  } else if (r.fail) {
    field(out, "why", r.fail->message);
    field(out, "step", r.fail->step, max_name_shown);
  }
  field(out, "file", r.file, max_name_shown);
  field(out, "time", human_elapsed(r.elapsed));
  out += "</dl>\n";
  if (!r.findings.empty() || r.findings_dropped > 0) {
    out += "<div>format findings:</div>\n<ul class=\"findings\">";
    for (const auto& f : r.findings) {
      out += "<li>[";
      append_html(out, f.rule, max_name_shown);
      out += "] ";
      append_html(out, f.what, max_text_shown);
      if (!f.step.empty()) {
        out += " (";
        append_html(out, f.step, max_name_shown);
        out += ')';
      }
      out += "</li>";
    }
    if (r.findings_dropped > 0)
      out += "<li>" + console_text::plural(r.findings_dropped, "more finding", "more findings") + " not kept</li>";
    out += "</ul>\n";
  }
  if (r.transcript.empty())
    out += "<p>no transcript: nothing was said</p>\n";
  else
    transcript(out, r.transcript, opt);
  out += "</section>\n";
}

}  // namespace

std::string check_html(const run_summary& run, const check_html_options& opt) {
  const auto targets = by_target(run);
  const auto rows = rows_of(targets);
  const totals t = count(run);

  std::string page;
  page.reserve(16384 + run.results.size() * 4096);
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  page +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
      "script-src " +
      script_source() + "; base-uri 'none'; form-action 'none'\">\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>ehlo check";
  for (std::size_t i = 0; i < targets.size(); ++i) {
    page += i == 0 ? ": " : ", ";
    append_html(page, targets[i].target, max_name_shown);
  }
  page += "</title>\n<style>";
  page += style;
  page += "</style>\n</head>\n<body>\n<h1>ehlo check</h1>\n<p class=\"run\">";
  page += console_text::plural(t.scenarios, "probe", "probes");
  if (targets.size() > 1) page += " against " + std::to_string(targets.size()) + " targets";
  page += " in " + human_elapsed(run.elapsed) + ", started " + rfc3339_utc(run.started);
  if (!run.ehlo_version.empty()) {
    page += " by ehlo ";
    append_html(page, run.ehlo_version, max_name_shown);
  }
  if (run.interrupted) {
    page += " &middot; <span class=\"interrupted\">interrupted";
    if (t.not_run > 0) page += ": " + std::to_string(t.not_run) + " not run";
    page += "</span>";
  }
  if (t.not_kept > 0)
    page += " &middot; " + console_text::plural(t.not_kept, "result", "results") + " not kept for the reports";
  page += "</p>\n<div class=\"targets\">\n";
  for (const auto& target : targets) target_card(page, target);
  page += "</div>\n";

  bool interrupted = false, not_run = false;
  for (const auto& w : rows)
    for (const auto* r : w.cells) {
      if (!r)
        not_run = true;
      else if (verdict_of(*r) == check_verdict::interrupted)
        interrupted = true;
    }
  legend(page, interrupted, not_run);

  page += "<div class=\"matrix-wrap\"><table class=\"matrix\" id=\"matrix\">\n<thead><tr><th>probe</th>";
  for (const auto& target : targets) {
    page += "<th class=\"target-col\">";
    append_html(page, target.target.empty() ? std::string_view("(no target)") : std::string_view(target.target),
                max_name_shown);
    page += "</th>";
  }
  page += "<th>title</th><th>rules</th><th>severity</th></tr></thead>\n<tbody>\n";
  const std::string columns = std::to_string(4 + targets.size());
  std::string panels;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& w = rows[i];
    if (i == 0 || w.category != rows[i - 1].category) {
      page += "<tr class=\"category\"><th colspan=\"" + columns + "\">";
      append_html(page, w.category.empty() ? std::string_view("(no category)") : std::string_view(w.category),
                  max_name_shown);
      page += "</th></tr>\n";
    }
    const auto* p = w.about && w.about->probe ? &*w.about->probe : nullptr;
    page += "<tr><td class=\"id\">";
    append_html(page, w.id, max_name_shown);
    page += "</td>";
    for (std::size_t c = 0; c < w.cells.size(); ++c) {
      const auto* r = w.cells[c];
      if (!r) {
        page += "<td class=\"verdict v-not-run\" data-verdict=\"not-run\"><span class=\"none\">not run</span></td>";
        continue;
      }
      const auto v = verdict_of(*r);
      const auto look = look_of(v);
      const std::string ids = std::to_string(i) + "-" + std::to_string(c);
      page += "<td class=\"verdict ";
      page += look.css;
      page += "\" data-verdict=\"";
      page += to_string(v);
      page += "\"><a id=\"c-" + ids + "\" href=\"#d-" + ids + "\"";
      const std::string_view why = r->probe  ? std::string_view(r->probe->why)
                                   : r->fail ? std::string_view(r->fail->message)
                                             : std::string_view();
      if (!why.empty()) {
        page += " title=\"";
        append_html(page, why, 300);
        page += "\"";
      }
      page += ">";
      page += look.word;
      if ((v == check_verdict::violates || v == check_verdict::exploitable) && r->probe &&
          !r->probe->severity.empty()) {
        page += " <small>";
        append_html(page, r->probe->severity, max_name_shown);
        page += "</small>";
      }
      page += "</a></td>";
      panel(panels, *r, i, c, opt);
    }
    page += "<td class=\"title\">";
    if (p) append_html(page, p->title, max_name_shown);
    page += "</td><td class=\"rules\">";
    if (p) append_html(page, joined(p->rules, " "), max_name_shown);
    page += "</td><td class=\"severity\">";
    if (p) append_html(page, p->severity, max_name_shown);
    page += "</td></tr>\n";
  }
  page += "</tbody>\n</table></div>\n";
  page += panels;
  page += "<script>";
  page += script;
  page += "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace ehlo::report
