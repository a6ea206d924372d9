// The client role against a scripted server: what it sends, how it fails and
// what it finds, with the server's bytes delivered whole and one at a time.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "support/session_driver.hpp"
#include "support/split.hpp"

namespace sc = ehlo::scenario;
namespace ss = ehlo::session;
using ehlo::test::fixed_settings;
using ehlo::test::run_every_split;
using ehlo::test::run_script;
using ehlo::test::scenario_of;
using ehlo::test::script;
using ehlo::test::silence;
using ehlo::test::texts;
using kind = ss::action::kind;

namespace {

constexpr std::string_view delivery = R"json({
  "version": 1, "name": "delivery",
  "steps": [
    {"S": "220 mx.example ESMTP"},
    {"C": "EHLO client.example"},
    {"S": ["250-mx.example", "250 PIPELINING"]},
    {"C": "MAIL FROM:<alice@example.org>"},
    {"C": "RCPT TO:<nobody@example.com>"},
    {"C": "RCPT TO:<bob@example.com>"},
    {"S": "250 2.1.0 Ok"},
    {"S": "250 2.1.5 Ok", "note": "the first recipient"},
    {"S": "250 2.1.5 Ok"},
    {"C": "QUIT"},
    {"S": "221 2.0.0 Bye"},
    {"close": "S"}
  ]
})json";

}  // namespace

TEST_CASE("client: consecutive C steps go out without waiting; the reply that differs names its step") {
  const auto scen = scenario_of(delivery);
  const auto run = run_every_split<ss::client_session>(
      scen, fixed_settings(),
      script{{"220 mx.example ESMTP\r\n", "250-mx.example\r\n250 PIPELINING\r\n",
              "250 2.1.0 Ok\r\n550 5.1.1 <nobody@example.com>: Recipient address rejected\r\n250 2.1.5 Ok\r\n"}});
  CHECK(run.sent ==
        "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<nobody@example.com>\r\n"
        "RCPT TO:<bob@example.com>\r\n");
  // Three writes, no read between them.
  CHECK(run.actions == std::vector<kind>{kind::read, kind::send, kind::read, kind::send, kind::send, kind::send,
                                         kind::read, kind::done});
  const ss::verdict& v = run.outcome.verdict;
  CHECK(v.result == sc::outcome::fail);
  CHECK(v.pointer == "steps/7");
  CHECK(v.note == "the first recipient");
  CHECK(v.expected == "250 (S \"250 2.1.5 Ok\")");
  CHECK(v.got == "550 5.1.1 <nobody@example.com>: Recipient address rejected");
  CHECK(v.message ==
        "steps/7: expected 250 (S \"250 2.1.5 Ok\"), got 550 5.1.1 <nobody@example.com>: Recipient address rejected");
}

TEST_CASE("client: the whole conversation passes, and the close is expected") {
  const auto scen = scenario_of(delivery);
  const std::string replies =
      "220 mx.example ESMTP\r\n250-mx.example\r\n250 PIPELINING\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 "
      "Ok\r\n221 2.0.0 Bye\r\n";
  // All of the server's bytes in one read: the replies are taken one by one.
  const auto run = run_every_split<ss::client_session>(scen, fixed_settings(), script{{replies}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.outcome.findings.empty());
  CHECK(texts(run.outcome.transcript) ==
        std::vector<std::string>{"S: 220 mx.example ESMTP", "C: EHLO client.example", "S: 250-mx.example",
                                 "S: 250 PIPELINING", "C: MAIL FROM:<alice@example.org>",
                                 "C: RCPT TO:<nobody@example.com>", "C: RCPT TO:<bob@example.com>", "S: 250 2.1.0 Ok",
                                 "S: 250 2.1.5 Ok", "S: 250 2.1.5 Ok", "C: QUIT", "S: 221 2.0.0 Bye"});
}

TEST_CASE("client: a reply where the close was expected fails; a close without 221 is a finding") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "c", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "QUIT"}, {"S": "221 bye"}, {"close": "S"}]})json");
  {
    const auto run = run_every_split<ss::client_session>(
        scen, fixed_settings(), script{{"220 mx.example ESMTP\r\n", "221 bye\r\n250 more\r\n"}});
    CHECK(run.outcome.verdict.message == "steps/3: expected the server to close the connection, got 250 more");
  }
  const auto closes_early = scenario_of(R"json({"version": 1, "name": "c", "steps": [
    {"S": "554 no service here"}, {"close": "S"}]})json");
  const auto run =
      run_every_split<ss::client_session>(closes_early, fixed_settings(), script{{"554 no service here\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(
      run.outcome.findings ==
      std::vector<std::string>{"[5321-3.8] steps/1 @21: the server closed the connection without a 221 or 421 reply"});
}

TEST_CASE("client: the connection closing or going silent names the step it left unanswered") {
  const auto scen = scenario_of(delivery);
  SUBCASE("EOF in the middle of a reply") {
    const auto run = run_every_split<ss::client_session>(scen, fixed_settings(), script{{"220 mx.exa"}});
    CHECK(run.outcome.verdict.message ==
          "the server closed the connection in the middle of a reply while steps/0 was expected");
    CHECK(run.outcome.verdict.got == "\"220 mx.exa\"");
    CHECK(
        run.outcome.findings ==
        std::vector<std::string>{"[5321-3.8] steps/0 @0: the server closed the connection without a 221 or 421 reply"});
  }
  SUBCASE("EOF between replies") {
    const auto run = run_every_split<ss::client_session>(scen, fixed_settings(), script{{"220 mx.example ESMTP\r\n"}});
    CHECK(run.outcome.verdict.message == "the server closed the connection while steps/2 was expected");
    CHECK(run.outcome.verdict.pointer == "steps/2");
  }
  SUBCASE("silence") {
    const auto run = run_every_split<ss::client_session>(
        scen, fixed_settings(), script{{"220 mx.example ESMTP\r\n"}, /*end_with_timeout=*/true});
    CHECK(run.outcome.verdict.message == "timed out after 10s waiting for steps/2");
  }
  SUBCASE("silence, with --timeout") {
    auto settings = fixed_settings();
    settings.timeout = std::chrono::milliseconds(2500);
    const auto run = run_every_split<ss::client_session>(scen, settings, script{{"220 mx.example ESMTP\r\n"}, true});
    CHECK(run.outcome.verdict.message == "timed out after 2.5s waiting for steps/2");
  }
  SUBCASE("the transport fails") {
    ss::client_session s(scen, fixed_settings());
    s.received("220 mx.example ESMTP\r\n");
    s.sent();
    s.failed("connection reset by peer");
    CHECK(s.result().message == "the connection failed at steps/2: connection reset by peer");
  }
  SUBCASE("a reset where a reply is due") {
    ss::client_session s(scen, fixed_settings());
    s.received("220 mx.example ESMTP\r\n");
    s.sent();
    s.peer_reset("Connection reset by peer");
    CHECK(s.result().message == "the connection failed at steps/2: Connection reset by peer");
  }
}

TEST_CASE("client: a reset where the server's close is due is that close") {
  // A server that closes after 221 with the client's pipelined NOOP unread resets the connection.
  const auto scen = scenario_of(R"json({"version": 1, "name": "t", "steps": [
    {"S": "220 mx.example ESMTP"}, {"pipeline": ["QUIT", "NOOP"]}, {"S": "221 bye"},
    {"one_of": [[{"close": "S"}], [{"S": "250 ok"}]]}]})json");
  ss::client_session s(scen, fixed_settings());
  s.received("220 mx.example ESMTP\r\n");
  s.sent();
  s.received("221 bye\r\n");
  REQUIRE(s.next().what == ss::action::read);
  s.peer_reset("Connection reset by peer");
  CHECK(s.result().passed());
  CHECK(s.next().what == ss::action::done);
  REQUIRE(!s.transcript().empty());
  CHECK(s.transcript().back().note == "the server reset the connection (Connection reset by peer)");
}

TEST_CASE("client: deadlines are per step; the wait is the step's, the scenario's, or --timeout") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "t", "timeout": "30s", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "NOOP"}, {"S": "250 ok", "timeout": "2s"}, {"pause": "1m"}]})json");
  ss::client_session s(scen, fixed_settings());
  const auto first = s.next();
  CHECK(first.what == kind::read);
  CHECK(first.wait == std::chrono::seconds(30));
  s.received("220 mx.ex");
  CHECK(s.next().deadline == first.deadline);  // the same reply: the same deadline, so a dribble cannot stretch it
  s.received("ample ESMTP\r\n");
  CHECK(s.next().what == kind::send);
  CHECK(s.next().bytes == "NOOP\r\n");
  s.sent();
  const auto second = s.next();
  CHECK(second.what == kind::read);
  CHECK(second.deadline != first.deadline);
  CHECK(second.wait == std::chrono::seconds(2));
  s.received("250 ok\r\n");
  CHECK(s.next().what == kind::pause);
  CHECK(s.next().wait == std::chrono::minutes(1));
  s.paused();
  CHECK(s.next().what == kind::done);
  CHECK(s.result().passed());
}

TEST_CASE("client: hostile replies end at a parser limit, in bounded memory") {
  const auto scen = scenario_of(delivery);
  auto settings = fixed_settings();
  settings.reply.max_line_length = 4096;
  settings.reply.max_lines = 100;
  SUBCASE("a 1 MB line") {
    ss::client_session s(scen, settings);
    const auto run = run_script(s, script{{"220 " + std::string(1 << 20, 'a')}});
    CHECK(run.outcome.verdict.message == "reply line longer than 4096 bytes while reading steps/0");
    CHECK(run.max_buffered <= 64 * 1024);
  }
  SUBCASE("endless continuation lines") {
    std::string flood;
    for (int i = 0; i < 100000; ++i) flood += "220-more\r\n";
    ss::client_session s(scen, settings);
    const auto run = run_script(s, script{{flood}});
    CHECK(run.outcome.verdict.message == "reply of more than 100 lines while reading steps/0");
    CHECK(run.max_buffered <= 64 * 1024);
  }
  SUBCASE("junk") {
    const auto run =
        run_every_split<ss::client_session>(scen, settings, script{{std::string("\x16\x03\x01\x02\x00\r\n", 7)}});
    CHECK(run.outcome.verdict.message == "a reply line does not start with a three-digit code while reading steps/0");
  }
  SUBCASE("replies ahead of their commands are kept for the steps that read them") {
    ss::client_session s(scen, settings);
    const auto run = run_script(
        s, script{{"220 mx.example ESMTP\r\n250-mx.example\r\n250 PIPELINING\r\n250 ok\r\n250 ok\r\n250 ok\r\n221 "
                   "bye\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.sent.ends_with("QUIT\r\n"));
  }
}

TEST_CASE("client: a reply that cannot be read shows its bytes up to the line that broke it, however they were cut") {
  const auto scen = scenario_of(delivery);
  const std::string greeting = "220 mx.example ESMTP\r\n";
  struct row {
    std::string stream;
    std::size_t max_line = 64;
    std::string message;
    std::string got;
  };
  const std::string sixty = "220-" + std::string(54, 'a') + "\r\n";
  const row rows[] = {
      {"2x0 hello\r\n220 more\r\n", 64, "a reply line does not start with a three-digit code while reading steps/0",
       R"("2x0 hello\r\n")"},
      {greeting + "250-a\r\n251 b\r\n250 c\r\n", 64,
       "the lines of a multi-line reply carry different codes while reading steps/2", R"("250-a\r\n251 b\r\n")"},
      {"220-a\r\n220 b\n", 64, "a reply line ends in a bare LF while reading steps/0", R"("220-a\r\n220 b\n")"},
      {"220 b\x1b[2J\rc\r\n", 64, "a bare CR inside a reply line while reading steps/0", R"("220 b\x1b[2J\rc\r\n")"},
      {"220 " + std::string(100, 'x') + "\r\n", 64, "reply line longer than 64 bytes while reading steps/0",
       "\"220 " + std::string(60, 'x') + "\""},
      {"220 " + std::string(400, 'x') + "\r\n", 300, "reply line longer than 300 bytes while reading steps/0",
       "\"220 " + std::string(196, 'x') + "...\""},
      {"220-ab\r\n220-ab\r\n220-ab\r\n220-ab\r\n220-ab\r\n220 ab\r\n", 64,
       "reply of more than 5 lines while reading steps/0", R"("220-ab\r\n220-ab\r\n220-ab\r\n220-ab\r\n220-ab\r\n")"},
      {sixty + sixty + sixty + sixty + sixty + sixty, 64, "reply of more than 5 lines while reading steps/0",
       "... \"220-" + std::string(54, 'a') + "\\r\\n\""},
  };
  for (const auto& r : rows) {
    CAPTURE(r.stream);
    auto settings = fixed_settings();
    settings.reply.max_line_length = r.max_line;
    settings.reply.max_lines = 5;
    const auto v = ehlo::test::parse_every_split(r.stream, [&](const ehlo::test::chunks& c) {
      ss::client_session s(scen, settings);
      return run_script(s, script{std::vector<std::string>(c.begin(), c.end())}).outcome.verdict;
    });
    CHECK(v.message == r.message);
    CHECK(v.got == r.got);
  }
}

TEST_CASE("client: bytes after STARTTLS's 220 are discarded and reported, never read as TLS-protected") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "starttls", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"},
    {"S": ["250-mx.example", "250 STARTTLS"], "offers": ["STARTTLS"]},
    {"C": "STARTTLS"}, {"S": "220 ready"}, {"tls": "start"},
    {"C": "EHLO client.example"}, {"S": ["250-mx.example", "250 PIPELINING"], "lacks": ["AUTH"]},
    {"C": "QUIT"}, {"S": "221 bye"}]})json");
  ss::client_session s(scen, fixed_settings());
  const std::string before = "220 mx.example ESMTP\r\n250-mx.example\r\n250 STARTTLS\r\n";
  // A man in the middle appends a reply in plaintext right after the 220.
  const auto run = run_script(s, script{{"220 mx.example ESMTP\r\n", "250-mx.example\r\n250 STARTTLS\r\n",
                                         "220 ready\r\n250-mx.example\r\n250 AUTH PLAIN\r\n",
                                         "250-mx.example\r\n250 PIPELINING\r\n", "221 bye\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.outcome.findings ==
        std::vector<std::string>{"[3207] steps/5 @" + std::to_string(before.size() + 11) +
                                 ": bytes after STARTTLS's 220 reply, before the TLS handshake (discarded)"});
  CHECK(s.tls_version() == "TLSv1.3");
  CHECK(!s.capabilities().has(ehlo::proto::keyword::auth));
  CHECK(s.capabilities().has(ehlo::proto::keyword::pipelining));
  CHECK(run.sent == "EHLO client.example\r\nSTARTTLS\r\nEHLO client.example\r\nQUIT\r\n");
}

TEST_CASE("client: a failed handshake names the step") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "smtps", "tls": "implicit", "steps": [
    {"S": "220 mx.example ESMTP"}]})json");
  ss::client_session s(scen, fixed_settings());
  CHECK(s.next().what == kind::start_tls);
  script peer{{}};
  peer.tls_failure = "certificate verify failed";
  const auto run = run_script(s, peer);
  CHECK(run.outcome.verdict.message == "the TLS handshake failed at tls: certificate verify failed");
}

TEST_CASE("client: a server certificate a verifying client would refuse is a finding at the TLS step") {
  const auto starttls = scenario_of(R"json({"version": 1, "name": "starttls", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "STARTTLS"}, {"S": "220 ready"}, {"tls": "start"},
    {"C": "QUIT"}, {"S": "221 bye"}]})json");
  const std::string before = "220 mx.example ESMTP\r\n220 ready\r\n";
  script peer{{"220 mx.example ESMTP\r\n", "220 ready\r\n", "221 bye\r\n"}};
  SUBCASE("STARTTLS: at its step, at the stream offset of the handshake; the session goes on") {
    peer.tls_unverified = "self-signed certificate; hostname mismatch (mx.example)";
    const auto run = run_every_split<ss::client_session>(starttls, fixed_settings(), peer);
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.outcome.findings ==
          std::vector<std::string>{"[3207-4.1] steps/3 @" + std::to_string(before.size()) +
                                   ": the server's certificate would not pass a verifying client: self-signed "
                                   "certificate; hostname mismatch (mx.example)"});
    CHECK(run.sent == "STARTTLS\r\nQUIT\r\n");
  }
  SUBCASE("implicit TLS: at \"tls\", offset 0") {
    const auto smtps = scenario_of(R"json({"version": 1, "name": "smtps", "tls": "implicit", "steps": [
      {"S": "220 mx.example ESMTP"}, {"C": "QUIT"}, {"S": "221 bye"}]})json");
    script p{{"220 mx.example ESMTP\r\n", "221 bye\r\n"}};
    p.tls_unverified = "certificate has expired";
    ss::client_session s(smtps, fixed_settings());
    const auto run = run_script(s, p);
    CHECK(run.outcome.verdict == ss::verdict{});
    REQUIRE(s.findings().size() == 1);
    const auto& f = s.findings()[0];
    CHECK(f.broken == &ehlo::proto::rules::tls_certificate);
    CHECK(f.pointer == "tls");
    CHECK(f.offset == 0);
    CHECK(f.detail == "certificate has expired");
  }
  SUBCASE("the reason is made printable; past max_findings it is counted") {
    peer.tls_unverified = "bad\x1b[31m name";
    ss::client_session s(starttls, fixed_settings());
    run_script(s, peer);
    REQUIRE(s.findings().size() == 1);
    CHECK(s.findings()[0].detail == "bad\\x1b[31m name");
    auto none = fixed_settings();
    none.max_findings = 0;
    ss::client_session t(starttls, none);
    run_script(t, peer);
    CHECK(t.findings().empty());
    CHECK(t.findings_dropped() == 1);
  }
  SUBCASE("only while starting TLS, and only in the client role") {
    ss::client_session s(starttls, fixed_settings());
    s.tls_unverified("self-signed certificate");  // waiting for the greeting
    CHECK(s.findings().empty());
    ss::server_session server(starttls, fixed_settings());
    const auto run = run_script(server, script{{"STARTTLS\r\n", "QUIT\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    server.tls_unverified("self-signed certificate");
    CHECK(server.findings().empty());
  }
}

TEST_CASE("client: the whole-session limit ends the session at the step it was at") {
  const auto scen = scenario_of(delivery);
  SUBCASE("waiting for a reply") {
    ss::client_session s(scen, fixed_settings());
    REQUIRE(s.next().what == kind::read);
    s.received("220 mx.example ESMTP\r\n");
    REQUIRE(s.next().what == kind::send);  // EHLO
    s.sent();
    s.received("250-mx.example\r\n250 PIPELINING\r\n");
    for (int i = 0; i < 3; ++i) {  // MAIL, RCPT, RCPT
      REQUIRE(s.next().what == kind::send);
      s.sent();
    }
    REQUIRE(s.next().what == kind::read);
    s.expired(std::chrono::minutes(5));
    CHECK(s.next().what == kind::done);
    CHECK(s.result().pointer == "steps/6");
    CHECK(s.result().message == "the session took longer than 5m (the whole-session limit); it was at steps/6");
    s.timed_out();  // nothing changes once done
    s.expired(std::chrono::seconds(1));
    CHECK(s.result().message == "the session took longer than 5m (the whole-session limit); it was at steps/6");
  }
  SUBCASE("in the implicit TLS handshake") {
    const auto smtps = scenario_of(R"json({"version": 1, "name": "smtps", "tls": "implicit", "timeout": "2s",
      "steps": [{"S": "220 mx.example ESMTP"}]})json");
    ss::client_session s(smtps, fixed_settings());
    REQUIRE(s.next().what == kind::start_tls);
    s.expired(std::chrono::milliseconds(1500));
    CHECK(s.result().pointer == "tls");
    CHECK(s.result().message == "the session took longer than 1.5s (the whole-session limit); it was at tls");
  }
  SUBCASE("the server role, in a pause, with the step's note") {
    const auto paused = scenario_of(R"json({"version": 1, "name": "p", "steps": [
      {"S": "220 mx.example ESMTP"}, {"pause": "10m", "note": "a long pause"}, {"C": "QUIT"}]})json");
    ss::server_session s(paused, fixed_settings());
    REQUIRE(s.next().what == kind::send);
    s.sent();
    REQUIRE(s.next().what == kind::pause);
    s.expired(std::chrono::seconds(30));
    CHECK(s.result().pointer == "steps/1");
    CHECK(s.result().note == "a long pause");
    CHECK(s.result().message == "the session took longer than 30s (the whole-session limit); it was at steps/1");
  }
}

TEST_CASE("client: optional replies and alternatives") {
  SUBCASE("an optional reply that does not come in time is left out") {
    const auto scen = scenario_of(R"json({"version": 1, "name": "o", "steps": [
      {"S": "220 mx.example ESMTP"}, {"S": "250 late banner", "optional": true, "timeout": "1s"},
      {"C": "QUIT"}, {"S": "221 bye"}]})json");
    const auto run = run_every_split<ss::client_session>(scen, fixed_settings(),
                                                         script{{"220 mx.example ESMTP\r\n", silence, "221 bye\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.sent == "QUIT\r\n");
  }
  SUBCASE("an optional reply that does not match is left out, and what came is tried on the next step") {
    const auto scen = scenario_of(R"json({"version": 1, "name": "o", "steps": [
      {"S": "220 mx.example ESMTP"}, {"C": "NOOP"}, {"S": "250 ok", "optional": true},
      {"C": "QUIT"}, {"S": "221 bye"}]})json");
    const auto run = run_every_split<ss::client_session>(scen, fixed_settings(),
                                                         script{{"220 mx.example ESMTP\r\n", "500 unknown\r\n"}});
    CHECK(run.sent == "NOOP\r\nQUIT\r\n");
    CHECK(run.outcome.verdict.message == "steps/4: expected 221 (S \"221 bye\"), got 500 unknown");
  }
  SUBCASE("the first branch whose first step fits is taken") {
    const auto scen = scenario_of(R"json({"version": 1, "name": "o", "steps": [
      {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"},
      {"one_of": [[{"S": "250 mx.example"}, {"C": "QUIT"}],
                  [{"S": "502 no EHLO", "code": "5xx"}, {"C": "HELO client.example"}, {"S": "250 ok"}, {"C": "QUIT"}]]},
      {"S": "221 bye"}]})json");
    const auto run = run_every_split<ss::client_session>(
        scen, fixed_settings(), script{{"220 mx.example ESMTP\r\n", "500 what\r\n", "250 ok\r\n", "221 bye\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.sent == "EHLO client.example\r\nHELO client.example\r\nQUIT\r\n");
  }
  SUBCASE("no branch fits") {
    const auto scen = scenario_of(R"json({"version": 1, "name": "o", "steps": [
      {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"},
      {"one_of": [[{"S": "250 mx.example"}], [{"S": "502 no EHLO"}]]}]})json");
    const auto run = run_every_split<ss::client_session>(scen, fixed_settings(),
                                                         script{{"220 mx.example ESMTP\r\n", "421 bye\r\n"}});
    CHECK(run.outcome.verdict.message ==
          "steps/2: expected one of 2 alternatives: [1] 250 (S \"250 mx.example\"); [2] 502 (S \"502 no EHLO\"), got "
          "421 bye");
    CHECK(run.outcome.verdict.expected ==
          "one of 2 alternatives: [1] 250 (S \"250 mx.example\"); [2] 502 (S \"502 no EHLO\")");
    CHECK(run.outcome.verdict.got == "421 bye");
  }
  SUBCASE("no branch fits: each says what it expected, as a plain step does") {
    // Codes, a status, a text; a branch of optional steps only says what its first one expected.
    const auto scen = scenario_of(R"json({"version": 1, "name": "o", "steps": [
      {"S": "220 mx.example ESMTP"}, {"C": "RCPT TO:<a@example.org>"},
      {"one_of": [[{"S": "250 ok", "code": ["250", "251"]}],
                  [{"S": "550 5.1.1 no such user", "status": "5.1.1"}],
                  [{"S": "553 mailbox name not allowed", "text": "not allowed"}],
                  [{"S": "450 try later", "optional": true}]]},
      {"C": "QUIT"}, {"S": "221 bye"}]})json");
    const auto run = run_every_split<ss::client_session>(
        scen, fixed_settings(), script{{"220 mx.example ESMTP\r\n", "553 5.1.3 bad address syntax\r\n"}});
    CHECK(run.outcome.verdict.pointer == "steps/2");
    CHECK(run.outcome.verdict.expected ==
          "one of 4 alternatives: [1] 250 or 251 (S \"250 ok\"); [2] 550 (S \"550 5.1.1 no such user\"); "
          "[3] text matching /not allowed/ (S \"553 mailbox name not allowed\"); [4] 450 (S \"450 try later\")");
    CHECK(run.outcome.verdict.message ==
          "steps/2: expected " + run.outcome.verdict.expected + ", got 553 5.1.3 bad address syntax");
  }
}

TEST_CASE("client: status, text, offers, lacks and captures") {
  const auto fails_with = [](std::string_view steps, std::string reply) {
    const auto scen = scenario_of("{\"version\": 1, \"name\": \"k\", \"steps\": [" + std::string(steps) + "]}");
    const auto run = run_every_split<ss::client_session>(scen, fixed_settings(), script{{std::move(reply)}});
    return run.outcome.verdict.message;
  };
  CHECK(fails_with(R"({"S": "250 2.1.5 Ok", "status": "2.1.5"})", "250 2.1.0 Ok\r\n") ==
        "steps/0: expected status 2.1.5 (S \"250 2.1.5 Ok\"), got 250 2.1.0 Ok");
  CHECK(fails_with(R"({"S": "250 2.1.5 Ok", "status": "2.1.x"})", "250 2.1.0 Ok\r\n").empty());
  CHECK(fails_with(R"({"S": "250 Ok", "status": "2.0.0"})", "250 Ok\r\n") ==
        "steps/0: expected status 2.0.0 (S \"250 Ok\"), got 250 Ok");
  CHECK(fails_with(R"({"S": "250 queued", "text": "queued as [0-9A-F]+"})", "250-ok\r\n250 queued\r\n") ==
        "steps/0: expected text matching /queued as [0-9A-F]+/ (S \"250 queued\"), got 250-ok / 250 queued");
  CHECK(fails_with(R"({"S": "250 queued", "text": "^ok\nqueued$"})", "250-ok\r\n250 queued\r\n").empty());
  CHECK(fails_with(R"({"S": "250 x", "code": ["251", "4xx"]})", "250 x\r\n") ==
        "steps/0: expected 251 or 4xx (S \"250 x\"), got 250 x");
  CHECK(fails_with(R"({"S": ["250-mx.example", "250 STARTTLS"], "offers": ["STARTTLS"]})",
                   "250-mx.example\r\n250 PIPELINING\r\n") ==
        "steps/0: expected an EHLO reply offering STARTTLS (S \"250-mx.example\" ...), got 250-mx.example / 250 "
        "PIPELINING");
  CHECK(fails_with(R"({"S": ["250-mx.example", "250 AUTH PLAIN"], "lacks": ["AUTH LOGIN"]})",
                   "250-mx.example\r\n250 AUTH=PLAIN LOGIN\r\n") ==
        "steps/0: expected an EHLO reply not offering AUTH LOGIN (S \"250-mx.example\" ...), got 250-mx.example / "
        "250 AUTH=PLAIN LOGIN");
  CHECK(fails_with(R"({"S": ["250-mx.example", "250 AUTH PLAIN"], "offers": ["AUTH PLAIN", "SIZE"]})",
                   "250-mx.example\r\n250-SIZE 1000\r\n250 AUTH LOGIN plain\r\n")
            .empty());
  CHECK(fails_with(R"j({"S": "250 queued", "capture": {"id": "queued as ([0-9A-F]+)"}}, {"C": "NOOP ${id}"})j",
                   "250 ok\r\n") == "steps/0: capture \"id\": /queued as ([0-9A-F]+)/ does not match \"250 ok\"");
}

TEST_CASE("client: a regular expression is not run over a subject longer than the limit") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "r", "steps": [{"S": "250 ok", "text": "ok"}]})json");
  auto settings = fixed_settings();
  settings.max_regex_subject = 8;
  ss::client_session s(scen, settings);
  const auto run = run_script(s, script{{"250 this is too long\r\n"}});
  CHECK(run.outcome.verdict.message ==
        "steps/0: text /ok/: the text is 16 bytes, more than the 8 a regular expression is run over");
}

TEST_CASE("client: captures go into variables that later steps use") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "c", "steps": [
    {"S": "250 2.0.0 Ok: queued as 15668AD9ED", "capture": {"id": "queued as ([0-9A-F]+)", "all": "^250 .*"}},
    {"C": "NOOP ${id} ${all}"}]})json");
  const auto run =
      run_every_split<ss::client_session>(scen, fixed_settings(), script{{"250 2.0.0 Ok: queued as ABC123\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.sent == "NOOP ABC123 250 2.0.0 Ok: queued as ABC123\r\n");
  CHECK(run.outcome.vars.at("id") == "ABC123");
}

TEST_CASE("client: a leading (?i) makes text and captures ignore case") {
  const auto run_with = [](std::string_view steps, std::string reply) {
    const auto scen = scenario_of("{\"version\": 1, \"name\": \"i\", \"steps\": [" + std::string(steps) + "]}");
    return run_every_split<ss::client_session>(scen, fixed_settings(), script{{std::move(reply)}});
  };
  CHECK(run_with(R"({"S": "250 OK", "text": "(?i)^OK$"})", "250 ok\r\n").outcome.verdict == ss::verdict{});
  CHECK(run_with(R"({"S": "250 OK", "text": "^OK$"})", "250 ok\r\n").outcome.verdict.message ==
        "steps/0: expected text matching /^OK$/ (S \"250 OK\"), got 250 ok");
  // The reply "250 ok" matched whole by "(?i)^250 OK$": a capture runs over the codes too.
  const auto run =
      run_with(R"j({"S": "250 OK", "capture": {"all": "(?i)^250 OK$"}}, {"C": "NOOP ${all}"})j", "250 ok\r\n");
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.outcome.vars.at("all") == "250 ok");
  CHECK(run.sent == "NOOP 250 ok\r\n");
  CHECK(run_with(R"j({"S": "250 OK", "capture": {"all": "^250 OK$"}}, {"C": "NOOP ${all}"})j", "250 ok\r\n")
            .outcome.verdict.message == "steps/0: capture \"all\": /^250 OK$/ does not match \"250 ok\"");
}

TEST_CASE("client: findings of the EHLO reply and of a reply to HELO that lists capabilities") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "f", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"}, {"S": ["250-mx.example", "250 SIZE 1000"]},
    {"C": "HELO client.example"}, {"S": ["250-mx.example", "250 PIPELINING"]}]})json");
  const std::string greeting = "220 mx.example ESMTP\r\n";
  const std::string ehlo = "250-mx.example\r\n250-AUTH=LOGIN\r\n250 SIZE big\r\n";
  const auto run = run_every_split<ss::client_session>(
      scen, fixed_settings(), script{{greeting, ehlo, "250-mx.example\r\n250 PIPELINING\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  const auto g = greeting.size();
  const auto e = g + ehlo.size();
  CHECK(run.outcome.findings ==
        std::vector<std::string>{
            "[5321-4.1.1.1] steps/2 @" + std::to_string(g + 20) + ": the pre-standard AUTH= form",
            "[1870-4] steps/2 @" + std::to_string(g + 41) + ": a SIZE parameter that is not a decimal number",
            "[5321-3.2] steps/4 @" + std::to_string(e + 16) + ": a reply to HELO that lists EHLO capabilities"});
}

TEST_CASE("client: secrets and AUTH exchanges are redacted in the transcript and in failures") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "s",
    "vars": {"user": "alice", "password": "wonderland"}, "secrets": ["password"],
    "steps": [
      {"S": "220 mx.example ESMTP"},
      {"C": "AUTH PLAIN ${auth_plain(user, password)}", "allow": ["auth-not-offered"]},
      {"S": "535 5.7.8 no"},
      {"C": "AUTH LOGIN", "allow": ["auth-not-offered"]},
      {"S": "334 VXNlcm5hbWU6"}, {"C": "${base64(user)}"},
      {"S": "334 UGFzc3dvcmQ6"}, {"C": "${base64(password)}"},
      {"S": "235 ok"},
      {"C": "NOOP ${password}"},
      {"S": "250 ${password} accepted", "text": "accepted"}]})json");
  const script peer{{"220 mx.example ESMTP\r\n", "535 5.7.8 no\r\n", "334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n",
                     "235 ok\r\n", "250 wonderland refused\r\n"}};
  const auto run = run_every_split<ss::client_session>(scen, fixed_settings(), peer);
  CHECK(texts(run.outcome.transcript) ==
        std::vector<std::string>{"S: 220 mx.example ESMTP", "C: AUTH PLAIN <redacted>", "S: 535 5.7.8 no",
                                 "C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: <redacted>", "S: 334 UGFzc3dvcmQ6",
                                 "C: <redacted>", "S: 235 ok", "C: NOOP <redacted>"});
  CHECK(run.outcome.verdict.message ==
        "steps/10: expected text matching /accepted/ (S \"250 <redacted> accepted\"), got 250 <redacted> refused");
  CHECK(run.sent.find("wonderland") != std::string::npos);  // the wire carries it, of course

  auto shown = fixed_settings();
  shown.show_secrets = true;
  ss::client_session s(scen, shown);
  const auto visible = run_script(s, peer);
  CHECK(texts(visible.outcome.transcript)[5] == "C: YWxpY2U=");
  CHECK(texts(visible.outcome.transcript)[9] == "C: NOOP wonderland");
}

TEST_CASE("client: BDAT sends its size and the chunk exactly; a raw S step expects its bytes exactly") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "b", "steps": [
    {"S": "220 mx.example ESMTP\r\n", "raw": true}, {"bdat": "hello\r\n.\r\n"}, {"S": "250 ok"},
    {"bdat": "", "last": true}, {"S": "250 done"}]})json");
  const auto run = run_every_split<ss::client_session>(
      scen, fixed_settings(), script{{"220 mx.example ESMTP\r\n", "250 ok\r\n", "250 done\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.sent == "BDAT 10\r\nhello\r\n.\r\nBDAT 0 LAST\r\n");

  const auto raw = run_every_split<ss::client_session>(scen, fixed_settings(), script{{"220 mx.example ESMTP\n"}});
  CHECK(raw.outcome.verdict.message ==
        "steps/0: expected \"220 mx.example ESMTP\\r\\n\" (raw S), got \"220 mx.example ESMTP\\n\"");
}

TEST_CASE("client: the state log names each transition, bounded") {
  const auto scen = scenario_of(delivery);
  auto settings = fixed_settings();
  ss::client_session s(scen, settings);
  s.received("220 mx.example ESMTP\r\n");
  std::vector<std::string> log;
  for (const auto& t : s.state_log()) log.push_back(ss::to_string(t));
  CHECK(log == std::vector<std::string>{"steps/0: start -> reading", "steps/1: reading -> sending"});

  settings.max_state_log = 2;
  ss::client_session small(scen, settings);
  run_script(small, script{{"220 mx.example ESMTP\r\n250-mx.example\r\n250 PIPELINING\r\n250 ok\r\n"}});
  CHECK(small.state_log().size() == 2);
  CHECK(small.state_log_dropped() > 0);
  CHECK(ss::to_string(small.state_log().back()) == "steps/7: reading -> done");
}

TEST_CASE("client: a message attachment named by file is read from the settings' folder") {
  const auto folder = std::filesystem::temp_directory_path() / "ehlo-session-test";
  std::filesystem::create_directories(folder);
  {
    std::ofstream f(folder / "report.csv", std::ios::binary);
    f << "a,b\n1,2\n";
  }
  const auto scen = scenario_of(R"json({"version": 1, "name": "a", "steps": [
    {"S": "354 go"},
    {"message": {"headers": ["Subject: report"], "body": "attached\n",
                 "attachments": [{"name": "report.csv", "file": "report.csv"}]}}]})json");
  auto settings = fixed_settings();
  settings.folder = folder;
  ss::client_session s(scen, settings);
  const auto run = run_script(s, script{{"354 go\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.sent.find("Content-Type: text/csv") != std::string::npos);
  CHECK(run.sent.find("YSxiCjEsMgo=") != std::string::npos);
  CHECK(run.sent.ends_with("\r\n.\r\n"));

  settings.folder = folder / "nowhere";
  ss::client_session missing(scen, settings);
  const auto failed = run_script(missing, script{{"354 go\r\n"}});
  CHECK(failed.outcome.verdict.pointer == "steps/1");
  CHECK(failed.outcome.verdict.message.starts_with("steps/1: cannot read attachment "));
  CHECK(failed.sent.empty());
  std::filesystem::remove_all(folder);
}
