// judge(): a probe's verdict from what one run of it left.
#include "check/probe_verdict.hpp"

#include <doctest/doctest.h>

namespace ck = ehlo::check;
namespace sc = ehlo::scenario;
namespace ss = ehlo::session;
using vk = sc::verdict_kind;

namespace {

sc::probe_info smuggling() {
  sc::probe_info p;
  p.title = "<LF>.<LF> does not end DATA";
  p.category = "smuggling";
  p.rules = {"5321-4.1.1.4", "5321-2.3.8"};
  p.level = sc::severity::must;
  return p;
}

ss::probe_mark mark(vk k, unsigned code = 0, std::string evidence = {}) {
  ss::probe_mark m;
  m.mark.is = k;
  m.pointer = "steps/9/one_of/1/0";
  m.code = code;
  m.evidence = std::move(evidence);
  return m;
}

ss::verdict failed(std::string pointer, std::string message) {
  ss::verdict v;
  v.result = sc::outcome::fail;
  v.pointer = std::move(pointer);
  v.message = std::move(message);
  return v;
}

}  // namespace

TEST_CASE("judge: a mark passed is the verdict; a violation takes the probe's first rule and severity") {
  ck::probe_run run;
  run.mark = mark(vk::violates, 250, "250 2.0.0 Ok: queued as 1234");
  const auto j = ck::judge(smuggling(), run);
  CHECK(j.verdict == vk::violates);
  CHECK(j.rule == "5321-4.1.1.4");
  CHECK(j.level == sc::severity::must);
  CHECK(j.at == "steps/9/one_of/1/0");
  CHECK(j.why == "250 2.0.0 Ok: queued as 1234");
  CHECK(ck::rank(j) == 5);

  run.mark->mark.rule = "5321-2.3.8";
  run.mark->mark.level = sc::severity::pedantic;
  run.mark->mark.why = "the look-alike ended DATA";
  const auto k = ck::judge(smuggling(), run);
  CHECK(k.rule == "5321-2.3.8");
  CHECK(k.level == sc::severity::pedantic);
  CHECK(k.why == "the look-alike ended DATA (250 2.0.0 Ok: queued as 1234)");
  CHECK(ck::rank(k) == 2);
}

TEST_CASE("judge: a 421 is never a violation") {
  ck::probe_run run;
  run.mark = mark(vk::violates, 421, "421 4.3.2 too many connections");
  const auto j = ck::judge(smuggling(), run);
  CHECK(j.verdict == vk::inconclusive);
  CHECK(j.why == "the server answered 421 at steps/9/one_of/1/0: 421 4.3.2 too many connections");
  CHECK(j.rule.empty());
}

TEST_CASE("judge: what happened after the mark is told, and does not change it") {
  ck::probe_run run;
  run.mark = mark(vk::exploitable, 250, "250 2.0.0 Ok");
  run.session = failed("steps/12", "timed out after 10s waiting for steps/12");
  const auto j = ck::judge(smuggling(), run);
  CHECK(j.verdict == vk::exploitable);
  CHECK(j.why == "250 2.0.0 Ok; afterwards: timed out after 10s waiting for steps/12");
  CHECK(ck::rank(j) == 6);
}

TEST_CASE("judge: not played, variables not given, needs not met") {
  ck::probe_run run;
  run.not_played = "cannot connect to 127.0.0.1:2525: Connection refused";
  CHECK(ck::judge(smuggling(), run).verdict == vk::inconclusive);
  CHECK(ck::judge(smuggling(), run).why == run.not_played);

  run = {};
  run.session = failed("vars/password", "variable \"password\" has no value: give it with --var password=VALUE");
  CHECK(ck::judge(smuggling(), run).verdict == vk::not_applicable);
  CHECK(ck::judge(smuggling(), run).why == run.session.message);

  run = {};
  run.mark = mark(vk::violates, 250);  // needs unmet outweigh a mark: the probe did not apply
  run.unmet_needs = {"PIPELINING", "CHUNKING"};
  CHECK(ck::judge(smuggling(), run).verdict == vk::not_applicable);
  CHECK(ck::judge(smuggling(), run).why == "the server does not offer PIPELINING, CHUNKING");
}

TEST_CASE("judge: without a mark, a failure or an end without a verdict is inconclusive") {
  ck::probe_run run;
  run.session = failed("steps/3", "steps/3: expected one of 2 alternatives, got 554 5.7.1 go away");
  auto j = ck::judge(smuggling(), run);
  CHECK(j.verdict == vk::inconclusive);
  CHECK(j.why == run.session.message);
  CHECK(j.at == "steps/3");

  run = {};
  j = ck::judge(smuggling(), run);
  CHECK(j.verdict == vk::inconclusive);
  CHECK(j.why == "the probe ended without reaching a verdict (no step it passed carries one)");
}

TEST_CASE("judge: a client probe by the client's exit status") {
  sc::probe_info p;
  p.rules = {"5321-4.1.1.4"};
  p.checks = sc::side::client;
  p.exit_zero.emplace();
  p.exit_zero->is = vk::violates;
  p.exit_zero->why = "the client reported success without the reply to its message";
  p.exit_nonzero.emplace();
  p.exit_nonzero->is = vk::conforms;

  ck::probe_run run;
  run.client_exit = 0;
  auto j = ck::judge(p, run);
  CHECK(j.verdict == vk::violates);
  CHECK(j.why == "the client reported success without the reply to its message (the client exited with status 0)");
  run.client_exit = 56;
  j = ck::judge(p, run);
  CHECK(j.verdict == vk::conforms);
  CHECK(j.why == "the client exited with status 56");
  run.client_exit.reset();
  j = ck::judge(p, run);
  CHECK(j.verdict == vk::inconclusive);
  CHECK(j.why == "this probe judges the client by its exit status: run the client with --client-cmd");
}

TEST_CASE("judge: the words of verdicts and severities, both ways") {
  for (const auto v : {vk::conforms, vk::violates, vk::exploitable, vk::inconclusive, vk::not_applicable})
    CHECK(ck::verdict_of(ck::to_string(v)) == v);
  for (const auto s : {sc::severity::must, sc::severity::should, sc::severity::lenient, sc::severity::pedantic})
    CHECK(ck::severity_of(ck::to_string(s)) == s);
  CHECK(ck::to_string(vk::not_applicable) == "not-applicable");
  CHECK_FALSE(ck::verdict_of("conform"));
}
