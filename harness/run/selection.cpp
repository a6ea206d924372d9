#include "run/selection.hpp"

#include <algorithm>

namespace ehlo::run {

namespace {

bool has_tag(const scenario::scenario& sc, const std::string& tag) {
  return std::find(sc.tags.begin(), sc.tags.end(), tag) != sc.tags.end();
}

bool captures(const std::vector<scenario::step>& steps, const std::string& name) {
  return std::any_of(steps.begin(), steps.end(), [&](const scenario::step& s) {
    if (const auto* r = std::get_if<scenario::reply_step>(&s.what))
      return std::any_of(r->captures.begin(), r->captures.end(),
                         [&](const scenario::capture& c) { return c.var == name; });
    if (const auto* o = std::get_if<scenario::one_of_step>(&s.what))
      return std::any_of(o->branches.begin(), o->branches.end(),
                         [&](const std::vector<scenario::step>& b) { return captures(b, name); });
    return false;
  });
}

/// The tags of `wanted` (deduplicated, sorted) that no input has.
std::vector<std::string> missing_tags(const std::vector<input>& inputs, std::vector<std::string> wanted) {
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::erase_if(wanted, [&](const std::string& tag) {
    return std::any_of(inputs.begin(), inputs.end(), [&](const input& in) { return has_tag(in.sc, tag); });
  });
  return wanted;
}

}  // namespace

std::string skip_reason(const scenario::scenario& sc, const std::vector<std::string>& tags,
                        const std::vector<std::string>& skip_tags) {
  for (const auto& t : skip_tags)
    if (has_tag(sc, t)) return "tagged " + t + " (--skip-tag)";
  if (tags.empty() || std::any_of(tags.begin(), tags.end(), [&](const std::string& t) { return has_tag(sc, t); }))
    return {};
  std::string why = "not tagged ";
  for (std::size_t i = 0; i < tags.size(); ++i) why += (i == 0 ? "" : " or ") + tags[i];
  return why;
}

bool names_variable(const scenario::scenario& sc, const std::string& name) {
  return std::any_of(sc.vars.begin(), sc.vars.end(), [&](const scenario::variable& v) { return v.name == name; }) ||
         std::find(sc.secrets.begin(), sc.secrets.end(), name) != sc.secrets.end() || captures(sc.steps, name);
}

std::vector<std::string> unmatched_options(const std::vector<input>& inputs, const scenario::variables& vars,
                                           const std::vector<std::string>& tags,
                                           const std::vector<std::string>& skip_tags) {
  std::vector<std::string> out;
  for (const auto& [name, value] : vars)  // a std::map: sorted
    if (std::none_of(inputs.begin(), inputs.end(), [&](const input& in) { return names_variable(in.sc, name); }))
      out.push_back("--var " + name + ": no scenario uses this variable");
  for (const auto& t : missing_tags(inputs, tags)) out.push_back("--tag " + t + ": no scenario has this tag");
  for (const auto& t : missing_tags(inputs, skip_tags)) out.push_back("--skip-tag " + t + ": no scenario has this tag");
  return out;
}

}  // namespace ehlo::run
