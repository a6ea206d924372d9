#include "report/junit_report.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "report/atomic_file.hpp"
#include "report/sample_run.hpp"

namespace rp = ehlo::report;
using namespace std::chrono_literals;

TEST_CASE("junit: the document for a run with one scenario of each status") {
  CHECK(rp::junit_report(rp::test::sample_run()) == R"x(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="ehlo" tests="5" failures="1" errors="2" skipped="1" time="4.321">
  <testsuite name="ehlo" tests="5" failures="1" errors="2" skipped="1" time="4.321" timestamp="2024-05-01T12:34:56">
    <properties>
      <property name="ehlo.version" value="0.1.0"/>
      <property name="ehlo.seed" value="18446744073709551615"/>
      <property name="ehlo.started" value="2024-05-01T12:34:56.789Z"/>
      <property name="ehlo.interrupted" value="true"/>
      <property name="ehlo.not_run" value="2"/>
      <property name="ehlo.not_kept" value="0"/>
    </properties>
    <testcase name="seeds/gmail-auth-before-starttls" classname="client.scenarios.seeds" file="scenarios/seeds/gmail-auth-before-starttls.json" time="0.012">
      <properties>
        <property name="peer" value="127.0.0.1:2525"/>
        <property name="expected_outcome" value="pass"/>
        <property name="tag" value="auth"/>
        <property name="tag" value="gmail"/>
        <property name="findings" value="1"/>
      </properties>
      <system-out>S: 220 mx.google.com ESMTP&#13;
C: EHLO client.example&#13;
S: 250 mx.google.com&#13;
C: QUIT&#13;
S: 221 bye&#13;
</system-out>
    </testcase>
    <testcase name="conformance/rcpt-relay" classname="client.scenarios.conformance" file="scenarios/conformance/rcpt-relay.json" time="3.217">
      <properties>
        <property name="peer" value="127.0.0.1:2525"/>
        <property name="expected_outcome" value="pass"/>
        <property name="tag" value="relay"/>
        <property name="findings" value="3"/>
      </properties>
      <failure message="steps/7: expected 250, got 550-5.7.1 relaying ..." type="steps/7">reply code 550, expected 250
step      steps/7
expected  250
got       550-5.7.1 relaying
          550 5.7.1 denied &lt;"a"&amp;'b'&gt;
note      the relay accepts its own domain
finding [5321-4.2.1] reply text holds a NUL (steps/5)
finding [5321-4.5.3.1.5] reply line too long
1 more finding not kept
</failure>
      <system-out>S: 220 mx␛[31m.example␀ ESMTP
C: EHLO client.example
S: 250-mx.example
S: 250 PIPELINING
C: MAIL FROM:&lt;a@example.org&gt;
S: 250 ok ]]&gt; ��
C: RCPT TO:&lt;b@example.net&gt;
S: 550-5.7.1 relaying
S: 550 5.7.1 denied
C: QUIT
</system-out>
    </testcase>
    <testcase name="examples/tls-only" classname="server.scenarios.examples" file="scenarios/examples/tls-only.json" time="0.005">
      <properties>
        <property name="peer" value="127.0.0.1:2526"/>
        <property name="expected_outcome" value="pass"/>
        <property name="findings" value="0"/>
      </properties>
      <error message="could not listen on 127.0.0.1:2526: address in use">could not listen on 127.0.0.1:2526: address in use
</error>
    </testcase>
    <testcase name="examples/needs-tls" classname="self-play" file="needs-tls.json" time="0.000">
      <properties>
        <property name="expected_outcome" value="fail"/>
        <property name="findings" value="0"/>
      </properties>
      <skipped message="needs TLS, which this build lacks"/>
    </testcase>
    <testcase name="seeds/slow-greeting" classname="client.scenarios.seeds" file="scenarios/seeds/slow-greeting.json" time="0.950">
      <properties>
        <property name="peer" value="127.0.0.1:2525"/>
        <property name="expected_outcome" value="pass"/>
        <property name="findings" value="0"/>
      </properties>
      <error message="interrupted: stopped by SIGINT" type="interrupted">stopped by SIGINT
step      steps/1
</error>
      <system-out>S: 220 slow
</system-out>
    </testcase>
  </testsuite>
</testsuites>
)x");
}

TEST_CASE("junit: the failure message names the step and what was expected and got") {
  rp::run_summary run;
  rp::scenario_result r;
  r.name = "n\"<&>'\t";
  r.status = rp::status::failed;
  r.fail = rp::failure{"", "", "connection closed", "", "the peer hung up"};
  run.results.push_back(r);
  const auto doc = rp::junit_report(run);
  CHECK(doc.find(R"(<testcase name="n&quot;&lt;&amp;&gt;&apos;&#9;" classname="ehlo" time="0.000">)") !=
        std::string::npos);
  CHECK(doc.find(R"(<failure message="expected nothing, got connection closed">the peer hung up)") !=
        std::string::npos);

  run.results[0].fail = rp::failure{"steps/2", "", "", "", "timed out after 30 s"};
  CHECK(rp::junit_report(run).find(R"(<failure message="steps/2: timed out after 30 s" type="steps/2">)") !=
        std::string::npos);
  run.results[0].fail = rp::failure{"steps/2", "", "", "", ""};
  CHECK(rp::junit_report(run).find(R"(<failure message="steps/2" type="steps/2">step      steps/2)") !=
        std::string::npos);
  run.results[0].fail.reset();
  CHECK(rp::junit_report(run).find(R"(<failure message="failed"></failure>)") != std::string::npos);
}

TEST_CASE("junit: classname is the role and the file's folders") {
  CHECK(rp::junit_classname("client", "scenarios/seeds/x.json") == "client.scenarios.seeds");
  CHECK(rp::junit_classname("server", "x.json") == "server");
  CHECK(rp::junit_classname("self-play", "./a/../b.c/x.json") == "self-play.a.b_c");
  CHECK(rp::junit_classname("client", "/srv/suite/x.json") == "client.srv.suite");
  CHECK(rp::junit_classname("", "a/x.json") == "a");
  CHECK(rp::junit_classname("", "") == "ehlo");
}

namespace {

std::string random_bytes(std::mt19937_64& rng, std::size_t max) {
  std::string s(rng() % max, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// A run whose every text field is random bytes: the document must still be well-formed.
rp::run_summary random_run() {
  std::mt19937_64 rng(7);
  rp::run_summary run;
  run.ehlo_version = random_bytes(rng, 16);
  for (int i = 0; i < 20; ++i) {
    rp::scenario_result r;
    r.name = random_bytes(rng, 40);
    r.file = random_bytes(rng, 40);
    r.role = random_bytes(rng, 10);
    r.peer = random_bytes(rng, 20);
    r.status = static_cast<rp::status>(i % 5);
    r.elapsed = std::chrono::milliseconds(rng() % 100000);
    r.fail = rp::failure{random_bytes(rng, 10), random_bytes(rng, 40), random_bytes(rng, 40), random_bytes(rng, 40),
                         random_bytes(rng, 40)};
    r.findings.push_back({random_bytes(rng, 10), random_bytes(rng, 10), random_bytes(rng, 40), random_bytes(rng, 10)});
    r.transcript = random_bytes(rng, 2000);
    r.tags = {random_bytes(rng, 10)};
    r.expected_outcome = random_bytes(rng, 5);
    run.results.push_back(std::move(r));
  }
  return run;
}

}  // namespace

// CTest's report.junit_xmllint runs this case with EHLO_JUNIT_OUT set to a
// folder, then checks the files with xmllint: well-formed XML, and valid
// against tests/data/junit/junit.xsd.
TEST_CASE("junit: sample documents for xmllint") {
  const auto sample = rp::junit_report(rp::test::sample_run());
  const auto random = rp::junit_report(random_run());
  CHECK(random.find('\0') == std::string::npos);
  if (const char* dir = std::getenv("EHLO_JUNIT_OUT")) {
    const std::filesystem::path out(dir);
    std::filesystem::create_directories(out);
    CHECK(!rp::write_file_atomically(out / "sample.xml", sample));
    CHECK(!rp::write_file_atomically(out / "random.xml", random));
  }
}
