#include "campaign/finding_case.hpp"

#include <algorithm>
#include <charconv>

#include "campaign/case_form.hpp"

namespace ehlo::campaign {

namespace {

using scenario::side;
using scenario::step;

std::optional<std::size_t> top_index(std::string_view pointer) {
  if (!pointer.starts_with("steps/")) return std::nullopt;
  pointer.remove_prefix(6);
  std::size_t i = 0;
  const auto [end, ec] = std::from_chars(pointer.data(), pointer.data() + pointer.size(), i);
  if (ec != std::errc{}) return std::nullopt;
  return i;
}

bool violating(const step& s) {
  return s.mark &&
         (s.mark->is == scenario::verdict_kind::violates || s.mark->is == scenario::verdict_kind::exploitable);
}

bool branch_violates(const std::vector<step>& branch) {
  return std::any_of(branch.begin(), branch.end(), [](const step& s) {
    if (violating(s)) return true;
    const auto* o = std::get_if<scenario::one_of_step>(&s.what);
    return o != nullptr && std::all_of(o->branches.begin(), o->branches.end(), branch_violates);
  });
}

/// A probe's steps as a plain scenario that expects a conforming peer.
std::vector<step> conforming(std::vector<step> steps) {
  std::vector<step> out;
  for (auto& s : steps) {
    s.mark.reset();
    if (auto* o = std::get_if<scenario::one_of_step>(&s.what)) {
      std::vector<std::vector<step>> kept;
      for (auto& b : o->branches)
        if (!branch_violates(b)) kept.push_back(conforming(std::move(b)));
      if (kept.empty()) continue;
      if (kept.size() == 1) {
        for (auto& k : kept.front()) {
          if (s.optional) k.optional = true;
          out.push_back(std::move(k));
        }
        continue;
      }
      o->branches = std::move(kept);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : std::string(sep)) + x;
  return out;
}

}  // namespace

std::string slug(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const char l = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9'))
      out += l;
    else if (!out.empty() && out.back() != '-')
      out += '-';
    if (out.size() >= 40) break;
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? std::string("x") : out;
}

std::optional<scenario::scenario> keep_steps(const scenario::scenario& sc, const std::vector<std::size_t>& keep) {
  if (keep.empty()) return std::nullopt;
  scenario::scenario out = sc;
  out.steps.clear();
  for (const std::size_t i : keep)
    if (i < sc.steps.size()) out.steps.push_back(sc.steps[i]);
  return settle(out);
}

units units_of(const scenario::scenario& sc, side plays) {
  const auto peers = [&](const step& s) {
    const bool server = plays == side::client;  // the peer is the server
    if (std::holds_alternative<scenario::reply_step>(s.what)) return server;
    if (const auto* c = std::get_if<scenario::close_step>(&s.what)) return c->by_server == server;
    if (const auto* q = std::get_if<scenario::silent_step>(&s.what)) return q->by_server == server;
    if (std::holds_alternative<scenario::tls_step>(s.what) || std::holds_alternative<scenario::pause_step>(s.what) ||
        std::holds_alternative<scenario::one_of_step>(s.what))
      return false;
    return !server;
  };
  units u;
  while (u.fixed < sc.steps.size() && peers(sc.steps[u.fixed])) ++u.fixed;
  for (std::size_t i = u.fixed; i < sc.steps.size();) {
    std::size_t j = i + 1;
    while (j < sc.steps.size() && peers(sc.steps[j])) ++j;
    u.of.emplace_back(i, j);
    i = j;
  }
  return u;
}

std::optional<scenario::scenario> keep_units(const scenario::scenario& sc, const units& u,
                                             const std::vector<std::size_t>& keep) {
  std::vector<std::size_t> steps;
  for (std::size_t i = 0; i < u.fixed; ++i) steps.push_back(i);
  for (const std::size_t k : keep)
    for (std::size_t i = u.of.at(k).first; i < u.of.at(k).second; ++i) steps.push_back(i);
  return keep_steps(sc, steps);
}

std::optional<scenario::scenario> up_to(const scenario::scenario& sc, std::string_view pointer) {
  const auto i = top_index(pointer);
  if (!i || *i >= sc.steps.size()) return std::nullopt;
  std::vector<std::size_t> keep(*i + 1);
  for (std::size_t k = 0; k <= *i; ++k) keep[k] = k;
  return keep_steps(sc, keep);
}

std::vector<std::size_t> shrinkable_steps(const scenario::scenario& sc, side plays) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < sc.steps.size(); ++i) {
    const step& s = sc.steps[i];
    if (s.mark) continue;
    if (plays == side::client && std::holds_alternative<scenario::command_step>(s.what)) out.push_back(i);
    if (plays == side::server && std::holds_alternative<scenario::reply_step>(s.what)) out.push_back(i);
  }
  return out;
}

std::string shrinkable_text(const scenario::scenario& sc, std::size_t i) {
  const step& s = sc.steps.at(i);
  if (const auto* c = std::get_if<scenario::command_step>(&s.what)) return c->line;
  if (const auto* r = std::get_if<scenario::reply_step>(&s.what)) return r->lines.empty() ? std::string() : r->lines[0];
  return {};
}

std::optional<scenario::scenario> with_text(const scenario::scenario& sc, std::size_t i,
                                            const std::vector<std::size_t>& keep) {
  const std::string text = shrinkable_text(sc, i);
  std::string kept;
  for (const std::size_t k : keep)
    if (k < text.size()) kept += text[k];
  scenario::scenario out = sc;
  step& s = out.steps.at(i);
  if (auto* c = std::get_if<scenario::command_step>(&s.what))
    c->line = std::move(kept);
  else if (auto* r = std::get_if<scenario::reply_step>(&s.what); r && !r->lines.empty())
    r->lines[0] = std::move(kept);
  else
    return std::nullopt;
  return settle(out);
}

std::optional<scenario::scenario> finding_scenario(scenario::scenario sc, const fuzz_finding& f,
                                                   const finding_origin& o) {
  if (f.oracle == oracle::conformance && sc.probe) {
    sc.steps = conforming(std::move(sc.steps));
    sc.probe.reset();
  }
  const std::string rule = slug(f.rule);
  sc.name = "fuzz-" + std::string(to_string(f.oracle)) + "-" + rule + "-" + std::to_string(o.serial);
  std::string d = "ehlo fuzz finding: oracle " + std::string(to_string(f.oracle)) + ", rule \"" + f.rule + "\"";
  if (!o.state.empty()) d += ", state \"" + o.state + "\"";
  d += ". " + f.detail + ". Found by case " + std::to_string(o.case_number) + " of the campaign with --seed " +
       std::to_string(o.campaign_seed);
  if (!o.parent.empty()) d += ", from " + o.parent;
  if (!o.mutations.empty()) d += " (" + join(o.mutations, ", ") + ")";
  d += "; minimized from " + std::to_string(o.steps_before) + " to " + std::to_string(sc.steps.size()) + " steps.";
  if (f.oracle == oracle::conformance)
    d += " The probe's violating branches are left out: against a server that conforms this passes.";
  d += " Replay: " + (o.replay.empty() ? std::string("ehlo run --target HOST:PORT THIS-FILE") : o.replay);
  sc.description = std::move(d);
  sc.tags.erase(std::remove(sc.tags.begin(), sc.tags.end(), "probe"), sc.tags.end());
  for (const std::string& t : {std::string("fuzz-finding"), std::string(to_string(f.oracle))})
    if (std::find(sc.tags.begin(), sc.tags.end(), t) == sc.tags.end()) sc.tags.push_back(t);
  return settle(sc);
}

}  // namespace ehlo::campaign
