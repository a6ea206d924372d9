#include "proto/finding.hpp"

#include <doctest/doctest.h>

#include <sstream>

#include "proto/rules.hpp"

using namespace ehlo::proto;

TEST_CASE("finding_log keeps at most its capacity and counts the rest") {
  finding_log log(2);
  CHECK(log.empty());
  log.add(rules::reply_code, "first", 0);
  log.add(rules::reply_code, "second", 5);
  log.add(rules::multiline_reply, "third", 9);
  REQUIRE(log.items().size() == 2);
  CHECK(log.items()[1].offset == 5);
  CHECK(log.dropped() == 1);
  CHECK_FALSE(log.empty());
  log.clear();
  CHECK(log.empty());
}

TEST_CASE("a finding prints its rule id, offset and text") {
  std::ostringstream os;
  os << finding{&rules::multiline_reply, "mixed codes", 42};
  CHECK(os.str() == "[5321-4.2.1] @42: mixed codes");
}

TEST_CASE("every rule can be found by its id, and ids are unique") {
  for (const rule* r : all_rules()) {
    CAPTURE(r->id);
    CHECK(find_rule(r->id) == r);
    CHECK_FALSE(r->section.empty());
  }
  CHECK(find_rule("no-such-rule") == nullptr);
}
