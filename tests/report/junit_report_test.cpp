#include "report/junit_report.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <random>
#include <string>

#include "report/atomic_file.hpp"
#include "report/sample_check_run.hpp"
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

TEST_CASE("junit: a check run: a suite per target and category, a testcase per probe") {
  rp::run_summary run;
  run.started = rp::test::sample_check_run().started;
  run.elapsed = 2000ms;
  run.ehlo_version = "0.1.0";
  auto must = rp::test::probe_result("127.0.0.1:2525", "smuggling-cr", "smuggling", "<CR>.<CR> ends nothing", "must",
                                     "violates", "it took <CR>.<CR> as the end of data");
  must.transcript = "S: 250 ok\n";
  must.findings = {{"5321-4.2.1", "RFC 5321 §4.2.1", "mixed codes", "steps/2"}};
  auto should = rp::test::probe_result("127.0.0.1:2525", "smuggling-lf", "smuggling", "t", "should", "violates",
                                       "it took <LF>.<LF>");
  should.transcript = "S: 250 ok\n";
  auto na = rp::test::probe_result("127.0.0.1:2525", "starttls-twice", "starttls", "t", "must", "not-applicable",
                                   "the server does not offer STARTTLS");
  na.transcript.clear();
  auto inconclusive = rp::test::probe_result("127.0.0.1:2526", "smuggling-cr", "smuggling", "t", "must",
                                             "inconclusive", "the server answered 421 at steps/3");
  inconclusive.transcript.clear();
  run.results = {must, should, na, inconclusive};
  const auto doc = rp::junit_report(run);
  CHECK(doc.starts_with(R"x(<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="ehlo check" tests="4" failures="1" errors="0" skipped="2" time="2.000">
  <testsuite name="smuggling (127.0.0.1:2525)" tests="2" failures="1" errors="0" skipped="0" time="0.240" timestamp="2024-05-01T12:34:56">
    <properties>
      <property name="ehlo.target" value="127.0.0.1:2525"/>
      <property name="ehlo.version" value="0.1.0"/>
      <property name="ehlo.seed" value="0"/>
      <property name="ehlo.started" value="2024-05-01T12:34:56.789Z"/>
      <property name="ehlo.interrupted" value="false"/>
      <property name="ehlo.not_run" value="0"/>
      <property name="ehlo.not_kept" value="0"/>
    </properties>
    <testcase name="smuggling-cr" classname="smuggling" file="scenarios/conformance/server/smuggling-cr.json" time="0.120">
      <properties>
        <property name="target" value="127.0.0.1:2525"/>
        <property name="verdict" value="violates"/>
        <property name="title" value="&lt;CR&gt;.&lt;CR&gt; ends nothing"/>
        <property name="rules" value="5321-4.1.1.4"/>
        <property name="checks" value="server"/>
        <property name="severity" value="must"/>
        <property name="rule" value="5321-4.1.1.4"/>
        <property name="section" value="RFC 5321 §4.1.1.4"/>
        <property name="why" value="it took &lt;CR&gt;.&lt;CR&gt; as the end of data"/>
        <property name="at" value="steps/9/one_of/1/0"/>
        <property name="findings" value="1"/>
      </properties>
      <failure message="[5321-4.1.1.4] it took &lt;CR&gt;.&lt;CR&gt; as the end of data" type="violates must">verdict   violates (must)
rule      5321-4.1.1.4 (RFC 5321 §4.1.1.4)
why       it took &lt;CR&gt;.&lt;CR&gt; as the end of data
step      steps/9/one_of/1/0
finding [5321-4.2.1] mixed codes (steps/2)
</failure>
      <system-out>S: 250 ok
</system-out>
    </testcase>
    <testcase name="smuggling-lf" classname="smuggling" file="scenarios/conformance/server/smuggling-lf.json" time="0.120">
)x"));
  // A violation of a SHOULD passes, and says so first in its system-out.
  CHECK(doc.find(R"x(        <property name="findings" value="0"/>
      </properties>
      <system-out>ehlo check: violates (should) [5321-4.1.1.4] it took &lt;LF&gt;.&lt;LF&gt;
(passes: only a violation of a MUST, or an exploitable one, is a failure)

S: 250 ok
</system-out>
    </testcase>
  </testsuite>
  <testsuite name="starttls (127.0.0.1:2525)" tests="1" failures="0" errors="0" skipped="1" time="0.120")x") !=
        std::string::npos);
  CHECK(doc.find(R"x(      <skipped message="not applicable: the server does not offer STARTTLS"/>
    </testcase>
  </testsuite>
  <testsuite name="smuggling (127.0.0.1:2526)" tests="1" failures="0" errors="0" skipped="1" time="0.120")x") !=
        std::string::npos);
  CHECK(doc.find(R"x(      <skipped message="inconclusive: the server answered 421 at steps/3"/>
    </testcase>
  </testsuite>
</testsuites>
)x") != std::string::npos);
}

TEST_CASE("junit: a check run: exploitable fails whatever its severity; interrupted is an error") {
  auto run = rp::test::sample_check_run();
  run.results[9].probe->severity = "pedantic";  // exploitable
  run.results[11].status = rp::status::interrupted;
  run.results[11].fail = rp::failure{"steps/1", "", "", "", "stopped by SIGINT"};
  run.results[11].probe->why.clear();
  const auto doc = rp::junit_report(run);
  CHECK(doc.find(R"(<testsuites name="ehlo check" tests="12" failures="2" errors="1" skipped="3" time="12.345">)") !=
        std::string::npos);
  CHECK(doc.find(R"(type="exploitable pedantic">)") != std::string::npos);
  CHECK(doc.find(R"(<error message="interrupted: stopped by SIGINT" type="interrupted">)") != std::string::npos);
  // The hostile transcript is text, escaped: no element of its own.
  CHECK(doc.find("<script>") == std::string::npos);
  CHECK(doc.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
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

// The same, as probes: every verdict word and random ones.
rp::run_summary random_check_run() {
  std::mt19937_64 rng(11);
  auto run = random_run();
  const char* verdicts[] = {"conforms", "violates", "exploitable", "inconclusive", "not-applicable", ""};
  for (std::size_t i = 0; i < run.results.size(); ++i) {
    rp::probe_verdict p;
    p.title = random_bytes(rng, 40);
    p.category = i % 3 ? random_bytes(rng, 10) : std::string();
    p.rules = {random_bytes(rng, 10)};
    p.checks = random_bytes(rng, 6);
    p.verdict = i % 7 == 6 ? random_bytes(rng, 8) : verdicts[i % 6];
    p.severity = random_bytes(rng, 8);
    p.rule = random_bytes(rng, 10);
    p.section = random_bytes(rng, 10);
    p.why = random_bytes(rng, 80);
    p.at = random_bytes(rng, 10);
    if (i % 2) p.client_exit = static_cast<int>(rng() % 300);
    p.client_output = random_bytes(rng, 80);
    run.results[i].probe = std::move(p);
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
  const auto check = rp::junit_report(rp::test::sample_check_run());
  const auto random_check = rp::junit_report(random_check_run());
  CHECK(random.find('\0') == std::string::npos);
  CHECK(random_check.find('\0') == std::string::npos);
  CHECK(check.find("<testsuites name=\"ehlo check\"") != std::string::npos);
  if (const char* dir = std::getenv("EHLO_JUNIT_OUT")) {
    const std::filesystem::path out(dir);
    std::filesystem::create_directories(out);
    CHECK(!rp::write_file_atomically(out / "sample.xml", sample));
    CHECK(!rp::write_file_atomically(out / "random.xml", random));
    CHECK(!rp::write_file_atomically(out / "check.xml", check));
    CHECK(!rp::write_file_atomically(out / "random-check.xml", random_check));
  }
}
