// The oracles, on executions made by hand: each fires on what it is for, and
// only there.
#include "campaign/oracle.hpp"

#include <doctest/doctest.h>

#include "campaign/case_form.hpp"
#include "proto/rules.hpp"
#include "support/session_driver.hpp"

namespace cp = ehlo::campaign;
namespace sc = ehlo::scenario;
namespace ss = ehlo::session;
using ehlo::test::scenario_of;

namespace {

sc::transcript_step S(std::vector<std::string> lines) { return {sc::side::server, std::move(lines)}; }
sc::transcript_step C(std::string line) { return {sc::side::client, {std::move(line)}}; }

/// A relaxed case: greeting, EHLO, MAIL (the reply there optional), QUIT.
sc::scenario played() {
  auto s = scenario_of(R"({"version": 1, "name": "c", "steps": [
    {"S": "220 mx", "code": "xxx"},
    {"C": "EHLO c"},
    {"S": "250 mx", "code": "xxx"},
    {"C": "MAIL FROM:<a@b>"},
    {"S": "250 ok", "code": "xxx", "optional": true, "timeout": "200ms"},
    {"C": "QUIT"},
    {"S": "221 bye", "code": "xxx"}]})");
  return s;
}

cp::execution timed_out_at(std::string pointer, std::vector<sc::transcript_step> t) {
  cp::execution e;
  e.timed_out = true;
  e.verdict.result = sc::outcome::fail;
  e.verdict.pointer = pointer;
  e.verdict.message = "timed out after 1s waiting for " + pointer;
  e.transcript = std::move(t);
  e.nudge = cp::execution::nudge_result::silent;
  return e;
}

std::vector<std::string> rules(const std::vector<cp::fuzz_finding>& f) {
  std::vector<std::string> out;
  for (const auto& x : f) out.push_back(std::string(cp::to_string(x.oracle)) + " " + x.rule);
  return out;
}

}  // namespace

TEST_CASE("oracle: a crash is the program's exit or signal, a sanitizer report, or a server gone") {
  cp::execution e;
  e.broken = true;
  e.exit_status = 21;
  CHECK(rules(cp::judge(e, played())) == std::vector<std::string>{"crash exit 21"});
  e.exit_status = 128 + 11;
  CHECK(rules(cp::judge(e, played())) == std::vector<std::string>{"crash signal 11 (SIGSEGV)"});
  e.output = "==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000011 at pc 0x55\n";
  const auto f = cp::judge(e, played());
  REQUIRE(f.size() == 1);
  CHECK(f[0].rule == "AddressSanitizer: heap-buffer-overflow");
  CHECK(f[0].detail.find("killed by signal 11") != std::string::npos);
  cp::execution gone;
  gone.broken = true;
  gone.fresh = cp::execution::liveness::refused;
  CHECK(rules(cp::judge(gone, played())) == std::vector<std::string>{"crash refused"});
  gone.fresh = cp::execution::liveness::greeted;
  CHECK(cp::judge(gone, played()).empty());
}

TEST_CASE("oracle: sanitizer reports name their kind, without addresses") {
  CHECK(cp::sanitizer_report("x\n==1==ERROR: LeakSanitizer: detected memory leaks\n") == "LeakSanitizer: detected");
  CHECK(cp::sanitizer_report("a.c:12:3: runtime error: signed integer overflow: 1 + 2\n") ==
        "runtime error: signed integer overflow");
  CHECK(cp::sanitizer_report("SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior a.c:1") ==
        "UndefinedBehaviorSanitizer: undefined-behavior");
  CHECK(cp::sanitizer_report("all is well\n").empty());
}

TEST_CASE("oracle: a client under test exits as it likes; a signal or its limit is a finding") {
  cp::execution e;
  e.plays = sc::side::server;
  e.exit_status = 1;
  CHECK(cp::judge(e, played()).empty());
  e.exit_status = 128 + 6;
  CHECK(rules(cp::judge(e, played())) == std::vector<std::string>{"crash signal 6 (SIGABRT)"});
  e.exit_status.reset();
  e.client_timed_out = true;
  CHECK(rules(cp::judge(e, played())) == std::vector<std::string>{"hang no-exit"});
  // Past its limit ehlo stops it with SIGTERM: that signal is the hang's, not a crash.
  e.exit_status = 128 + 15;
  CHECK(rules(cp::judge(e, played())) == std::vector<std::string>{"hang no-exit"});
}

TEST_CASE("oracle: a hang is no reply to a command, nor to the nudge after it; a fresh connection not greeted") {
  SUBCASE("EHLO sent whole, no reply") {
    const auto f = cp::judge(timed_out_at("steps/2", {S({"220 mx"}), C("EHLO c")}), played());
    CHECK(rules(f) == std::vector<std::string>{"hang no-reply"});
    CHECK(f[0].at == "steps/2");
  }
  SUBCASE("a reply the case lets go missing (after a bare LF) is no hang") {
    CHECK(
        cp::judge(timed_out_at("steps/4", {S({"220 mx"}), C("EHLO c"), S({"250 mx"}), C("MAIL FROM:<a@b>")}), played())
            .empty());
  }
  SUBCASE("inside a message no reply is due") {
    auto p = played();
    CHECK(cp::judge(timed_out_at("steps/6", {S({"220 mx"}), C("DATA"), S({"354 go"}), C("text")}), p).empty());
  }
  SUBCASE("a server that answers the nudge was waiting for more: no hang") {
    auto e = timed_out_at("steps/2", {S({"220 mx"}), C("EHLO c")});
    e.nudge = cp::execution::nudge_result::answered;
    CHECK(cp::judge(e, played()).empty());
    e.nudge = cp::execution::nudge_result::closed;
    CHECK(cp::judge(e, played()).empty());
  }
  SUBCASE("inside a BDAT chunk the server counts octets") {
    CHECK(cp::judge(timed_out_at("steps/2", {S({"220 mx"}), C("BDAT 100"), C("short")}), played()).empty());
  }
  SUBCASE("a fresh connection got nothing") {
    cp::execution e;
    e.peer_closed = true;
    e.fresh = cp::execution::liveness::silent;
    CHECK(rules(cp::judge(e, played())) == std::vector<std::string>{"hang not-greeted"});
  }
}

TEST_CASE("oracle: protocol: the peer's findings and lint, never ehlo's own; replies left over") {
  cp::execution e;
  e.transcript = {S({"220 mx"}), C("EHLO c"), S({"250 mx"}), S({"250 again"}), C("QUIT"), S({"221 bye"})};
  // The session's own finding, and one it is told to ignore.
  e.findings.push_back({&ehlo::proto::rules::closing, "the server closed the connection without a 221", 0, "steps/6"});
  e.findings.push_back({&ehlo::proto::rules::tls_certificate, "self-signed", 0, "tls"});
  auto f = cp::judge(e, played());
  CHECK(rules(f) == std::vector<std::string>{"protocol 5321-3.8", "protocol 5321-4.3.2"});
  // Where each showed: the close at the end, the reply no command asked for at its step.
  CHECK(f[0].step == std::optional<std::size_t>(5));
  CHECK(f[1].step == std::optional<std::size_t>(3));
  // Client lines that break rules are ehlo's mutations, not the server's fault.
  e.findings.clear();
  e.transcript = {S({"220 mx"}), C("EHLO c"), C("MAIL FROM:<a@b>"), S({"250 mx"}), S({"250 ok"})};
  CHECK(cp::judge(e, played()).empty());
  // Bytes after every command had its reply.
  e.transcript = {S({"220 mx"}), C("QUIT"), S({"221 bye"})};
  e.leftover = 9;
  CHECK(rules(cp::judge(e, played())) == std::vector<std::string>{"protocol 5321-4.3.2"});
  e.transcript.pop_back();  // QUIT still waits for its reply: the bytes are that
  CHECK(cp::judge(e, played()).empty());
}

TEST_CASE("oracle: conformance is the probe's verdict, judged as ehlo check judges it") {
  const auto probe = scenario_of(R"({"version": 1, "name": "p",
    "probe": {"title": "t", "category": "smuggling", "rules": ["5321-4.1.1.4"], "severity": "must", "checks": "server"},
    "steps": [
      {"S": "220 mx"},
      {"C": "DATA"},
      {"one_of": [[{"silent": "S", "for": "1s", "verdict": "conforms"}],
                  [{"S": "250 ok", "verdict": {"is": "violates", "why": "took it"}}]]}]})");
  cp::execution e;
  ss::probe_mark mark;
  mark.mark.is = sc::verdict_kind::violates;
  mark.mark.why = "took it";
  mark.pointer = "steps/2/one_of/1/0";
  mark.code = 250;
  mark.evidence = "250 ok";
  e.mark = mark;
  const auto f = cp::judge(e, probe);
  REQUIRE(f.size() == 1);
  CHECK(f[0].oracle == cp::oracle::conformance);
  CHECK(f[0].rule == "5321-4.1.1.4");
  CHECK(f[0].detail == "violates (must): t: took it (250 ok)");
  e.mark->mark.is = sc::verdict_kind::conforms;
  CHECK(cp::judge(e, probe).empty());
  // The question asked where the probe does not ask it: its gate (the reply
  // before it) lost its expectation, as a minimized case that dropped DATA and
  // its 354 would. No verdict, however the mark reads.
  auto ungated = probe;
  sc::reply_step& gate = std::get<sc::reply_step>(ungated.steps[0].what);
  gate.codes = {sc::code_pattern{}};
  e.mark->mark.is = sc::verdict_kind::violates;
  CHECK_FALSE(cp::gated(ungated, sc::side::client));
  CHECK(cp::judge(e, ungated).empty());
  CHECK(cp::gated(probe, sc::side::client));
}

TEST_CASE("campaign form: a probe's gate, the peer's step before its question, stays as written") {
  const auto probe = scenario_of(R"({"version": 1, "name": "p",
    "probe": {"title": "t", "category": "smuggling", "rules": ["5321-4.1.1.4"], "severity": "must", "checks": "server"},
    "steps": [
      {"S": "220 mx"},
      {"C": "DATA"},
      {"S": "354 go", "code": "354"},
      {"C": "x\n.\n", "raw": true},
      {"one_of": [[{"silent": "S", "for": "1s", "verdict": "conforms"}],
                  [{"S": "250 ok", "verdict": {"is": "violates", "why": "took it"}}]]}]})");
  std::string why;
  const auto form = cp::campaign_form(probe, sc::side::client, ".", {}, why);
  REQUIRE(form);
  CHECK(cp::question_at(*form, sc::side::client) == 3);
  CHECK(cp::guarded_from(*form, sc::side::client) == 2);
  CHECK(std::get<sc::reply_step>(form->steps[0].what).codes == std::vector<sc::code_pattern>{sc::code_pattern{}});
  CHECK(std::get<sc::reply_step>(form->steps[2].what).codes != std::vector<sc::code_pattern>{sc::code_pattern{}});
  CHECK(cp::gated(*form, sc::side::client));
}

TEST_CASE("oracle: memory: past the limit given, or four times the first sample and 64 MiB") {
  CHECK_FALSE(cp::memory_finding({}));
  CHECK_FALSE(cp::memory_finding({10000, 50000, 100000}));
  const auto grown = cp::memory_finding({10000, 200000});
  REQUIRE(grown);
  CHECK(grown->rule == "rss-growth");
  const auto limit = cp::memory_finding({10000, 20000}, 15000);
  REQUIRE(limit);
  CHECK(limit->rule == "rss-limit");
}
