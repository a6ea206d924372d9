// What each case of a campaign plays: deterministic from the seed and the case number.
#include "campaign/corpus.hpp"

#include <doctest/doctest.h>

#include "campaign/mutator.hpp"
#include "support/session_driver.hpp"

namespace cp = ehlo::campaign;
namespace sc = ehlo::scenario;

namespace {

/// An entry whose sweep has `slots` slots (each tried at every interesting length).
cp::corpus_entry entry(const std::string& name, std::uint64_t added_by, std::size_t slots = 0) {
  auto s = std::make_shared<sc::scenario>(ehlo::test::scenario_of(
      R"({"version": 1, "name": ")" + name + R"(", "steps": [{"S": "220 hi"}, {"C": "QUIT"}, {"S": "221 bye"}]})"));
  std::vector<std::size_t> sweep;
  for (std::size_t i = 0; i < slots; ++i) sweep.push_back(i * 2);  // the slots a campaign left it
  return {s, name, added_by, sweep, 0};
}

}  // namespace

TEST_CASE("corpus: a plan is the same for the same seed and case, whatever came before it") {
  cp::corpus a, b;
  for (auto* c : {&a, &b}) {
    c->add(entry("s1", 0));
    c->add(entry("s2", 0));
    c->add(entry("n1", 3));
  }
  const auto pa = a.plan(11, 42, 1), pb = b.plan(11, 42, 1);
  REQUIRE(pa);
  REQUIRE(pb);
  CHECK(pa->parent_origin == pb->parent_origin);
  CHECK(pa->seed == pb->seed);
  CHECK(a.plan(13, 42, 1)->seed != pa->seed);
  CHECK(a.plan(11, 43, 1)->seed != pa->seed);
  CHECK_FALSE(cp::corpus{}.plan(1, 42, 1));
}

TEST_CASE("corpus: with --jobs N, case k sees the entries of cases up to k - N only") {
  cp::corpus c;
  c.add(entry("late", 10));
  CHECK_FALSE(c.plan(11, 1, 4));  // case 10 may still run when case 11 starts with 4 at once
  CHECK_FALSE(c.plan(13, 1, 4));
  CHECK(c.plan(14, 1, 4));
  CHECK(c.plan(11, 1, 1));
}

TEST_CASE("corpus: every other case sweeps, in order, until each sweep is done") {
  cp::corpus c;
  c.add(entry("s1", 0, 2));
  c.add(entry("s2", 0, 1));
  const std::size_t lengths = cp::mutator::interesting_lengths().size();
  std::vector<std::string> swept;
  for (std::uint64_t k = 1; k <= 6 * lengths + 4; ++k) {
    const auto p = c.plan(k, 7, 1);
    REQUIRE(p);
    if (k % 2 == 1) CHECK_FALSE(p->sweep);
    if (p->sweep && p->sweep->second == 1) swept.push_back(p->parent_origin + ":" + std::to_string(p->sweep->first));
  }
  CHECK(swept == std::vector<std::string>{"s1:0", "s1:2", "s2:0"});
}

TEST_CASE("corpus: bounded: past its limit the oldest entry that is not a seed goes") {
  cp::corpus c(3);
  c.add(entry("seed", 0));
  c.add(entry("n1", 1));
  c.add(entry("n2", 2));
  c.add(entry("n3", 3));
  REQUIRE(c.size() == 3);
  CHECK(c[0].origin == "seed");
  CHECK(c[1].origin == "n2");
  CHECK(c[2].origin == "n3");
  CHECK(c.evicted() == 1);
}
