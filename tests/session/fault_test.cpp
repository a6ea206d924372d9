// Fault injection (scenario::fault_plan, scenarios/README.md "Faults"): what
// the sending role writes, in which pieces, with which pauses and closes; what
// the receiving role of a self-play makes of it. The peer's bytes are
// delivered whole and one at a time.
#include <doctest/doctest.h>

#include <numeric>
#include <set>

#include "support/session_driver.hpp"

namespace sc = ehlo::scenario;
namespace ss = ehlo::session;
using ehlo::test::fixed_settings;
using ehlo::test::run_every_split;
using ehlo::test::run_script;
using ehlo::test::scenario_of;
using ehlo::test::script;
using ehlo::test::self_play_every_split;
using kind = ss::action::kind;
using namespace std::chrono_literals;

namespace {

/// A server scenario whose greeting carries `fault` (JSON members), then EHLO and QUIT.
sc::scenario greeting_with(const std::string& fault) {
  return scenario_of(R"({"version": 1, "name": "fault", "steps": [
    {"S": ["220-mx.example ESMTP", "220 ready"], )" +
                     fault + R"(},
    {"C": "QUIT"},
    {"S": "221 bye"}]})");
}

const script quit{{"QUIT\r\n"}};

std::size_t count(const std::vector<kind>& actions, kind k) {
  return static_cast<std::size_t>(std::count(actions.begin(), actions.end(), k));
}

std::vector<std::string> notes(const ehlo::test::role_outcome& o) {
  std::vector<std::string> out;
  for (const auto& t : o.transcript)
    if (!t.note.empty()) out.push_back(t.note);
  return out;
}

}  // namespace

TEST_CASE("fault: chunks of given sizes, the last repeating, with a gap and a delay before the first") {
  const auto run = run_every_split<ss::server_session>(
      greeting_with(R"("chunks": [3, 1], "gap": "5ms", "delay": "20ms")"), fixed_settings(), quit);
  CHECK(run.outcome.verdict == ss::verdict{});
  const std::vector<std::string> first(run.writes.begin(), run.writes.begin() + 5);
  CHECK(first == std::vector<std::string>{"220", "-", "m", "x", "."});
  CHECK(std::accumulate(run.writes.begin(), run.writes.end() - 1, std::string()) ==
        "220-mx.example ESMTP\r\n220 ready\r\n");
  CHECK(run.writes.back() == "221 bye\r\n");  // a step without faults is one write
  // The delay, then a gap between each two of the greeting's 33 - 3 + 1 = 31 writes.
  REQUIRE(run.pauses.size() == 31);
  CHECK(run.pauses[0] == 20ms);
  CHECK(std::all_of(run.pauses.begin() + 1, run.pauses.end(), [](auto d) { return d == 5ms; }));
  CHECK(notes(run.outcome) == std::vector<std::string>{"fault: after 20ms, writes of 3, 1 bytes, 5ms between writes"});
}

TEST_CASE("fault: bytewise writes a byte per send; without a gap there is no pause") {
  const auto run =
      run_every_split<ss::server_session>(greeting_with(R"("chunks": "bytewise")"), fixed_settings(), quit);
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.writes.size() == 33 + 1);
  CHECK(std::all_of(run.writes.begin(), run.writes.end() - 1, [](const std::string& w) { return w.size() == 1; }));
  CHECK(run.pauses.empty());
  CHECK(run.sent == "220-mx.example ESMTP\r\n220 ready\r\n221 bye\r\n");
}

TEST_CASE("fault: random chunks are 1 to 64 bytes, the same for the same seed and others for another") {
  const std::string big(2000, 'x');
  const auto scen = scenario_of(R"({"version": 1, "name": "fault", "steps": [
    {"S": "250 )" + big + R"(", "chunks": "random", "allow": ["long-line"]}]})");
  const auto sizes_for = [&](std::uint64_t seed) {
    auto settings = fixed_settings();
    settings.seed = seed;
    const auto run = run_every_split<ss::server_session>(scen, settings, script{{}});
    CHECK(run.sent == "250 " + big + "\r\n");
    std::vector<std::size_t> sizes;
    for (const auto& w : run.writes) sizes.push_back(w.size());
    return sizes;
  };
  const auto a = sizes_for(42), b = sizes_for(42), c = sizes_for(43);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(std::all_of(a.begin(), a.end(), [](std::size_t n) { return n >= 1 && n <= 64; }));
  // Spread over the range, not stuck at one size.
  CHECK(std::set<std::size_t>(a.begin(), a.end()).size() > 20);
  CHECK(sc::uses_seed(scen));
  CHECK_FALSE(sc::uses_seed(greeting_with(R"("chunks": "bytewise")")));
}

TEST_CASE("fault: line_end sends every CRLF of the step as a bare LF or CR, the end of data included") {
  SUBCASE("a reply, as the server") {
    const auto lf = run_every_split<ss::server_session>(greeting_with(R"("line_end": "LF")"), fixed_settings(), quit);
    CHECK(lf.sent == "220-mx.example ESMTP\n220 ready\n221 bye\r\n");
    const auto cr = run_every_split<ss::server_session>(greeting_with(R"("line_end": "CR")"), fixed_settings(), quit);
    CHECK(cr.sent == "220-mx.example ESMTP\r220 ready\r221 bye\r\n");
  }
  SUBCASE("a message, as the client: the smuggling shape \\n.\\n") {
    const auto scen = scenario_of(R"({"version": 1, "name": "fault", "steps": [
      {"S": "354 go ahead"},
      {"message": "Subject: a\n\nbody\n", "line_end": "LF"},
      {"S": "250 queued"}]})");
    const auto run =
        run_every_split<ss::client_session>(scen, fixed_settings(), script{{"354 go ahead\r\n", "250 queued\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.sent == "Subject: a\n\nbody\n.\n");
  }
}

TEST_CASE("fault: cut sends the first bytes of the step and closes; the step passes for the sender") {
  const auto run = run_every_split<ss::server_session>(scenario_of(R"({"version": 1, "name": "fault", "steps": [
        {"S": "220 mx.example ESMTP"}, {"C": "QUIT"}, {"S": "221 2.0.0 bye", "cut": 5}]})"),
                                                       fixed_settings(), quit);
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.sent == "220 mx.example ESMTP\r\n221 2");
  CHECK(count(run.actions, kind::close) == 1);
  CHECK(run.actions.back() == kind::done);

  SUBCASE("cut 0 closes instead of sending") {
    const auto none = run_every_split<ss::server_session>(
        scenario_of(R"({"version": 1, "name": "fault", "steps": [{"S": "220 mx.example ESMTP", "cut": 0}]})"),
        fixed_settings(), script{{}});
    CHECK(none.sent.empty());
    CHECK(count(none.actions, kind::close) == 1);
  }
  SUBCASE("in self-play the strict client fails at the cut reply, naming it") {
    const auto play = self_play_every_split(scenario_of(R"({"version": 1, "name": "fault", "steps": [
        {"S": "220 mx.example ESMTP"}, {"C": "QUIT"}, {"S": "221 2.0.0 bye", "cut": 5}]})"));
    CHECK(play.server.verdict == ss::verdict{});
    CHECK(play.client.verdict.pointer == "steps/2");
    CHECK(play.client.verdict.message ==
          "the server closed the connection in the middle of a reply while steps/2 was expected");
  }
}

TEST_CASE("fault: inject sends lines the peer does not expect right after the step; the transcript says so") {
  const auto scen = scenario_of(R"({"version": 1, "name": "fault", "steps": [
    {"S": "220 mx.example ESMTP"},
    {"C": "STARTTLS"},
    {"S": "220 2.0.0 Ready to start TLS", "inject": ["250 injected", "250 ${who}"]},
    {"tls": "start"},
    {"C": "QUIT"},
    {"S": "221 bye"}],
    "vars": {"who": "twice"}})");
  SUBCASE("as the server: one write with both") {
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{"STARTTLS\r\n", "QUIT\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.writes[1] == "220 2.0.0 Ready to start TLS\r\n250 injected\r\n250 twice\r\n");
    const auto& t = run.outcome.transcript;
    REQUIRE(t.size() >= 4);
    CHECK(t[3].lines == std::vector<std::string>{"250 injected", "250 twice"});
    CHECK(t[3].note == "injected: the client does not expect these lines");
  }
  SUBCASE("in self-play the client drops them at the handshake and reports rule 3207 (CVE-2011-0411)") {
    const auto play = ehlo::test::self_play(scen);
    CHECK(play.client.verdict == ss::verdict{});
    CHECK(play.server.verdict == ss::verdict{});
    REQUIRE(play.client.findings.size() == 1);
    CHECK(play.client.findings[0].find("[3207]") != std::string::npos);
  }
}

TEST_CASE("fault: stall sends nothing and passes when the peer closes; fails when it stays") {
  const auto scen = scenario_of(R"({"version": 1, "name": "fault", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "EHLO c"}, {"S": "250 mx.example", "stall": "30s"}]})");
  SUBCASE("the client gives up (QUIT, then the close): pass, what it said in the transcript") {
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{"EHLO c\r\n", "QUIT\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.sent == "220 mx.example ESMTP\r\n");
    REQUIRE(run.outcome.transcript.size() == 3);
    CHECK(run.outcome.transcript[2].lines == std::vector<std::string>{"QUIT"});
  }
  SUBCASE("the client is still there when the stall is over: fail, naming the step") {
    auto s = script{{"EHLO c\r\n"}, true};
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), s);
    CHECK(run.outcome.verdict.pointer == "steps/2");
    CHECK(run.outcome.verdict.message ==
          "the client was still connected after 30s of silence at steps/2 (\"stall\": a client should give up and "
          "close)");
  }
  SUBCASE("what came in the same read as the step before is in the transcript too, the stall ending by its timeout") {
    // EHLO and NOOP in one read (byte by byte: NOOP comes during the stall); fuzz_server_session
    // found NOOP missing from the whole read's transcript.
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{"EHLO c\r\nNOOP\r\n"}, true});
    CHECK(run.outcome.verdict.message.find("after 30s of silence at steps/2") != std::string::npos);
    REQUIRE(run.outcome.transcript.size() == 3);
    CHECK(run.outcome.transcript[2].lines == std::vector<std::string>{"NOOP"});
  }
  SUBCASE("the stall's wait is its own: a --timeout does not shorten it") {
    auto settings = fixed_settings();
    settings.timeout = 1s;
    ss::server_session s(scen, settings);
    const auto run = run_script(s, script{{"EHLO c\r\n"}, true});
    CHECK(run.outcome.verdict.message.find("after 30s of silence") != std::string::npos);
  }
  SUBCASE("a client role stalls too: the server's idle timeout is what is tested") {
    const auto client = scenario_of(R"({"version": 1, "name": "fault", "steps": [
      {"S": "220 mx.example ESMTP"}, {"C": "EHLO c", "stall": "5m"}]})");
    const auto run = run_every_split<ss::client_session>(
        client, fixed_settings(), script{{"220 mx.example ESMTP\r\n", "421 4.4.2 idle for too long\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.sent.empty());
    REQUIRE(run.outcome.transcript.size() == 2);
    CHECK(run.outcome.transcript[1].lines == std::vector<std::string>{"421 4.4.2 idle for too long"});
  }
}

TEST_CASE("fault: tls abort reads the first bytes of the handshake and closes") {
  const auto scen = scenario_of(R"({"version": 1, "name": "fault", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "STARTTLS"}, {"S": "220 go ahead"}, {"tls": "abort"}]})");
  SUBCASE("the server role") {
    const auto run = run_every_split<ss::server_session>(
        scen, fixed_settings(), script{{"STARTTLS\r\n", std::string("\x16\x03\x01\x02\x00\x01", 6)}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(count(run.actions, kind::start_tls) == 0);
    CHECK(count(run.actions, kind::close) == 1);
  }
  SUBCASE("a client that closes instead of starting the handshake fails the step") {
    ss::server_session s(scen, fixed_settings());
    const auto run = run_script(s, script{{"STARTTLS\r\n"}});
    CHECK(run.outcome.verdict.message ==
          "the client closed the connection instead of starting the TLS handshake at steps/3");
  }
  SUBCASE("the client role runs the handshake as for start") {
    ss::client_session s(scen, fixed_settings());
    auto peer = script{{"220 mx.example ESMTP\r\n", "220 go ahead\r\n"}};
    peer.tls_failure = "stream truncated";
    const auto run = run_script(s, peer);
    CHECK(count(run.actions, kind::start_tls) == 1);
    CHECK(run.outcome.verdict.message == "the TLS handshake failed at steps/3: stream truncated");
  }
}

TEST_CASE("fault: a peer that closes during a gap fails the step being sent") {
  ss::server_session s(greeting_with(R"("chunks": [4], "gap": "1s")"), fixed_settings());
  CHECK(s.next().what == kind::send);
  s.sent();
  CHECK(s.next().what == kind::pause);
  s.peer_closed();
  CHECK(s.result().message == "the client closed the connection while steps/0 was sent");
}
