// --fail-if: what it reads, what it refuses (and why), and when a condition holds.
#include "load/thresholds.hpp"

#include <doctest/doctest.h>

using namespace ehlo::load;

namespace {

threshold parse(std::string_view text) {
  std::string why;
  auto t = parse_threshold(text, why);
  INFO(text << ": " << why);
  REQUIRE(t);
  return *t;
}

std::string refused(std::string_view text) {
  std::string why;
  CHECK_FALSE(parse_threshold(text, why));
  return why;
}

}  // namespace

TEST_CASE("thresholds: the conditions of the issue, and more, read") {
  const auto p99 = parse("p99(session) > 200ms");
  CHECK(p99.what == threshold::metric::percentile);
  CHECK(p99.per_million == 990'000);
  CHECK(p99.step == step_kind::session);
  CHECK(p99.compare == threshold::op::greater);
  CHECK(p99.value == 200'000);
  CHECK(p99.text == "p99(session) > 200ms");
  CHECK(parse("p99.9(end-of-data)>=1.5s").per_million == 999'000);
  CHECK(parse("p99.9(end-of-data)>=1.5s").value == 1'500'000);
  CHECK(parse("p50( rcpt ) < 850us").step == step_kind::rcpt);
  CHECK(parse("max(connect) > 1s").what == threshold::metric::max);
  CHECK(parse("mean(session) <= 50").value == 50'000);  // milliseconds by default
  const auto errors = parse("errors > 0");
  CHECK(errors.what == threshold::metric::errors);
  CHECK(parse("  errors%  > 1% ").what == threshold::metric::error_percent);
  const auto rate = parse("rate < 1000/s");
  CHECK(rate.what == threshold::metric::rate);
  CHECK(rate.compare == threshold::op::less);
  CHECK(rate.value == 1000);
  CHECK(rate.text == "rate < 1000/s");
  CHECK(parse("session-rate < 500").what == threshold::metric::session_rate);
  CHECK(parse("sessions < 10000").what == threshold::metric::sessions);
  CHECK(parse("messages <= 9").compare == threshold::op::less_or_equal);
}

TEST_CASE("thresholds: what is refused says why") {
  CHECK(refused("p99(session) 200ms").find("no comparison") != std::string::npos);
  CHECK(refused("p99(sesion) > 1s").find("unknown step 'sesion'") != std::string::npos);
  CHECK(refused("q99(session) > 1s").find("unknown function 'q99'") != std::string::npos);
  CHECK(refused("p0(session) > 1s").find("unknown function") != std::string::npos);
  CHECK(refused("p101(session) > 1s").find("unknown function") != std::string::npos);
  CHECK(refused("p99(session) > 2 hours").find("a latency such as") != std::string::npos);
  CHECK(refused("rate < fast").find("a rate such as") != std::string::npos);
  CHECK(refused("errors > -1").find("a number") != std::string::npos);
  CHECK(refused("throughput > 1").find("unknown measure 'throughput'") != std::string::npos);
  CHECK(refused("p99(session > 1s").find("FUNCTION(STEP)") != std::string::npos);
}

TEST_CASE("thresholds: a condition holds or not on a run's figures; a step never timed counts as crossed") {
  load_stats s;
  s.elapsed = std::chrono::milliseconds(2000);
  s.sessions_started = 100;
  s.sessions_passed = 98;
  s.sessions_failed = 2;
  s.messages = 2000;
  for (std::uint64_t i = 1; i <= 98; ++i) s.step(step_kind::session).add(i * 1000);  // 1..98 ms

  auto check = [&](std::string_view text) { return evaluate(parse(text), s); };
  CHECK(check("p99(session) > 200ms").crossed == false);
  CHECK(check("p99(session) > 200ms").actual == "98.0ms");
  CHECK(check("p50(session) >= 49ms").crossed);
  CHECK(check("errors > 0").crossed);
  CHECK(check("errors > 0").actual == "2");
  CHECK(check("errors% > 1").crossed);
  CHECK(check("errors% > 2").crossed == false);
  CHECK(check("rate < 1000/s").crossed == false);  // 2000 messages in 2 s
  CHECK(check("rate < 1001/s").crossed);
  CHECK(check("session-rate < 49").crossed == false);
  CHECK(check("sessions < 98").crossed == false);
  CHECK(check("messages <= 2000").crossed);
  const auto none = check("p99(RCPT) > 1s");
  CHECK(none.crossed);
  CHECK_FALSE(none.judged);
  CHECK(none.actual == "no RCPT timed");
}
