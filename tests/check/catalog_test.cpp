// check::select(): which probes ehlo check plays, in what order, and what
// a selection names that no probe is.
#include "check/catalog.hpp"

#include <doctest/doctest.h>

#include "support/print_strings.hpp"

namespace ck = ehlo::check;
namespace sc = ehlo::scenario;

namespace {

sc::scenario probe(std::string category, sc::side side = sc::side::server, bool opt_in = false,
                   std::vector<std::string> uses = {}) {
  sc::scenario s;
  s.probe.emplace();
  s.probe->category = std::move(category);
  s.probe->checks = side;
  s.probe->opt_in = opt_in;
  s.probe->client_uses = std::move(uses);
  s.probe->rules = {"5321-4.1.4"};
  s.probe->title = "a title";
  return s;
}

struct catalog {
  std::vector<sc::scenario> scenarios;
  std::vector<std::string> ids;
  std::vector<ck::candidate> candidates() const {
    std::vector<ck::candidate> out;
    for (std::size_t i = 0; i < ids.size(); ++i) out.push_back({ids[i], &scenarios[i]});
    return out;
  }
  std::vector<std::string> played(const ck::plan& p) const {
    std::vector<std::string> out;
    for (const auto i : p.play) out.push_back(ids[i]);
    return out;
  }
};

catalog sample() {
  catalog c;
  c.scenarios = {probe("syntax"),
                 probe("smuggling"),
                 sc::scenario{},
                 probe("auth"),
                 probe("relay", sc::side::server, true),
                 probe("starttls", sc::side::client, false, {"starttls"}),
                 probe("greeting", sc::side::client)};
  c.ids = {"syntax-b", "smuggling-a", "not-a-probe", "auth-a", "relay-percent", "starttls-injection", "greeting-554"};
  return c;
}

}  // namespace

TEST_CASE("catalog: the probes of a side, by category then id; opt-in ones left out unless named") {
  const auto c = sample();
  const auto p = ck::select(c.candidates(), sc::side::server, {});
  CHECK(c.played(p) == std::vector<std::string>{"auth-a", "smuggling-a", "syntax-b"});
  CHECK(p.opt_in_left_out == 1);
  CHECK(p.unmatched.empty());

  ck::selection by_category;
  by_category.categories = {"relay", "auth"};
  CHECK(c.played(ck::select(c.candidates(), sc::side::server, by_category)) ==
        std::vector<std::string>{"auth-a", "relay-percent"});
  ck::selection by_id;
  by_id.probes = {"relay-percent"};
  by_id.skip = {"auth"};
  CHECK(c.played(ck::select(c.candidates(), sc::side::server, by_id)) == std::vector<std::string>{"relay-percent"});
}

TEST_CASE("catalog: --skip by id or category; names that match nothing are listed") {
  const auto c = sample();
  ck::selection sel;
  sel.skip = {"smuggling", "syntax-b", "nothing-here"};
  sel.probes = {"typo"};
  sel.categories = {"auth"};
  const auto p = ck::select(c.candidates(), sc::side::server, sel);
  CHECK(c.played(p) == std::vector<std::string>{"auth-a"});
  CHECK(p.unmatched == std::vector<std::string>{"--probe typo: no probe has this id",
                                                "--skip nothing-here: no probe has this id or category"});
}

TEST_CASE("catalog: a client probe about what the client run does not use does not apply") {
  const auto c = sample();
  auto p = ck::select(c.candidates(), sc::side::client, {});
  CHECK(c.played(p) == std::vector<std::string>{"greeting-554", "starttls-injection"});
  CHECK(p.not_applicable == std::vector<std::string>{"", "the client run does not use starttls (--client-uses)"});
  ck::selection uses;
  uses.client_uses = {"starttls", "auth"};
  p = ck::select(c.candidates(), sc::side::client, uses);
  CHECK(p.not_applicable == std::vector<std::string>{"", ""});
}

TEST_CASE("catalog: --list lines, opt-in marked") {
  const auto c = sample();
  const auto p = ck::select(c.candidates(), sc::side::server, {.probes = {"relay-percent", "auth-a"}});
  CHECK(ck::list_lines(c.candidates(), p.play) ==
        std::vector<std::string>{"id             category  rules       severity  title",
                                 "auth-a         auth      5321-4.1.4  must      a title",
                                 "relay-percent  relay     5321-4.1.4  must*     a title"});
}

TEST_CASE("catalog: a self-test plays the opt-in probes too, unnamed") {
  const auto c = sample();
  ck::selection sel;
  sel.opt_in_too = true;
  auto p = ck::select(c.candidates(), sc::side::server, sel);
  CHECK(c.played(p) == std::vector<std::string>{"auth-a", "relay-percent", "smuggling-a", "syntax-b"});
  CHECK(p.opt_in_left_out == 0);
  sel.skip = {"relay"};
  CHECK(c.played(ck::select(c.candidates(), sc::side::server, sel)) ==
        std::vector<std::string>{"auth-a", "smuggling-a", "syntax-b"});
}
