#include "check/baseline.hpp"

#include <algorithm>
#include <map>

#include "check/probe_verdict.hpp"
#include "report/check_results.hpp"
#include "report/console_text.hpp"
#include "report/json_report.hpp"
#include "scenario/input_files.hpp"
#include "scenario/json.hpp"

namespace ehlo::check {

namespace {

namespace json = scenario::json;

constexpr std::size_t max_baseline_bytes = 256u << 20;

std::string at(std::string_view name, const json::position& pos) {
  return std::string(name) + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column) + ": ";
}

// A string member, or an error naming where it should be.
const json::value* string_member(const json::value& object, std::string_view key, std::string_view name,
                                 const std::string& pointer, bool required, std::string& error) {
  const json::value* v = object.find(key);
  if (!v) {
    if (required) error = at(name, object.pos) + pointer + ": no \"" + std::string(key) + "\"";
    return nullptr;
  }
  if (!v->is(json::type::string)) {
    error = at(name, v->pos) + pointer + "/" + std::string(key) + ": expected a string, found " +
            std::string(json::type_name(v->kind));
    return nullptr;
  }
  return v;
}

std::string as_json_string(std::string_view s) {
  std::string out;
  json::append_quoted(out, s.substr(0, 100));
  return out;
}

judgement judged(scenario::verdict_kind v, std::string_view severity) {
  judgement j;
  j.verdict = v;
  j.level = severity_of(severity).value_or(scenario::severity::must);  // none written: at its heaviest
  return j;
}

bool is_violation(scenario::verdict_kind v) {
  return v == scenario::verdict_kind::violates || v == scenario::verdict_kind::exploitable;
}

std::string described(std::string_view verdict, std::string_view severity, bool violation) {
  std::string out(verdict);
  if (violation && !severity.empty()) out += " (" + std::string(severity) + ")";
  return out;
}

scenario::verdict_kind kind_of(report::check_verdict v) {
  switch (v) {
    case report::check_verdict::conforms:
      return scenario::verdict_kind::conforms;
    case report::check_verdict::violates:
      return scenario::verdict_kind::violates;
    case report::check_verdict::exploitable:
      return scenario::verdict_kind::exploitable;
    case report::check_verdict::not_applicable:
      return scenario::verdict_kind::not_applicable;
    case report::check_verdict::inconclusive:
    case report::check_verdict::interrupted:
      break;
  }
  return scenario::verdict_kind::inconclusive;
}

}  // namespace

std::optional<baseline> parse_baseline(std::string_view text, std::string_view name, std::string& error) {
  json::parse_error perr;
  json::settings limits;
  limits.max_string_bytes = 64u << 20;  // a transcript
  limits.max_values = 16u << 20;
  const auto doc = json::parse(text, perr, limits);
  if (!doc) {
    error = at(name, perr.pos) + perr.what;
    return std::nullopt;
  }
  if (!doc->is(json::type::object)) {
    error = at(name, doc->pos) + "expected an ehlo JSON report (an object), found " +
            std::string(json::type_name(doc->kind));
    return std::nullopt;
  }
  const json::value* format = doc->find("format");
  if (!format || !format->is(json::type::string) || format->text != "ehlo-run-report") {
    error = at(name, format ? format->pos : doc->pos) +
            "not an ehlo JSON report (--report json:PATH): \"format\" is not \"ehlo-run-report\"";
    return std::nullopt;
  }
  const json::value* version = doc->find("format_version");
  if (!version || !version->is(json::type::number) || version->text != std::to_string(report::json_format_version)) {
    error = at(name, version ? version->pos : doc->pos) + "format_version " +
            (version ? version->text : std::string("missing")) + ": this ehlo reads version " +
            std::to_string(report::json_format_version);
    return std::nullopt;
  }
  const json::value* results = doc->find("scenarios");
  if (!results || !results->is(json::type::array)) {
    error = at(name, results ? results->pos : doc->pos) + "scenarios: expected an array";
    return std::nullopt;
  }
  baseline out;
  for (std::size_t i = 0; i < results->items.size(); ++i) {
    const json::value& r = results->items[i];
    const std::string pointer = "scenarios/" + std::to_string(i);
    if (!r.is(json::type::object)) {
      error = at(name, r.pos) + pointer + ": expected an object, found " + std::string(json::type_name(r.kind));
      return std::nullopt;
    }
    const json::value* probe = r.find("probe");
    if (!probe) continue;  // a result of `ehlo run`, not a probe's
    if (!probe->is(json::type::object)) {
      error = at(name, probe->pos) + pointer + "/probe: expected an object, found " +
              std::string(json::type_name(probe->kind));
      return std::nullopt;
    }
    const auto* peer = string_member(r, "peer", name, pointer, true, error);
    const auto* id = peer ? string_member(r, "name", name, pointer, true, error) : nullptr;
    const auto* verdict = id ? string_member(*probe, "verdict", name, pointer + "/probe", true, error) : nullptr;
    if (!verdict) return std::nullopt;
    const auto* severity = string_member(*probe, "severity", name, pointer + "/probe", false, error);
    if (!error.empty()) return std::nullopt;
    if (!verdict_of(verdict->text)) {
      error = at(name, verdict->pos) + pointer + "/probe/verdict: unknown verdict " + as_json_string(verdict->text);
      return std::nullopt;
    }
    if (severity && !severity->text.empty() && !severity_of(severity->text)) {
      error = at(name, severity->pos) + pointer + "/probe/severity: unknown severity " + as_json_string(severity->text);
      return std::nullopt;
    }
    out.entries.push_back({peer->text, id->text, verdict->text, severity ? severity->text : std::string()});
  }
  return out;
}

std::optional<baseline> read_baseline(const std::filesystem::path& file, std::string& error) {
  std::string text;
  if (const auto failure = scenario::read_regular_file(file, max_baseline_bytes, text)) {
    error = file.string() + ": ";
    error += failure->what == scenario::read_failure::kind::too_big
                 ? "larger than " + std::to_string(max_baseline_bytes >> 20) + " MiB (" +
                       std::to_string(failure->size) + " bytes): not a baseline"
                 : failure->why;
    return std::nullopt;
  }
  return parse_baseline(text, file.string(), error);
}

baseline_comparison compare(const baseline& before, const report::run_summary& now) {
  baseline_comparison c;
  const auto targets = report::by_target(now);

  std::vector<std::string> old_targets;
  for (const auto& e : before.entries)
    if (std::find(old_targets.begin(), old_targets.end(), e.target) == old_targets.end())
      old_targets.push_back(e.target);
  // The baseline's target as this run names it.
  std::string mapped_from, mapped_to;
  if (old_targets.size() == 1 && targets.size() == 1 && old_targets.front() != targets.front().target) {
    mapped_from = old_targets.front();
    mapped_to = targets.front().target;
    c.stood_for = mapped_from;
  }
  const auto target_now = [&](const std::string& t) -> const std::string& {
    return !mapped_from.empty() && t == mapped_from ? mapped_to : t;
  };

  std::map<std::pair<std::string, std::string>, const baseline_entry*> old;  // (target now, probe)
  for (const auto& e : before.entries) old.try_emplace({target_now(e.target), e.probe}, &e);

  std::map<std::pair<std::string, std::string>, bool> played;
  for (const auto& r : now.results) {
    played[{r.peer, r.name}] = true;
    const auto v = report::verdict_of(r);
    if (v == report::check_verdict::interrupted) {
      ++c.not_compared;
      continue;
    }
    const auto kind = kind_of(v);
    const std::string severity = r.probe ? r.probe->severity : std::string();
    verdict_change change{r.peer, r.name, {}, described(to_string(kind), severity, is_violation(kind))};
    const auto it = old.find({r.peer, r.name});
    if (it == old.end()) {
      c.added.push_back(std::move(change));
      continue;
    }
    const baseline_entry& e = *it->second;
    const auto old_kind = *verdict_of(e.verdict);
    change.before = described(e.verdict, e.severity, is_violation(old_kind));
    const int was = rank(judged(old_kind, e.severity)), is = rank(judged(kind, severity));
    if (is > was)
      c.worse.push_back(std::move(change));
    else if (is < was)
      c.better.push_back(std::move(change));
    else if (change.before != change.after)
      c.changed.push_back(std::move(change));
    else
      ++c.same;
  }

  std::map<std::string, std::size_t> absent;
  for (const auto& e : before.entries) {
    const std::string& t = target_now(e.target);
    const bool target_played =
        std::any_of(targets.begin(), targets.end(), [&](const auto& x) { return x.target == t; });
    if (!target_played) {
      ++absent[e.target];
      continue;
    }
    if (played.count({t, e.probe})) continue;
    if (old.at({t, e.probe}) != &e) continue;  // a duplicate in the baseline: the first stands
    c.gone.push_back({t, e.probe, described(e.verdict, e.severity, is_violation(*verdict_of(e.verdict))), {}});
  }
  for (const auto& t : old_targets)
    if (const auto it = absent.find(t); it != absent.end()) c.absent_targets.emplace_back(t, it->second);
  return c;
}

std::string format_comparison(const baseline_comparison& c, std::string_view name, bool colour) {
  using namespace report::console_text;
  std::string out = "baseline ";
  append_one_line(out, name, 300);
  out += ": ";
  append_coloured(out, std::to_string(c.worse.size()) + " worse", red, colour && !c.worse.empty());
  out += ", " + std::to_string(c.better.size()) + " better";
  out += ", " + std::to_string(c.added.size()) + " new";
  if (!c.gone.empty()) out += ", " + std::to_string(c.gone.size()) + " gone";
  if (!c.changed.empty()) out += ", " + std::to_string(c.changed.size()) + " changed";
  out += ", " + std::to_string(c.same) + " the same";
  if (c.not_compared > 0) out += "; " + std::to_string(c.not_compared) + " interrupted, not compared";
  out += '\n';
  if (!c.stood_for.empty()) {
    out += "  the baseline's only target, ";
    append_one_line(out, c.stood_for, 300);
    out += ", compared with this run's\n";
  }
  const auto list = [&](std::string_view word, std::string_view colour_of, const std::vector<verdict_change>& changes) {
    for (const auto& ch : changes) {
      out += "  ";
      append_coloured(out, word, colour_of, colour);
      out.append(9 - word.size(), ' ');
      append_one_line(out, ch.target, 300);
      out += "  ";
      append_one_line(out, ch.probe, 300);
      out += "  ";
      if (!ch.before.empty()) out += ch.before + " -> ";
      out += ch.after.empty() ? std::string("not played") : ch.after;
      out += '\n';
    }
  };
  list("worse", red, c.worse);
  list("better", green, c.better);
  list("new", {}, c.added);
  list("gone", {}, c.gone);
  list("changed", {}, c.changed);
  for (const auto& [target, probes] : c.absent_targets) {
    out += "  not in this run: ";
    append_one_line(out, target, 300);
    out += " (" + plural(probes, "probe", "probes") + " in the baseline)\n";
  }
  return out;
}

}  // namespace ehlo::check
