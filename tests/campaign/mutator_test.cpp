// The mutator over the repository's scenarios: deterministic from its seed,
// every mutant a scenario that loads, only the side ehlo sends changed, a
// probe's question kept, and the mutants play to an end.
#include "campaign/mutator.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "campaign/case_form.hpp"
#include "scenario/scenario_load.hpp"
#include "scenario/scenario_print.hpp"
#include "support/session_driver.hpp"

namespace cp = ehlo::campaign;
namespace sc = ehlo::scenario;
namespace fs = std::filesystem;
using ehlo::test::scenario_of;

namespace {

/// The scenarios of a folder of the repository, in campaign form for `plays`.
std::vector<sc::scenario> seeds(const std::string& folder, sc::side plays) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(EHLO_SOURCE_DIR) / folder))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::vector<sc::scenario> out;
  for (const auto& f : files) {
    auto loaded = sc::load_scenario_file(f);
    REQUIRE_MESSAGE(loaded.ok(), f.string());
    std::string why;
    auto form = cp::campaign_form(std::move(loaded.sc), plays, f.parent_path(), {}, why);
    REQUIRE_MESSAGE(form, why);
    auto settled = cp::settle(*form, &why);
    REQUIRE_MESSAGE(settled, std::string(f.string() + ": " + why));
    out.push_back(std::move(*settled));
  }
  return out;
}

bool any_code(const sc::step& s) {
  const auto* r = std::get_if<sc::reply_step>(&s.what);
  sc::code_pattern two;
  sc::parse_code_pattern("2xx", two);
  return r != nullptr && r->codes.size() == 1 && (r->codes[0] == sc::code_pattern{} || r->codes[0] == two);
}

}  // namespace

TEST_CASE("mutator: the same parent and seed give the same mutant; other seeds others") {
  const auto all = seeds("scenarios/servers", sc::side::client);
  const cp::mutator m(cp::smtp_dictionary(), sc::side::client);
  std::set<std::string> distinct;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const auto a = m.havoc(all[seed % all.size()], seed, &all[(seed * 7) % all.size()]);
    const auto b = m.havoc(all[seed % all.size()], seed, &all[(seed * 7) % all.size()]);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(sc::to_json(a->sc) == sc::to_json(b->sc));
    CHECK(a->how == b->how);
    CHECK_FALSE(a->how.empty());
    distinct.insert(sc::to_json(a->sc));
  }
  CHECK(distinct.size() >= 38);
}

TEST_CASE("mutator: against a server, every mutant loads and only the client's steps change") {
  const auto all = seeds("scenarios/servers", sc::side::client);
  const cp::mutator m(cp::smtp_dictionary(), sc::side::client);
  std::map<std::string, int> ops;
  std::size_t made = 0, tried = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::uint64_t seed = 0; seed < 25; ++seed) {
      ++tried;
      const auto mu = m.havoc(all[i], seed * 1000 + i, &all[(i + seed) % all.size()]);
      if (!mu) continue;
      ++made;
      for (const auto& h : mu->how) ++ops[h.substr(0, h.find(' '))];
      // What ehlo played is what the file says: printed and read back, the same.
      const auto again = sc::load_scenario(sc::to_json(mu->sc));
      REQUIRE_MESSAGE(again.ok(), sc::to_json(mu->sc));
      CHECK(again.sc == mu->sc);
      // The server's steps: as in the campaign form (any code), or inserted as such.
      // (STARTTLS's before a TLS start: any 2xx, wherever a mutation took it.)
      for (const auto& s : mu->sc.steps)
        if (std::holds_alternative<sc::reply_step>(s.what)) CHECK_MESSAGE(any_code(s), sc::to_json(mu->sc));
    }
  }
  CHECK(made * 100 >= tried * 95);
  // Every kind of mutation happened.
  for (const char* op : {"insert",   "delete", "duplicate", "swap",    "verb", "parameter", "path",
                         "length",   "bytes",  "encoding",  "case",    "line", "split",     "pipeline",
                         "starttls", "auth",   "message",   "smuggle", "bdat", "fault",     "splice"})
    CHECK_MESSAGE(ops[op] > 0, op);
}

TEST_CASE("mutator: a probe's question keeps its bytes: only how they are split changes") {
  const auto probe = seeds("scenarios/examples", sc::side::client);
  const auto it = std::find_if(probe.begin(), probe.end(), [](const sc::scenario& s) { return s.probe.has_value(); });
  REQUIRE(it != probe.end());
  const cp::mutator m(cp::smtp_dictionary(), sc::side::client);
  const auto first_guarded = [](const sc::scenario& s) {
    for (std::size_t i = 0; i < s.steps.size(); ++i) {
      const auto* c = std::get_if<sc::command_step>(&s.steps[i].what);
      if ((c && c->raw) || std::holds_alternative<sc::one_of_step>(s.steps[i].what)) return i;
    }
    return s.steps.size();
  };
  const std::size_t g = first_guarded(*it);
  REQUIRE(g < it->steps.size());
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const auto mu = m.havoc(*it, seed);
    if (!mu) continue;
    REQUIRE(mu->sc.probe);
    // The question is the scenario's last steps: nothing goes after it.
    REQUIRE(mu->sc.steps.size() >= it->steps.size() - g);
    const std::size_t mg = mu->sc.steps.size() - (it->steps.size() - g);
    for (std::size_t k = 0; k < it->steps.size() - g; ++k) {
      auto a = mu->sc.steps[mg + k], b = it->steps[g + k];
      a.fault.how = b.fault.how = sc::fault_plan::split::whole;
      a.fault.chunks.clear();
      b.fault.chunks.clear();
      CHECK(a == b);
    }
  }
}

TEST_CASE("mutator: the sweep sets each argument to each interesting length, one at a time") {
  const auto s = scenario_of(R"({"version": 1, "name": "s", "vars": {"rcpt": "bob@example.com"}, "steps": [
    {"S": "220 mx", "code": "xxx"},
    {"C": "RCPT TO:<${rcpt}> NOTIFY=NEVER"},
    {"S": "250 ok", "code": "xxx"}]})");
  const cp::mutator m(cp::smtp_dictionary(), sc::side::client);
  const std::size_t lengths = cp::mutator::interesting_lengths().size();
  const auto slots = m.sweep_slots(s);
  REQUIRE(slots.size() == 3);  // the local part, the domain, the value
  CHECK(slots[0] ==
        "RCPT TO:<bob@example.com> NOTIFY=NEVER\x1flocal part\x1f"
        "9");
  std::set<std::string> lines;
  for (std::size_t slot = 0; slot < slots.size(); ++slot) {
    for (std::size_t i = 0; i < lengths; ++i) {
      const auto mu = m.sweep(s, slot, i);
      REQUIRE(mu);
      lines.insert(std::get<sc::command_step>(mu->sc.steps[1].what).line);
    }
  }
  CHECK(lines.size() == 3 * lengths);
  CHECK(lines.contains("RCPT TO:<" + std::string(64, 'a') + "@example.com> NOTIFY=NEVER"));
  CHECK(lines.contains("RCPT TO:<bob@" + std::string(255, 'a') + "> NOTIFY=NEVER"));
  CHECK(lines.contains("RCPT TO:<bob@example.com> NOTIFY=" + std::string(513, 'A')));
  CHECK(lines.contains("RCPT TO:<@example.com> NOTIFY=NEVER"));
  CHECK_FALSE(m.sweep(s, 3, 0));
  CHECK_FALSE(m.sweep(s, 0, lengths));
  // A BDAT chunk's size is swept too, 0 first.
  const auto bdat = scenario_of(R"({"version": 1, "name": "s", "steps": [
    {"S": "220 mx", "code": "xxx"}, {"bdat": "abc"}, {"S": "250 ok", "code": "xxx"}]})");
  REQUIRE(m.sweep_slots(bdat).size() == 1);
  const auto empty = m.sweep(bdat, 0, 0);
  REQUIRE(empty);
  CHECK(std::get<sc::bdat_step>(empty->sc.steps[1].what).chunk.empty());
  CHECK(std::get<sc::bdat_step>(m.sweep(bdat, 0, 3)->sc.steps[1].what).chunk == std::string(64, 'x'));
}

TEST_CASE("mutator: against a client, only the replies change, and every mutant loads") {
  const auto all = seeds("scenarios/clients", sc::side::server);
  const cp::mutator m(cp::smtp_dictionary(), sc::side::server);
  std::size_t made = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      const auto mu = m.havoc(all[i], seed * 100 + i);
      if (!mu) continue;
      ++made;
      REQUIRE(sc::load_scenario(sc::to_json(mu->sc)).ok());
      for (const auto& s : mu->sc.steps)
        if (const auto* c = std::get_if<sc::command_step>(&s.what); c && !c->raw)
          CHECK(c->match == sc::command_match::any);
    }
  }
  CHECK(made * 10 >= all.size() * 10 * 9);
}

TEST_CASE("mutator: mutants play to an end against ehlo's own server role") {
  const auto all = seeds("scenarios/servers", sc::side::client);
  const cp::mutator m(cp::smtp_dictionary(), sc::side::client);
  for (std::size_t i = 0; i < all.size(); i += 3) {
    const auto mu = m.havoc(all[i], i + 1);
    REQUIRE(mu);
    auto settings = ehlo::test::fixed_settings();
    settings.vars = {{"password", "wonderland"}, {"user", "alice"}};
    ehlo::session::client_session client(mu->sc, settings);
    ehlo::session::server_session server(all[i], settings);
    ehlo::test::drive_pair(client, server);
    CHECK(client.current() == ehlo::session::state::done);
  }
}
