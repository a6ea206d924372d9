// What a campaign plays: the peer's steps take anything; what it writes loads.
#include "campaign/case_form.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "scenario/scenario_load.hpp"
#include "scenario/scenario_print.hpp"
#include "support/session_driver.hpp"

namespace cp = ehlo::campaign;
namespace sc = ehlo::scenario;
using ehlo::test::scenario_of;

TEST_CASE("campaign form: against a server the replies take any code and nothing else is checked") {
  const auto seed = scenario_of(R"({"version": 1, "name": "s", "outcome": "fail", "findings": ["5321-4.2"], "steps": [
    {"S": "220 mx", "text": "mx"},
    {"C": "EHLO c"},
    {"S": ["250-mx", "250 STARTTLS"], "offers": ["STARTTLS"], "lacks": ["AUTH"], "timeout": "30s"},
    {"C": "QUIT"},
    {"one_of": [[{"S": "221 bye", "code": "221"}], [{"close": "S"}]]}]})");
  std::string why;
  const auto f = cp::campaign_form(seed, sc::side::client, {}, {std::chrono::milliseconds(700)}, why);
  REQUIRE(f);
  const auto& greeting = std::get<sc::reply_step>(f->steps[0].what);
  CHECK(greeting.codes.size() == 1);
  CHECK(greeting.codes[0].matches(199));
  CHECK(greeting.codes[0].matches(554));
  CHECK_FALSE(greeting.text);
  const auto& ehlo = std::get<sc::reply_step>(f->steps[2].what);
  CHECK(ehlo.offers.empty());
  CHECK(ehlo.lacks.empty());
  CHECK_FALSE(f->steps[2].timeout);
  CHECK(f->steps[4] == seed.steps[4]);  // alternatives are a probe's question: left
  CHECK(f->timeout == std::chrono::milliseconds(700));
  CHECK(f->expect == sc::outcome::pass);
  CHECK(f->findings.empty());
  CHECK(cp::settle(*f));
}

TEST_CASE("campaign form: against a client the commands are any; attachments are written inline") {
  const auto dir = std::filesystem::temp_directory_path() / "ehlo-campaign-form-test";
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "a.bin", std::ios::binary) << std::string("x$\xff", 3); }
  const auto loaded = sc::load_scenario(R"({"version": 1, "name": "s", "steps": [
    {"S": "220 mx"}, {"C": "EHLO c"}, {"S": "250 mx"}, {"C": "DATA"}, {"S": "354 go"},
    {"message": {"headers": ["Subject: a"], "body": "b", "attachments": [{"file": "a.bin"}]}},
    {"S": "250 ok"}]})");
  REQUIRE(loaded.ok());
  std::string why;
  const auto f = cp::campaign_form(loaded.sc, sc::side::server, dir, {}, why);
  REQUIRE(f);
  CHECK(std::get<sc::command_step>(f->steps[1].what).match == sc::command_match::any);
  const auto& a = std::get<sc::message_step>(f->steps[5].what).attachments.at(0);
  CHECK(a.file.empty());
  CHECK(a.name == "a.bin");
  CHECK(a.content == "x$$${hex('ff')}");
  CHECK(cp::settle(*f));
  CHECK_FALSE(cp::campaign_form(loaded.sc, sc::side::server, dir / "nowhere", {}, why));
  CHECK(why.find("a.bin") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("settle: what the loader lets pass with an allowance gets it; what it refuses stays refused") {
  auto s = scenario_of(R"({"version": 1, "name": "s", "steps": [{"S": "220 mx"}, {"C": "QUIT"}, {"S": "221 bye"}]})");
  std::get<sc::command_step>(s.steps[1].what).line = "NOOP " + std::string(600, 'x');
  std::get<sc::reply_step>(s.steps[2].what).lines = {"2x1 bye"};
  const auto settled = cp::settle(s);
  REQUIRE(settled);
  CHECK(settled->steps[1].allows(sc::allowance::long_line));
  CHECK(settled->steps[2].allows(sc::allowance::bad_code));
  CHECK(settled->steps[1].pointer == "steps/1");
  std::get<sc::command_step>(s.steps[1].what).line = "NOOP\r\nQUIT";
  std::string why;
  CHECK_FALSE(cp::settle(s, &why));
  CHECK(why.find("steps/1") == 0);
}
