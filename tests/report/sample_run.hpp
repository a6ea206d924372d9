// A small run with one scenario of each status, and hostile bytes where a
// peer could put them (NUL, ESC, invalid UTF-8, "]]>", quotes), shared by the
// reporters' tests.
#pragma once

#include <chrono>
#include <string>

#include "report/results.hpp"

namespace ehlo::report::test {

inline scenario_result passed_result() {
  using namespace std::chrono_literals;
  scenario_result r;
  r.name = "seeds/gmail-auth-before-starttls";
  r.file = "scenarios/seeds/gmail-auth-before-starttls.json";
  r.role = "client";
  r.peer = "127.0.0.1:2525";
  r.status = status::passed;
  r.elapsed = 12ms;
  r.findings = {{"5321-4.1.1.1", "RFC 5321 §4.1.1.1", "EHLO reply without a domain", "steps/2"}};
  r.transcript =
      "S: 220 mx.google.com ESMTP\r\nC: EHLO client.example\r\nS: 250 mx.google.com\r\nC: QUIT\r\nS: 221 bye\r\n";
  r.tags = {"auth", "gmail"};
  r.state_log = {"greeting", "ehlo", "quit"};
  r.expected_outcome = "pass";
  return r;
}

inline scenario_result failed_result() {
  using namespace std::chrono_literals;
  using namespace std::string_literals;
  scenario_result r;
  r.name = "conformance/rcpt-relay";
  r.file = "scenarios/conformance/rcpt-relay.json";
  r.role = "client";
  r.peer = "127.0.0.1:2525";
  r.status = status::failed;
  r.elapsed = 3217ms;
  r.fail = failure{"steps/7", "250", "550-5.7.1 relaying\n550 5.7.1 denied <\"a\"&'b'>",
                   "the relay accepts its own domain", "reply code 550, expected 250"};
  r.findings = {{"5321-4.2.1", "RFC 5321 §4.2.1", "reply text holds a NUL", "steps/5"},
                {"5321-4.5.3.1.5", "RFC 5321 §4.5.3.1.5", "reply line too long", ""}};
  r.findings_dropped = 1;
  // A peer's bytes: ESC, NUL, "]]>", invalid UTF-8.
  r.transcript =
      "S: 220 mx\x1b[31m.example\0 ESMTP\n"
      "C: EHLO client.example\n"
      "S: 250-mx.example\n"
      "S: 250 PIPELINING\n"
      "C: MAIL FROM:<a@example.org>\n"
      "S: 250 ok ]]> \xff\xfe\n"
      "C: RCPT TO:<b@example.net>\n"
      "S: 550-5.7.1 relaying\n"
      "S: 550 5.7.1 denied\n"
      "C: QUIT\n"s;
  r.tags = {"relay"};
  r.state_log = {"greeting", "ehlo", "mail", "rcpt"};
  r.expected_outcome = "pass";
  return r;
}

inline scenario_result error_result() {
  using namespace std::chrono_literals;
  scenario_result r;
  r.name = "examples/tls-only";
  r.file = "scenarios/examples/tls-only.json";
  r.role = "server";
  r.peer = "127.0.0.1:2526";
  r.status = status::error;
  r.elapsed = 5ms;
  r.fail = failure{"", "", "", "", "could not listen on 127.0.0.1:2526: address in use"};
  r.expected_outcome = "pass";
  return r;
}

inline scenario_result skipped_result() {
  scenario_result r;
  r.name = "examples/needs-tls";
  r.file = "needs-tls.json";
  r.role = "self-play";
  r.status = status::skipped;
  r.fail = failure{"", "", "", "", "needs TLS, which this build lacks"};
  r.expected_outcome = "fail";
  return r;
}

inline scenario_result interrupted_result() {
  using namespace std::chrono_literals;
  scenario_result r;
  r.name = "seeds/slow-greeting";
  r.file = "scenarios/seeds/slow-greeting.json";
  r.role = "client";
  r.peer = "127.0.0.1:2525";
  r.status = status::interrupted;
  r.elapsed = 950ms;
  r.fail = failure{"steps/1", "", "", "", "stopped by SIGINT"};
  r.transcript = "S: 220 slow\n";
  r.expected_outcome = "pass";
  return r;
}

inline run_summary sample_run() {
  using namespace std::chrono;
  run_summary run;
  run.results = {passed_result(), failed_result(), error_result(), skipped_result(), interrupted_result()};
  run.interrupted = true;
  run.planned = 7;
  run.started = sys_days{year{2024} / 5 / 1} + 12h + 34min + 56s + 789ms;
  run.elapsed = 4321ms;
  run.ehlo_version = "0.1.0";
  run.seed = 18446744073709551615ull;
  return run;
}

}  // namespace ehlo::report::test
