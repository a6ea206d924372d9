// The JSON Schema of the format, made from the table of keys: `ehlo schema`
// prints it and scenarios/scenario.schema.json is its output, committed for
// editors (a test keeps the two equal). Each key's schema is written in its
// entry of scenario_keys.def; this file lays the entries out as objects.
#include <bit>
#include <memory>
#include <variant>
#include <vector>

#include "proto/rules.hpp"
#include "scenario/json.hpp"
#include "scenario/scenario_keys.hpp"

namespace ehlo::scenario::keys {

namespace {

std::string quoted(std::string_view s) {
  std::string q;
  json::append_quoted(q, s);
  return q;
}

template <typename List>
std::string quoted_list(const List& words) {
  std::string out = "[";
  for (const auto& w : words) out += (out.size() > 1 ? ", " : "") + quoted(w);
  return out + "]";
}

/// A JSON object laid out a member per line: a member is a line of JSON
/// ("\"type\": \"string\""), an array of lines, or an object of its own.
struct node {
  struct array {
    std::string name;
    std::vector<std::string> items;  ///< a line each
  };
  std::string name;
  std::vector<std::variant<std::string, array, node>> members;

  node& object(std::string n) { return std::get<node>(members.emplace_back(node{std::move(n), {}})); }
  void line(std::string text) {
    if (!text.empty()) members.emplace_back(std::move(text));
  }
  void description(std::string_view d) {
    if (!d.empty()) line("\"description\": " + quoted(d));
  }

  void write(std::string& out, const std::string& indent) const {
    out += (name.empty() ? "" : quoted(name) + ": ") + "{\n";
    const std::string inner = indent + "  ";
    for (std::size_t i = 0; i < members.size(); ++i) {
      out += inner;
      if (const auto* text = std::get_if<std::string>(&members[i])) {
        out += *text;
      } else if (const auto* a = std::get_if<array>(&members[i])) {
        out += quoted(a->name) + ": [\n";
        for (std::size_t j = 0; j < a->items.size(); ++j)
          out += inner + "  " + a->items[j] + (j + 1 < a->items.size() ? ",\n" : "\n");
        out += inner + "]";
      } else {
        std::get<node>(members[i]).write(out, inner);
      }
      out += i + 1 < members.size() ? ",\n" : "\n";
    }
    out += indent + "}";
  }
};

/// A key written in several objects is a $def of its own, which they refer to.
bool shared(const key& k) { return std::popcount(k.where) > 1; }

void key_schema(node& n, const key& k) {
  n.description(k.description);
  n.line(std::string(k.schema));
}

/// The members of an object whose keys are at `place`.
void object_of(node& n, std::uint32_t place, std::string_view extra) {
  n.line("\"type\": \"object\"");
  n.line("\"additionalProperties\": false");
  std::vector<std::string_view> required;
  for (const auto& k : table)
    if (k.at(place) && k.need != need::optional) required.push_back(k.name);
  if (!required.empty()) n.line("\"required\": " + quoted_list(required));
  node& props = n.object("properties");
  for (const auto& k : table) {
    if (!k.at(place)) continue;
    if (shared(k))
      props.line(quoted(k.name) + ": {\"$ref\": \"#/$defs/" + std::string(k.ident) + "\"}");
    else
      key_schema(props.object(std::string(k.name)), k);
  }
  n.line(std::string(extra));
}

}  // namespace

std::string json_schema() {
  node root;
  root.line(R"("$schema": "https://json-schema.org/draft/2020-12/schema")");
  root.line(R"("$id": "https://ehlo.invalid/scenario.schema.json")");
  root.line(R"("title": "ehlo scenario")");
  const place* file = nullptr;
  for (const auto& p : places)
    if (p.bit == at::file) file = &p;
  root.description(file->description);
  object_of(root, at::file, file->extra);
  node& defs = root.object("$defs");

  for (const auto& t : types) {
    node& n = defs.object(std::string(t.def));
    n.description(t.description);
    n.line(std::string(t.schema));
  }
  {
    node& n = defs.object("verdict_word");
    n.description("What a probe concludes about the peer it checks.");
    n.line("\"enum\": " + quoted_list(verdict_words));
  }
  {
    node& n = defs.object("severity");
    n.description("How much a violation weighs: a MUST of the RFC, a SHOULD, lenient acceptance, a pedantic point.");
    n.line("\"enum\": " + quoted_list(severity_words));
  }
  {
    node& n = defs.object("rule_id");
    n.description("The id of a rule findings and verdicts name (`ehlo rules`).");
    std::vector<std::string_view> ids;
    for (const auto* r : proto::all_rules()) ids.push_back(r->id);
    n.line("\"enum\": " + quoted_list(ids));
  }
  {
    node& n = defs.object("allowance");
    n.description("A static check this step breaks on purpose.");
    node::array a{"oneOf", {}};
    for (const auto& al : allowances)
      a.items.push_back("{\"const\": " + quoted(al.name) + ", \"description\": " + quoted(al.description) + "}");
    n.members.emplace_back(std::move(a));
  }
  {
    node& n = defs.object("step");
    std::vector<std::string_view> kinds;
    for (const auto& k : table)
      if (k.at(at::every_step) && k.need == need::kind) kinds.push_back(k.name);
    std::string d = "A step: an object with exactly one of the keys ";
    for (std::size_t i = 0; i < kinds.size(); ++i)
      d += std::string(i == 0 ? "" : i + 1 == kinds.size() ? " or " : ", ") + std::string(kinds[i]);
    n.description(d + ", and the keys that go with it.");
    n.line("\"type\": \"object\"");
    node::array one{"oneOf", {}}, all{"allOf", {}};
    for (const auto& k : table) {
      if (!k.at(at::every_step) || k.need != need::kind) continue;
      const std::uint32_t bit = k.where & at::every_step;
      std::string_view def;
      for (const auto& p : places)
        if (p.bit == bit) def = p.def;
      one.items.push_back("{\"required\": [" + quoted(k.name) + "]}");
      all.items.push_back("{\"if\": {\"required\": [" + quoted(k.name) + "]}, \"then\": {\"$ref\": \"#/$defs/" +
                          std::string(def) + "\"}}");
    }
    n.members.emplace_back(std::move(one));
    n.members.emplace_back(std::move(all));
  }
  for (const auto& k : table)
    if (shared(k)) key_schema(defs.object(std::string(k.ident)), k);
  for (const auto& p : places) {
    if (p.bit == at::file) continue;
    node& n = defs.object(std::string(p.def));
    n.description(p.description);
    object_of(n, p.bit, p.extra);
  }

  std::string out;
  root.write(out, "");
  return out + "\n";
}

}  // namespace ehlo::scenario::keys
