#include "report/console.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <stdlib.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "report/sample_run.hpp"
#include "report/temp_folder.hpp"

namespace rp = ehlo::report;
using namespace std::chrono_literals;

namespace {

const rp::console_options plain{};
const rp::console_options verbose{.colour = false, .verbose = true};
const rp::console_options colour{.colour = true};

rp::run_summary twelve_scenarios() {
  rp::run_summary run;
  for (int i = 0; i < 12; ++i) {
    rp::scenario_result r;
    r.name = "s" + std::to_string(i);
    r.status = i == 4 ? rp::status::failed : rp::status::passed;
    run.results.push_back(r);
  }
  run.elapsed = 1400ms;
  return run;
}

}  // namespace

TEST_CASE("console: a passed scenario is one line, with its findings counted") {
  CHECK(rp::format_scenario(rp::test::passed_result(), plain) ==
        "PASS  seeds/gmail-auth-before-starttls  (12 ms, 1 finding)\n");
  auto r = rp::test::passed_result();
  r.findings.clear();
  CHECK(rp::format_scenario(r, plain) == "PASS  seeds/gmail-auth-before-starttls  (12 ms)\n");
  CHECK(rp::format_scenario(rp::test::passed_result(), verbose) ==
        "PASS  seeds/gmail-auth-before-starttls  (12 ms, 1 finding)\n"
        "      finding [5321-4.1.1.1] EHLO reply without a domain (steps/2)\n");
}

TEST_CASE("console: a failure shows the step, what was expected and got, the note, and the transcript's tail") {
  // The transcript's bytes are shown safe: ESC and NUL as their pictures, bytes that are not UTF-8 as U+FFFD.
  CHECK(rp::format_scenario(rp::test::failed_result(), plain) ==
        "FAIL  conformance/rcpt-relay  (3.2 s, 3 findings)\n"
        "      reply code 550, expected 250\n"
        "      step      steps/7\n"
        "      expected  250\n"
        "      got       550-5.7.1 relaying\n"
        "                550 5.7.1 denied <\"a\"&'b'>\n"
        "      note      the relay accepts its own domain\n"
        "      transcript, last 8 of 10 lines:\n"
        "        S: 250-mx.example\n"
        "        S: 250 PIPELINING\n"
        "        C: MAIL FROM:<a@example.org>\n"
        "        S: 250 ok ]]> \xEF\xBF\xBD\xEF\xBF\xBD\n"
        "        C: RCPT TO:<b@example.net>\n"
        "        S: 550-5.7.1 relaying\n"
        "        S: 550 5.7.1 denied\n"
        "        C: QUIT\n");

  rp::console_options all = verbose;
  all.transcript_lines = 100;
  CHECK(rp::format_scenario(rp::test::failed_result(), all) ==
        "FAIL  conformance/rcpt-relay  (3.2 s, 3 findings)\n"
        "      reply code 550, expected 250\n"
        "      step      steps/7\n"
        "      expected  250\n"
        "      got       550-5.7.1 relaying\n"
        "                550 5.7.1 denied <\"a\"&'b'>\n"
        "      note      the relay accepts its own domain\n"
        "      finding [5321-4.2.1] reply text holds a NUL (steps/5)\n"
        "      finding [5321-4.5.3.1.5] reply line too long\n"
        "      1 more finding not kept\n"
        "      transcript:\n"
        "        S: 220 mx\xE2\x90\x9B[31m.example\xE2\x90\x80 ESMTP\n"
        "        C: EHLO client.example\n"
        "        S: 250-mx.example\n"
        "        S: 250 PIPELINING\n"
        "        C: MAIL FROM:<a@example.org>\n"
        "        S: 250 ok ]]> \xEF\xBF\xBD\xEF\xBF\xBD\n"
        "        C: RCPT TO:<b@example.net>\n"
        "        S: 550-5.7.1 relaying\n"
        "        S: 550 5.7.1 denied\n"
        "        C: QUIT\n");

  rp::console_options none = plain;
  none.transcript_lines = 0;
  auto r = rp::test::failed_result();
  r.fail->note.clear();
  r.fail->message.clear();
  CHECK(rp::format_scenario(r, none) ==
        "FAIL  conformance/rcpt-relay  (3.2 s, 3 findings)\n"
        "      step      steps/7\n"
        "      expected  250\n"
        "      got       550-5.7.1 relaying\n"
        "                550 5.7.1 denied <\"a\"&'b'>\n");
}

TEST_CASE("console: errors, skips and interruptions say why") {
  CHECK(rp::format_scenario(rp::test::error_result(), plain) ==
        "ERROR examples/tls-only  (5 ms)\n"
        "      could not listen on 127.0.0.1:2526: address in use\n");
  CHECK(rp::format_scenario(rp::test::skipped_result(), plain) ==
        "SKIP  examples/needs-tls  (0 ms)\n"
        "      needs TLS, which this build lacks\n");
  CHECK(rp::format_scenario(rp::test::interrupted_result(), plain) ==
        "INTR  seeds/slow-greeting  (950 ms)\n"
        "      stopped by SIGINT\n"
        "      step      steps/1\n"
        "      transcript:\n"
        "        S: 220 slow\n");
}

TEST_CASE("console: a peer's bytes in names and fields never reach the terminal raw") {
  rp::scenario_result r;
  r.name = "evil\x1b]0;title\x07";
  r.status = rp::status::failed;
  r.fail = rp::failure{"steps/1", "250", "250 \x1b[2J\r\x9b", "", ""};
  CHECK(rp::format_scenario(r, plain) ==
        "FAIL  evil\xE2\x90\x9B]0;title\xE2\x90\x87  (0 ms)\n"
        "      step      steps/1\n"
        "      expected  250\n"
        "      got       250 \xE2\x90\x9B[2J\xE2\x90\x8D\xEF\xBF\xBD\n");
}

TEST_CASE("console: colour marks the status words only") {
  CHECK(rp::format_scenario(rp::test::passed_result(), colour) ==
        "\x1b[32mPASS\x1b[0m  seeds/gmail-auth-before-starttls  (12 ms, 1 finding)\n");
  CHECK(rp::format_scenario(rp::test::error_result(), colour) ==
        "\x1b[1;31mERROR\x1b[0m examples/tls-only  (5 ms)\n"
        "      could not listen on 127.0.0.1:2526: address in use\n");
  CHECK(rp::format_scenario(rp::test::skipped_result(), colour).starts_with("\x1b[33mSKIP\x1b[0m  examples/needs-tls"));
  CHECK(rp::format_scenario(rp::test::interrupted_result(), colour).starts_with("\x1b[33mINTR\x1b[0m  seeds/slow"));
  CHECK(rp::format_scenario(rp::test::failed_result(), colour).starts_with("\x1b[1;31mFAIL\x1b[0m  conformance/"));
  CHECK(rp::format_summary(twelve_scenarios(), colour) ==
        "12 scenarios: \x1b[32m11 passed\x1b[0m, \x1b[1;31m1 failed\x1b[0m (1.4 s)\n");
  CHECK(rp::format_summary(rp::test::sample_run(), colour) ==
        "\x1b[33minterrupted\x1b[0m after 5 of 7 scenarios: \x1b[32m1 passed\x1b[0m, \x1b[1;31m1 failed\x1b[0m, "
        "\x1b[1;31m1 error\x1b[0m, \x1b[33m1 skipped\x1b[0m, \x1b[33m1 interrupted\x1b[0m; 4 findings (4.3 s)\n");
}

TEST_CASE("console: the summary line") {
  CHECK(rp::format_summary(twelve_scenarios(), plain) == "12 scenarios: 11 passed, 1 failed (1.4 s)\n");
  CHECK(rp::format_summary(rp::test::sample_run(), plain) ==
        "interrupted after 5 of 7 scenarios: 1 passed, 1 failed, 1 error, 1 skipped, 1 interrupted; 4 findings "
        "(4.3 s)\n");
  rp::run_summary run;
  CHECK(rp::format_summary(run, plain) == "0 scenarios: 0 passed, 0 failed (0 ms)\n");
  run.results.push_back(rp::test::passed_result());
  run.results.push_back(rp::test::error_result());
  run.results.push_back(rp::test::error_result());
  run.elapsed = 61234ms;
  CHECK(rp::format_summary(run, plain) == "3 scenarios: 1 passed, 0 failed, 2 errors; 1 finding (61.2 s)\n");
  run.interrupted = true;  // planned not known
  CHECK(rp::format_summary(run, plain) ==
        "interrupted after 3 scenarios: 1 passed, 0 failed, 2 errors; 1 finding (61.2 s)\n");
  CHECK(rp::format_summary(rp::run_summary{.results = {rp::test::passed_result()}}, plain) ==
        "1 scenario: 1 passed, 0 failed; 1 finding (0 ms)\n");
}

TEST_CASE("console: the writer writes each block whole, from many threads") {
  rp::test::temp_folder dir;
  const auto path = dir / "out.txt";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  const auto failed = rp::test::failed_result();
  const auto passed = rp::test::passed_result();
  {
    rp::console_writer out(fd, plain);
    std::vector<std::thread> jobs;
    for (int t = 0; t < 4; ++t)
      jobs.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) CHECK(!out.scenario(t % 2 ? failed : passed));
      });
    for (auto& j : jobs) j.join();
  }
  ::close(fd);
  std::ifstream in(path, std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string a = rp::format_scenario(failed, plain), b = rp::format_scenario(passed, plain);
  std::size_t pos = 0, blocks = 0;
  while (pos < all.size()) {
    if (all.compare(pos, a.size(), a) == 0)
      pos += a.size();
    else if (all.compare(pos, b.size(), b) == 0)
      pos += b.size();
    else
      FAIL("a torn block at byte " << pos);
    ++blocks;
  }
  CHECK(blocks == 200);
  CHECK(rp::write_all(-1, "x") == std::errc::bad_file_descriptor);
}

TEST_CASE("console: colour only on a terminal, and not when NO_COLOR is set or TERM is dumb") {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  CHECK_FALSE(rp::colour_wanted(pipe_fds[1]));
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);

  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) {
    MESSAGE("no pseudo-terminal here: only the pipe was checked");
    if (master >= 0) ::close(master);
    return;
  }
  const int tty = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
  REQUIRE(tty >= 0);
  const char* old_no_colour = std::getenv("NO_COLOR");
  const char* old_term = std::getenv("TERM");
  const std::string saved_no_colour = old_no_colour ? old_no_colour : "", saved_term = old_term ? old_term : "";

  ::unsetenv("NO_COLOR");
  ::setenv("TERM", "xterm-256color", 1);
  CHECK(rp::colour_wanted(tty));
  ::setenv("NO_COLOR", "", 1);  // no-color.org: set but empty does not count
  CHECK(rp::colour_wanted(tty));
  ::setenv("NO_COLOR", "1", 1);
  CHECK_FALSE(rp::colour_wanted(tty));
  ::unsetenv("NO_COLOR");
  ::setenv("TERM", "dumb", 1);
  CHECK_FALSE(rp::colour_wanted(tty));

  old_no_colour ? ::setenv("NO_COLOR", saved_no_colour.c_str(), 1) : ::unsetenv("NO_COLOR");
  old_term ? ::setenv("TERM", saved_term.c_str(), 1) : ::unsetenv("TERM");
  ::close(tty);
  ::close(master);
}
