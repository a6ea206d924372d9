// What a finding is written as, and the edits the minimizer tries.
#include "campaign/finding_case.hpp"

#include <doctest/doctest.h>

#include "scenario/scenario_load.hpp"
#include "scenario/scenario_print.hpp"
#include "support/session_driver.hpp"

namespace cp = ehlo::campaign;
namespace sc = ehlo::scenario;
using ehlo::test::scenario_of;

namespace {

sc::scenario plain() {
  return scenario_of(R"({"version": 1, "name": "c", "steps": [
    {"S": "220 mx", "code": "xxx"},
    {"C": "EHLO c"},
    {"S": "250 mx", "code": "xxx"},
    {"C": "RCPT TO:<aaaa@b>"},
    {"S": "250 ok", "code": "xxx"},
    {"C": "QUIT"},
    {"S": "221 bye", "code": "xxx"}]})");
}

}  // namespace

TEST_CASE("finding case: steps kept, cut after a step, a step's bytes shrunk") {
  const auto s = plain();
  const auto kept = cp::keep_steps(s, {0, 3, 4});
  REQUIRE(kept);
  REQUIRE(kept->steps.size() == 3);
  CHECK(kept->steps[2].pointer == "steps/2");
  CHECK_FALSE(cp::keep_steps(s, {}));
  const auto cut = cp::up_to(s, "steps/4");
  REQUIRE(cut);
  CHECK(cut->steps.size() == 5);
  CHECK_FALSE(cp::up_to(s, "steps/9"));
  CHECK(cp::shrinkable_steps(s, sc::side::client) == std::vector<std::size_t>{1, 3, 5});
  CHECK(cp::shrinkable_steps(s, sc::side::server) == std::vector<std::size_t>{0, 2, 4, 6});
  CHECK(cp::shrinkable_text(s, 3) == "RCPT TO:<aaaa@b>");
  const auto shorter = cp::with_text(s, 3, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15});
  REQUIRE(shorter);
  CHECK(std::get<sc::command_step>(shorter->steps[3].what).line == "RCPT TO:<a@b>");
  const auto empty = cp::with_text(s, 3, {});  // an empty line: a command a server answers 500
  REQUIRE(empty);
  CHECK(std::get<sc::command_step>(empty->steps[3].what).line.empty());
}

TEST_CASE("finding case: the minimizer's units keep the greeting and each reply after its command") {
  const auto s = plain();
  const auto u = cp::units_of(s, sc::side::client);
  CHECK(u.fixed == 1);
  CHECK(u.of == std::vector<std::pair<std::size_t, std::size_t>>{{1, 3}, {3, 5}, {5, 7}});
  const auto kept = cp::keep_units(s, u, {1});
  REQUIRE(kept);
  REQUIRE(kept->steps.size() == 3);
  CHECK(std::get<sc::command_step>(kept->steps[1].what).line == "RCPT TO:<aaaa@b>");
  const auto server = cp::units_of(s, sc::side::server);
  CHECK(server.fixed == 0);
  CHECK(server.of.size() == 4);
}

TEST_CASE("finding case: the file names its oracle, rule, state and seed, and loads") {
  cp::finding_origin o;
  o.campaign_seed = 42;
  o.case_number = 812;
  o.parent = "seed servers/bdat-one-chunk.json";
  o.mutations = {"length 64 steps/5 (local part)"};
  o.state = "RCPT 250 2.1.5";
  o.steps_before = 17;
  o.replay = "ehlo run --target 127.0.0.1:2525 THIS-FILE";
  o.serial = 3;
  const auto f = cp::finding_scenario(plain(), {cp::oracle::crash, "exit 24", "the server exited", "steps/4"}, o);
  REQUIRE(f);
  CHECK(f->name == "fuzz-crash-exit-24-3");
  CHECK(f->tags == std::vector<std::string>{"fuzz-finding", "crash"});
  CHECK(f->description ==
        "ehlo fuzz finding: oracle crash, rule \"exit 24\", state \"RCPT 250 2.1.5\". the server exited. Found by case "
        "812 of the campaign with --seed 42, from seed servers/bdat-one-chunk.json (length 64 steps/5 (local part)); "
        "minimized from 17 to 7 steps. Replay: ehlo run --target 127.0.0.1:2525 THIS-FILE");
  CHECK(sc::load_scenario(sc::to_json(*f)).ok());
  CHECK(cp::slug("AddressSanitizer: heap-buffer-overflow") == "addresssanitizer-heap-buffer-overflow");
  CHECK(cp::slug("5321-4.3.2") == "5321-4-3-2");
  CHECK(cp::slug("!!") == "x");
}

TEST_CASE("finding case: a conformance finding keeps the conforming branches only, as a plain scenario") {
  const auto probe = scenario_of(R"({"version": 1, "name": "p", "tags": ["probe"],
    "probe": {"title": "t", "category": "smuggling", "rules": ["5321-4.1.1.4"], "severity": "must", "checks": "server"},
    "steps": [
      {"S": "220 mx"},
      {"C": "DATA"},
      {"S": "354 go"},
      {"C": "a\n.\n", "raw": true},
      {"one_of": [[{"silent": "S", "for": "1s", "verdict": "conforms"}, {"C": "\r\n.\r\n", "raw": true}, {"S": "250 ok"}],
                  [{"S": "250 ok", "verdict": {"is": "violates", "why": "took it"}}]]},
      {"C": "QUIT"},
      {"S": "221 bye"}]})");
  const auto f = cp::finding_scenario(probe, {cp::oracle::conformance, "5321-4.1.1.4", "violates", "steps/4"}, {});
  REQUIRE(f);
  CHECK_FALSE(f->probe);
  CHECK(f->tags == std::vector<std::string>{"fuzz-finding", "conformance"});
  REQUIRE(f->steps.size() == 9);
  CHECK(std::holds_alternative<sc::silent_step>(f->steps[4].what));
  CHECK_FALSE(f->steps[4].mark);
  CHECK(std::get<sc::command_step>(f->steps[5].what).line == "\r\n.\r\n");
}
