#include "scenario/scenario_keys.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "scenario/json.hpp"

namespace keys = ehlo::scenario::keys;
namespace json = ehlo::scenario::json;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in, "cannot read " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::set<std::string> lines_of(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.insert(line);
  return out;
}

}  // namespace

TEST_CASE("keys: scenarios/README.md has a row for every key, with the table's value and description") {
  const auto readme = lines_of(read(EHLO_SOURCE_DIR "/scenarios/README.md"));
  for (const auto& k : keys::table) {
    const std::string row = "| `" + std::string(k.name) + "` | " + std::string(k.value) + " | " +
                            (k.need == keys::need::required ? "**required**: " : "") + std::string(k.description) +
                            " |";
    INFO("the row the README needs for " << k.ident << ":\n" << row);
    CHECK(readme.contains(row));
  }
  for (const auto& a : keys::allowances) {
    const std::string row = "| `" + std::string(a.name) + "` | " + std::string(a.description) + " |";
    INFO("the row the README needs for the allowance:\n" << row);
    CHECK(readme.contains(row));
  }
}

TEST_CASE("keys: the table is consistent") {
  std::set<std::string_view> idents, defs;
  for (const auto& p : keys::places) defs.insert(p.def);
  for (const auto& t : keys::types) defs.insert(t.def);
  for (std::size_t i = 0; i < std::size(keys::table); ++i) {
    const auto& k = keys::table[i];
    INFO(k.ident);
    CHECK(static_cast<std::size_t>(k.id) == i);
    CHECK(idents.insert(k.ident).second);
    CHECK(k.where != 0);
    CHECK(!k.description.empty());
    CHECK(k.description.find('\n') == std::string_view::npos);
    CHECK(!k.value.empty());
    // Both go into a row of a Markdown table.
    CHECK(k.description.find('|') == std::string_view::npos);
    CHECK(k.value.find('|') == std::string_view::npos);
    // No two keys of one object share a name, or the loader could not tell them apart.
    for (std::size_t j = 0; j < i; ++j)
      CHECK_MESSAGE((keys::table[j].name != k.name || (keys::table[j].where & k.where) == 0), "also ",
                    keys::table[j].ident);
    // A key of several objects is a $def of its own, named by its id.
    if (std::popcount(k.where) > 1) CHECK(!defs.contains(k.ident));
    // Every object a key goes in is described.
    for (std::uint32_t bit = 1; bit != 0; bit <<= 1)
      if ((k.where & bit) != 0)
        CHECK(std::any_of(std::begin(keys::places), std::end(keys::places),
                          [&](const keys::place& p) { return p.bit == bit; }));
  }
  // Each kind of step has its kind key, named as the kind, and place_of agrees.
  for (std::uint32_t bit = keys::at::S; bit <= keys::at::silent; bit <<= 1) {
    int kinds = 0;
    for (const auto& k : keys::table)
      if (k.need == keys::need::kind && (k.where & keys::at::every_step) == bit) ++kinds;
    CHECK(kinds == 1);
  }
  CHECK(keys::place_of(ehlo::scenario::reply_step{}) == keys::at::S);
  CHECK(keys::place_of(ehlo::scenario::silent_step{}) == keys::at::silent);
  CHECK(keys::step_kind("silent") == &keys::of(keys::id::silent));
  CHECK(keys::step_kind("raw") == nullptr);
  CHECK(keys::find("raw", keys::at::C) == &keys::of(keys::id::command_raw));
  CHECK(keys::find("raw", keys::at::pipelined) == &keys::of(keys::id::command_raw));
  CHECK(keys::find("raw", keys::at::message) == nullptr);
  CHECK(keys::find("verdict", keys::at::close) == &keys::of(keys::id::step_verdict));
  CHECK(keys::find("verdict", keys::at::one_of) == nullptr);
  // The allowances follow the order of their bits.
  for (std::size_t i = 0; i < std::size(keys::allowances); ++i)
    CHECK(static_cast<unsigned>(keys::allowances[i].bit) == 1u << i);
}

TEST_CASE("keys: the JSON Schema is JSON, and its file and step objects take exactly the table's keys") {
  const std::string schema = keys::json_schema();
  json::parse_error err;
  const auto doc = json::parse(schema, err);
  REQUIRE_MESSAGE(doc, err.pos.line << ":" << err.pos.column << ": " << err.what);
  const auto names = [](const json::value* object) {
    std::set<std::string> out;
    if (object != nullptr)
      for (const auto& m : object->members) out.insert(m.key);
    return out;
  };
  const auto table_names = [](std::uint32_t place) {
    std::set<std::string> out;
    for (const auto& k : keys::table)
      if (k.at(place)) out.emplace(k.name);
    return out;
  };
  CHECK(names(doc->find("properties")) == table_names(keys::at::file));
  const json::value* defs = doc->find("$defs");
  REQUIRE(defs != nullptr);
  for (const auto& p : keys::places) {
    if (p.bit == keys::at::file) continue;
    INFO(p.def);
    const json::value* def = defs->find(p.def);
    REQUIRE(def != nullptr);
    CHECK(names(def->find("properties")) == table_names(p.bit));
  }
}
