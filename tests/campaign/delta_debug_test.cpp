// Delta debugging as a state machine: it finds what reproduces, within its budget.
#include "campaign/delta_debug.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <set>

namespace cp = ehlo::campaign;

namespace {

/// Runs the debugger over n items with `reproduces`; returns the best set and the tests run.
std::pair<std::vector<std::size_t>, std::size_t> run(
    std::size_t n, const std::function<bool(const std::vector<std::size_t>&)>& reproduces, std::size_t budget = 500) {
  cp::delta_debugger dd(n, budget);
  while (!dd.done()) dd.result(reproduces(dd.candidate()));
  return {dd.best(), dd.tests()};
}

bool holds(const std::vector<std::size_t>& v, std::size_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST_CASE("delta debugging: the items a failure needs, whatever their number and place") {
  SUBCASE("two items of twenty") {
    const auto [best, tests] = run(20, [](const auto& c) { return holds(c, 3) && holds(c, 17); });
    CHECK(best == std::vector<std::size_t>{3, 17});
    CHECK(tests < 60);
  }
  SUBCASE("one item") {
    const auto [best, tests] = run(100, [](const auto& c) { return holds(c, 42); });
    CHECK(best == std::vector<std::size_t>{42});
  }
  SUBCASE("a run of items in order") {
    const auto [best, tests] = run(30, [](const auto& c) { return holds(c, 5) && holds(c, 6) && holds(c, 7); });
    CHECK(best == std::vector<std::size_t>{5, 6, 7});
  }
  SUBCASE("everything is needed: nothing goes") {
    const auto [best, tests] = run(8, [](const auto& c) { return c.size() == 8; });
    CHECK(best.size() == 8);
  }
}

TEST_CASE("delta debugging: the budget ends it with the best set so far; fewer than two items is done") {
  const auto [best, tests] = run(
      1000, [](const auto& c) { return holds(c, 999) && holds(c, 1); }, 10);
  CHECK(tests == 10);
  CHECK(holds(best, 999));
  CHECK(holds(best, 1));
  cp::delta_debugger one(1);
  CHECK(one.done());
  CHECK(one.best() == std::vector<std::size_t>{0});
}

TEST_CASE("delta debugging: candidates keep the items' order; none is tried twice") {
  cp::delta_debugger dd(10);
  std::set<std::vector<std::size_t>> seen;
  while (!dd.done()) {
    const auto c = dd.candidate();
    CHECK(std::is_sorted(c.begin(), c.end()));
    CHECK(c != dd.best());
    CHECK(seen.insert(c).second);
    dd.result(false);
  }
  CHECK(dd.best().size() == 10);
  CHECK(seen.size() == dd.tests());
}
