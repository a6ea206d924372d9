// Which inputs `ehlo run` plays under --tag/--skip-tag, why the others are
// skipped, and the options no input matches (most often typos).
#include "run/selection.hpp"

#include <doctest/doctest.h>

#include "support/session_driver.hpp"

namespace run = ehlo::run;
using ehlo::test::scenario_of;

namespace {

run::input input_of(std::string_view json) { return {"x.json", "x", scenario_of(json)}; }

}  // namespace

TEST_CASE("selection: why a scenario is skipped") {
  const auto sc =
      scenario_of(R"json({"version": 1, "name": "t", "tags": ["tls", "slow"], "steps": [{"S": "220 x"}]})json");
  using v = std::vector<std::string>;
  CHECK(run::skip_reason(sc, {}, {}).empty());
  CHECK(run::skip_reason(sc, v{"tls"}, {}).empty());
  CHECK(run::skip_reason(sc, v{"auth", "tls"}, {}).empty());  // any of them
  CHECK(run::skip_reason(sc, v{"auth"}, {}) == "not tagged auth");
  CHECK(run::skip_reason(sc, v{"auth", "dsn"}, {}) == "not tagged auth or dsn");
  CHECK(run::skip_reason(sc, {}, v{"bdat", "slow"}) == "tagged slow (--skip-tag)");
  // --skip-tag wins over --tag.
  CHECK(run::skip_reason(sc, v{"tls"}, v{"slow"}) == "tagged slow (--skip-tag)");
  CHECK(run::skip_reason(sc, v{"auth"}, v{"slow"}) == "tagged slow (--skip-tag)");
}

TEST_CASE("selection: the options no scenario matches") {
  const std::vector<run::input> inputs{
      input_of(R"json({"version": 1, "name": "a", "tags": ["auth"], "vars": {"user": "alice", "password": "x"},
        "secrets": ["password"], "steps": [{"S": "220 x"}, {"C": "AUTH PLAIN ${user}"}, {"S": "235 ok"}]})json"),
      input_of(R"json({"version": 1, "name": "b", "tags": ["tls"], "steps": [
        {"S": "220 x"}, {"C": "EHLO c"},
        {"one_of": [[{"S": "250 ok", "capture": {"queue_id": "ok"}}], [{"S": "502 no"}]]},
        {"C": "NOOP ${queue_id}"}, {"S": "250 ok"}]})json"),
  };
  CHECK(run::names_variable(inputs[0].sc, "user"));
  CHECK(run::names_variable(inputs[0].sc, "password"));
  CHECK(run::names_variable(inputs[1].sc, "queue_id"));  // a capture, inside a branch
  CHECK_FALSE(run::names_variable(inputs[1].sc, "user"));

  using v = std::vector<std::string>;
  const ehlo::scenario::variables vars{{"user", "bob"}, {"passwrd", "x"}, {"queue_id", "1"}, {"a", ""}};
  CHECK(run::unmatched_options(inputs, vars, v{"tls", "smoke"}, v{"no-such-tag", "auth", "no-such-tag"}) ==
        v{"--var a: no scenario uses this variable", "--var passwrd: no scenario uses this variable",
          "--tag smoke: no scenario has this tag", "--skip-tag no-such-tag: no scenario has this tag"});
  CHECK(run::unmatched_options(inputs, {{"user", "bob"}}, v{"auth"}, v{"tls"}).empty());
  CHECK(run::unmatched_options({}, {}, {}, {}).empty());
}
