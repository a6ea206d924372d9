// Conformance probes in the sessions: a silent step (nothing comes for a
// while), verdict marks noted by the role that checks the peer, the branch
// --play asks the sending role to play, a probe's "needs" against the EHLO
// reply, and enhanced status codes once ENHANCEDSTATUSCODES is offered.
// Each whole and split at every byte.
#include <doctest/doctest.h>

#include "support/print_strings.hpp"
#include "support/session_driver.hpp"

namespace sc = ehlo::scenario;
namespace ss = ehlo::session;
using ehlo::test::scenario_of;
using ehlo::test::self_play;
using ehlo::test::self_play_every_split;
using namespace std::chrono_literals;

namespace {

// The shape of an end-of-data look-alike probe: after the look-alike, a
// conforming server says nothing (it is still reading the message); one that
// took it for the end of data answers at once. The {"pause"} placeholders
// become a silent step and marks below (the loader of the probe keys is not
// what this file tests).
constexpr std::string_view lookalike = R"json({
  "version": 1, "name": "lookalike",
  "steps": [
    {"S": "220 mx.example ESMTP"},
    {"C": "EHLO client.example"},
    {"S": ["250-mx.example", "250 PIPELINING"]},
    {"C": "DATA"},
    {"S": "354 go ahead"},
    {"C": "x\n.\n", "raw": true},
    {"one_of": [[{"pause": "1s"}, {"C": "\r\n.\r\n", "raw": true}, {"S": "250 2.0.0 one message"}],
                [{"S": "250 2.0.0 ended at the look-alike", "code": "2xx"}],
                [{"S": "550 5.5.2 bare LF refused", "code": "5xx"}]]},
    {"C": "QUIT"},
    {"S": "221 bye"}
  ]
})json";

sc::verdict_mark mark(sc::verdict_kind k) {
  sc::verdict_mark m;
  m.is = k;
  return m;
}

sc::scenario lookalike_probe() {
  sc::scenario s = scenario_of(lookalike);
  s.probe.emplace();
  s.probe->title = "a look-alike does not end DATA";
  s.probe->category = "smuggling";
  s.probe->rules = {"5321-4.1.1.4"};
  auto& branches = std::get<sc::one_of_step>(s.steps[6].what).branches;
  branches[0][0].what = sc::silent_step{true, 1s};
  branches[0][0].mark = mark(sc::verdict_kind::conforms);
  branches[1][0].mark = mark(sc::verdict_kind::violates);
  branches[2][0].mark = mark(sc::verdict_kind::conforms);
  return s;
}

}  // namespace

TEST_CASE("probe: a silent branch is taken when nothing comes; the client notes its mark") {
  const auto played = self_play_every_split(lookalike_probe());
  CHECK(played.client.verdict.passed());
  CHECK(played.server.verdict.passed());
  CHECK(ehlo::test::texts(played.client.transcript) ==
        std::vector<std::string>{"S: 220 mx.example ESMTP", "C: EHLO client.example", "S: 250-mx.example",
                                 "S: 250 PIPELINING", "C: DATA", "S: 354 go ahead", "C: x\n.\n", "C: .",
                                 "S: 250 2.0.0 one message", "C: QUIT", "S: 221 bye"});
}

TEST_CASE("probe: --play makes the sending role play the branch of that verdict; the checking role notes the mark") {
  const auto probe = lookalike_probe();
  for (const auto& [wanted, first_line] :
       {std::pair{sc::verdict_kind::conforms, std::string("S: 250 2.0.0 one message")},
        std::pair{sc::verdict_kind::violates, std::string("S: 250 2.0.0 ended at the look-alike")}}) {
    CAPTURE(static_cast<int>(wanted));
    ss::settings s = ehlo::test::fixed_settings();
    s.play = wanted;
    for (const bool bytewise : {false, true}) {
      ss::client_session client(probe, s);
      ss::server_session server(probe, s);
      ehlo::test::drive_pair(client, server, {.byte_at_a_time = bytewise});
      CHECK(client.result().passed());
      REQUIRE(client.mark());
      CHECK(client.mark()->mark.is == wanted);
      CHECK(client.mark()->pointer ==
            (wanted == sc::verdict_kind::conforms ? "steps/6/one_of/0/0" : "steps/6/one_of/1/0"));
      CHECK(client.mark()->code == (wanted == sc::verdict_kind::conforms ? 0u : 250u));
      CHECK(client.mark()->evidence ==
            (wanted == sc::verdict_kind::conforms ? "nothing for 1s" : "250 2.0.0 ended at the look-alike"));
      CHECK_FALSE(server.mark());  // marks on S steps are the client's to note
      const auto lines = ehlo::test::texts({client.transcript().begin(), client.transcript().end()});
      CHECK(std::find(lines.begin(), lines.end(), first_line) != lines.end());
    }
  }
}

TEST_CASE("probe: a silent step fails when something comes, or the peer closes") {
  sc::scenario s = scenario_of(R"json({
    "version": 1, "name": "silent",
    "steps": [{"S": "220 mx.example ESMTP"}, {"pause": "1s"}, {"C": "QUIT"}, {"S": "221 bye"}]
  })json");
  s.steps[1].what = sc::silent_step{true, 2s};
  const auto client_of = [&](std::vector<std::string> chunks) {
    return ehlo::test::run_every_split<ss::client_session>(s, ehlo::test::fixed_settings(), {std::move(chunks)})
        .outcome;
  };
  SUBCASE("a reply during the silence") {
    const auto out = client_of({"220 mx.example ESMTP\r\n", "250 too soon\r\n"});
    CHECK_FALSE(out.verdict.passed());
    CHECK(out.verdict.pointer == "steps/1");
    CHECK(out.verdict.expected == "nothing from the server for 2s");
    CHECK(out.verdict.got == "250 too soon");
  }
  SUBCASE("silence, then QUIT") {
    const auto out = client_of({"220 mx.example ESMTP\r\n", ehlo::test::silence, "221 bye\r\n"});
    CHECK(out.verdict.passed());
    CHECK(ehlo::test::texts(out.transcript) ==
          std::vector<std::string>{"S: 220 mx.example ESMTP", "C: QUIT", "S: 221 bye"});
  }
}

TEST_CASE("probe: needs the server does not offer end the session, not applicable") {
  sc::scenario s = scenario_of(R"json({
    "version": 1, "name": "needs",
    "steps": [{"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"},
              {"S": ["250-mx.example", "250 PIPELINING"]},
              {"bdat": "hi", "last": true}, {"S": "250 ok"}, {"C": "QUIT"}, {"S": "221 bye"}]
  })json");
  s.probe.emplace();
  s.probe->rules = {"3030"};
  s.probe->needs = {"CHUNKING", "PIPELINING", "AUTH PLAIN"};
  ss::client_session client(s, ehlo::test::fixed_settings());
  ss::server_session server(s, ehlo::test::fixed_settings());
  ehlo::test::drive_pair(client, server, {});
  CHECK(client.result().passed());
  REQUIRE(client.mark());
  CHECK(client.mark()->mark.is == sc::verdict_kind::not_applicable);
  CHECK(client.mark()->mark.why == "the server does not offer CHUNKING, AUTH PLAIN");
  CHECK(client.unmet_needs() == std::vector<std::string>{"CHUNKING", "AUTH PLAIN"});
}

TEST_CASE("probe: needs wait for the EHLO inside TLS, but STARTTLS itself does not") {
  // AUTH offered only after STARTTLS (a submission server) meets the need
  // inside TLS; a server that does not offer STARTTLS is told at once, before
  // a STARTTLS it never offered is sent.
  constexpr std::string_view text = R"json({
    "version": 1, "name": "needs-tls",
    "steps": [{"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"},
              {"S": ["250-mx.example", "250 PIPELINING"]},
              {"C": "STARTTLS"}, {"S": "220 go ahead"}, {"tls": "start"},
              {"C": "EHLO client.example"}, {"S": ["250-mx.example", "250 AUTH PLAIN"]},
              {"C": "QUIT"}, {"S": "221 bye"}]
  })json";
  sc::scenario s = scenario_of(text);
  s.probe.emplace();
  s.probe->rules = {"4954"};
  SUBCASE("AUTH PLAIN offered inside TLS only") {
    s.probe->needs = {"AUTH PLAIN"};
    ss::client_session client(s, ehlo::test::fixed_settings());
    ss::server_session server(s, ehlo::test::fixed_settings());
    ehlo::test::drive_pair(client, server, {});
    CHECK(client.result().passed());
    CHECK_FALSE(client.mark());
    CHECK(client.unmet_needs().empty());
  }
  SUBCASE("STARTTLS not offered: stopped at the first EHLO reply") {
    s.probe->needs = {"STARTTLS", "AUTH PLAIN"};
    ss::client_session client(s, ehlo::test::fixed_settings());
    ss::server_session server(s, ehlo::test::fixed_settings());
    ehlo::test::drive_pair(client, server, {});
    REQUIRE(client.mark());
    CHECK(client.mark()->mark.is == sc::verdict_kind::not_applicable);
    CHECK(client.mark()->mark.why == "the server does not offer STARTTLS, AUTH PLAIN");
    CHECK(client.mark()->pointer == "steps/3");
    const auto t = client.transcript();
    CHECK(ehlo::test::texts({t.begin(), t.end()}).back() == "S: 250 PIPELINING");
  }
}

TEST_CASE("probe: once ENHANCEDSTATUSCODES is offered, a 2xx/4xx/5xx reply without one is a finding") {
  const sc::scenario s = scenario_of(R"json({
    "version": 1, "name": "enhanced",
    "steps": [{"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"},
              {"S": ["250-mx.example", "250 ENHANCEDSTATUSCODES"]},
              {"C": "MAIL FROM:<a@example.org>"}, {"S": "250 2.1.0 Ok"},
              {"C": "RCPT TO:<b@example.com>"}, {"S": "550 no such user"},
              {"C": "DATA"}, {"S": "503 need RCPT", "note": "neither"},
              {"C": "QUIT"}, {"S": "221 2.0.0 Bye"}]
  })json");
  const auto out = self_play_every_split(s);
  CHECK(out.client.verdict.passed());
  CHECK(out.client.findings ==
        std::vector<std::string>{
            "[3463] steps/6 @77: a reply without an enhanced status code, after ENHANCEDSTATUSCODES was offered",
            "[3463] steps/8 @95: a reply without an enhanced status code, after ENHANCEDSTATUSCODES was offered"});
}
