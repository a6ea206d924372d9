// The client program of ehlo check --client-cmd: started in a group of its
// own, its exit status and output kept, stopped when it runs too long.
#include "run/client_process.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <doctest/doctest.h>

#include <chrono>

namespace rn = ehlo::run;
using namespace std::chrono_literals;

namespace {

/// Runs `command` to its end (or `limit`); the exit status, the process kept for its output.
int run_to_end(const std::string& command, std::chrono::milliseconds limit, std::unique_ptr<rn::client_process>& p) {
  std::string error;
  p = rn::client_process::start(command, error);
  REQUIRE_MESSAGE(p, error);
  asio::io_context io;
  int status = -1;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { status = co_await p->wait(limit); }, asio::detached);
  io.run();
  return status;
}

}  // namespace

TEST_CASE("client process: exit status and output") {
  std::unique_ptr<rn::client_process> p;
  CHECK(run_to_end("echo out; echo err >&2; exit 3", 30s, p) == 3);
  CHECK_FALSE(p->timed_out());
  CHECK(p->output_tail() == "out\nerr\n");
  CHECK(p->output_tail(4) == "err\n");
  CHECK(run_to_end("kill -9 $$", 30s, p) == 128 + 9);
}

TEST_CASE("client process: one that runs past its limit is stopped, with what it started") {
  std::unique_ptr<rn::client_process> p;
  // The shell starts a child of its own: both are in the group, both stopped.
  CHECK(run_to_end("sleep 600 & echo started; wait", 300ms, p) == 128 + 15);
  CHECK(p->timed_out());
  CHECK(p->output_tail() == "started\n");
}

TEST_CASE("client process: {host}, {port} and {probe} filled in, quoted when a shell would read them") {
  CHECK(rn::fill_command("swaks --server {host}:{port} # {probe}", "127.0.0.1", 2525, "scenarios/a.json") ==
        "swaks --server 127.0.0.1:2525 # scenarios/a.json");
  CHECK(rn::fill_command("x {probe} {host}", "::1", 1, "my probes/it's.json") == "x 'my probes/it'\\''s.json' ::1");
  CHECK(rn::fill_command("{port}{port} {nothing}", "h", 7, "") == "77 {nothing}");
}
