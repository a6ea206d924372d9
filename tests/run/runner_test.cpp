// run::run over loopback: the order results are reported in, and inputs
// skipped reported in their place. Client role and self-play: input order
// whatever --jobs; server role: the console as connections end, the reports
// in connection order.
#include "run/runner.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "net/net_support.hpp"
#include "support/session_driver.hpp"

namespace net = ehlo::net;
namespace rp = ehlo::report;
namespace run = ehlo::run;
using namespace ehlo::test;
using namespace std::chrono_literals;

namespace {

run::input input_of(std::string name, std::string_view json) {
  return {name + ".json", std::move(name), scenario_of(json)};
}

std::vector<std::string> names_and_statuses(const std::vector<rp::scenario_result>& results) {
  std::vector<std::string> out;
  for (const auto& r : results) out.push_back(r.name + " " + std::string(rp::to_string(r.status)));
  return out;
}

}  // namespace

TEST_CASE("run: self-play reports in input order whatever finishes first, the inputs skipped in their place") {
  constexpr std::string_view quick = R"json({"version": 1, "name": "q", "steps": [
    {"S": "220 x"}, {"C": "QUIT"}, {"S": "221 bye"}]})json";
  // Its pause keeps it running while the quick ones behind it finish.
  constexpr std::string_view slow = R"json({"version": 1, "name": "s", "steps": [
    {"S": "220 x"}, {"pause": "300ms"}, {"C": "QUIT"}, {"S": "221 bye"}]})json";
  const std::vector<run::input> inputs{input_of("slow", slow), input_of("quick-1", quick), input_of("filtered", quick),
                                       input_of("quick-2", quick)};
  run::options opt;
  opt.jobs = 4;
  opt.session = fixed_settings();
  opt.skip = {"", "", "not tagged smoke"};  // shorter than the inputs: the rest are played
  std::vector<rp::scenario_result> reported;
  opt.on_result = [&](const rp::scenario_result& r) { reported.push_back(r); };
  std::string fatal;
  const auto summary = run::run(inputs, opt, fatal);
  CHECK(fatal.empty());
  const std::vector<std::string> want{"slow passed", "quick-1 passed", "filtered skipped", "quick-2 passed"};
  CHECK(names_and_statuses(reported) == want);
  CHECK(names_and_statuses(summary.results) == want);
  REQUIRE(summary.results.size() == 4);
  const auto& skipped = summary.results[2];
  REQUIRE(skipped.fail);
  CHECK(skipped.fail->message == "not tagged smoke");
  CHECK(skipped.role == "self-play");
  CHECK(skipped.transcript.empty());
  const auto t = rp::count(summary);
  CHECK(t.scenarios == 4);
  CHECK(t.passed == 3);
  CHECK(t.skipped == 1);
  CHECK(t.not_run == 0);
}

TEST_CASE("run: the server role reports as connections end, and keeps the results in connection order") {
  // Connection 1 greets and then says nothing until connection 2 has been
  // played and reported; then it closes, which fails its session.
  constexpr std::string_view served = R"json({"version": 1, "name": "p", "timeout": "30s", "steps": [
    {"S": "220 x"}, {"C": "QUIT"}, {"S": "221 bye"}]})json";
  const std::vector<run::input> inputs{input_of("filtered", served), input_of("served", served)};
  run::options opt;
  opt.mode = run::mode::server;
  opt.peer = {"127.0.0.1", 0};
  opt.connections = 2;
  opt.session = fixed_settings();
  opt.skip = {"tagged slow (--skip-tag)"};
  std::promise<std::uint16_t> listening;
  opt.on_listening = [&](std::uint16_t port) { listening.set_value(port); };
  std::vector<rp::scenario_result> reported;  // written by the run's thread only, read after it
  std::atomic<std::size_t> reported_count{0};
  opt.on_result = [&](const rp::scenario_result& r) {
    reported.push_back(r);
    ++reported_count;
  };
  rp::run_summary summary;
  std::string fatal;
  std::thread server([&] { summary = run::run(inputs, opt, fatal); });
  auto port_future = listening.get_future();
  REQUIRE(port_future.wait_for(30s) == std::future_status::ready);
  const std::uint16_t port = port_future.get();

  loop l;
  auto good = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", port, soon());
    REQUIRE_FALSE(ec);
    std::string in;
    CHECK_FALSE(co_await read_until(conn, in, "220 x\r\n", soon()));
    CHECK_FALSE(co_await conn.write("QUIT\r\n", soon()));
    CHECK_FALSE(co_await read_until(conn, in, "221 bye\r\n", soon()));
    co_await read_to_end(conn, soon());
  };
  auto stalled = [&]() -> asio::awaitable<void> {
    auto [conn, ec] = co_await net::connection::connect(l.executor(), "127.0.0.1", port, soon());
    REQUIRE_FALSE(ec);
    std::string in;
    CHECK_FALSE(co_await read_until(conn, in, "220 x\r\n", soon()));  // accepted first: connection 1
    co_await good();
    // Until the run has reported connection 2 (skipped inputs come first).
    asio::steady_timer timer(l.executor());
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (reported_count < 2 && std::chrono::steady_clock::now() < until) {
      timer.expires_after(10ms);
      co_await timer.async_wait(asio::use_awaitable);
    }
    conn.close();
  };
  l.spawn(stalled());
  l.run();
  server.join();
  CHECK(fatal.empty());
  CHECK(names_and_statuses(reported) == std::vector<std::string>{"filtered skipped", "served passed", "served failed"});
  CHECK(names_and_statuses(summary.results) ==
        std::vector<std::string>{"filtered skipped", "served failed", "served passed"});
}
