#include "check/catalog.hpp"

#include <algorithm>

#include "check/probe_verdict.hpp"

namespace ehlo::check {

namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

/// Pads to `width` columns, counting UTF-8 characters ("§" is one).
std::string pad(const std::string& s, std::size_t width) {
  std::size_t columns = 0;
  for (const char c : s) columns += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return columns < width ? s + std::string(width - columns, ' ') : s;
}

std::string joined(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

}  // namespace

plan select(const std::vector<candidate>& all, scenario::side side, const selection& sel) {
  plan p;
  std::vector<bool> named_probe(sel.probes.size()), named_category(sel.categories.size()), named_skip(sel.skip.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const auto& sc = *all[i].sc;
    if (!sc.probe || sc.probe->checks != side) continue;
    const auto& probe = *sc.probe;
    const auto mark = [&](const std::vector<std::string>& names, std::vector<bool>& seen, const std::string& s) {
      for (std::size_t k = 0; k < names.size(); ++k)
        if (names[k] == s) seen[k] = true;
    };
    mark(sel.probes, named_probe, all[i].id);
    mark(sel.categories, named_category, probe.category);
    mark(sel.skip, named_skip, all[i].id);
    mark(sel.skip, named_skip, probe.category);
    const bool by_probe = contains(sel.probes, all[i].id);
    const bool by_category = contains(sel.categories, probe.category);
    if (contains(sel.skip, all[i].id) || contains(sel.skip, probe.category)) continue;
    if (!sel.probes.empty() || !sel.categories.empty()) {
      if (!by_probe && !by_category) continue;
    } else if (probe.opt_in && !sel.opt_in_too) {
      ++p.opt_in_left_out;
      continue;
    }
    p.play.push_back(i);
  }
  std::stable_sort(p.play.begin(), p.play.end(), [&](std::size_t a, std::size_t b) {
    const auto& pa = *all[a].sc->probe;
    const auto& pb = *all[b].sc->probe;
    return pa.category != pb.category ? pa.category < pb.category : all[a].id < all[b].id;
  });
  for (const std::size_t i : p.play) {
    std::string why;
    for (const auto& use : all[i].sc->probe->client_uses)
      if (!contains(sel.client_uses, use)) why += (why.empty() ? "" : ", ") + use;
    p.not_applicable.push_back(why.empty() ? std::string() : "the client run does not use " + why + " (--client-uses)");
  }
  const auto unmatched = [&](const char* option, const std::vector<std::string>& names, const std::vector<bool>& seen,
                             const char* what) {
    for (std::size_t k = 0; k < names.size(); ++k)
      if (!seen[k]) p.unmatched.push_back(std::string(option) + " " + names[k] + ": no " + what);
  };
  unmatched("--probe", sel.probes, named_probe, "probe has this id");
  unmatched("--category", sel.categories, named_category, "probe is in this category");
  unmatched("--skip", sel.skip, named_skip, "probe has this id or category");
  return p;
}

std::vector<std::string> list_lines(const std::vector<candidate>& all, const std::vector<std::size_t>& which) {
  std::size_t id_w = 2, cat_w = 8, rules_w = 5;
  for (const std::size_t i : which) {
    id_w = std::max(id_w, all[i].id.size());
    cat_w = std::max(cat_w, all[i].sc->probe->category.size());
    rules_w = std::max(rules_w, joined(all[i].sc->probe->rules, ",").size());
  }
  std::vector<std::string> out;
  out.push_back(pad("id", id_w) + "  " + pad("category", cat_w) + "  " + pad("rules", rules_w) + "  " +
                pad("severity", 8) + "  title");
  for (const std::size_t i : which) {
    const auto& p = *all[i].sc->probe;
    out.push_back(pad(all[i].id, id_w) + "  " + pad(p.category, cat_w) + "  " + pad(joined(p.rules, ","), rules_w) +
                  "  " + pad(std::string(to_string(p.level)) + (p.opt_in ? "*" : ""), 8) + "  " + p.title);
  }
  return out;
}

}  // namespace ehlo::check
