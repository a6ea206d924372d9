// The latency of each step, as ehlo load measures it, driven in memory with a
// clock of the test's own: a reply is timed from the end of the write that
// carried its command (pipelined commands alike), the greeting from the
// connection, the handshake on its own; messages counted by their reply.
#include "load/session_meter.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "support/print_strings.hpp"
#include "support/session_driver.hpp"

namespace ld = ehlo::load;
namespace ss = ehlo::session;
using ehlo::test::scenario_of;
using std::chrono::milliseconds;

namespace {

/// A server's answer to one read: how long it took to come, and its bytes.
struct answer {
  int after_ms;
  std::string bytes;
};

/// Milliseconds as the histogram keeps them: the lowest value of their bucket, as text.
std::string bucketed(double ms) {
  const auto us = static_cast<std::uint64_t>(ms * 1000);
  return std::to_string(ld::histogram::lowest(ld::histogram::index_of(us)));
}

using samples = std::vector<std::string>;
samples in_buckets(std::initializer_list<double> ms) {
  samples out;
  for (const double m : ms) out.push_back(bucketed(m));
  return out;
}

/// Plays `sc` against the answers: each write takes 1 ms, a handshake 5 ms.
/// Returns each step's samples (the lowest value of their bucket) and what was recorded.
std::map<std::string, std::vector<std::string>> play(std::string_view json, const std::vector<answer>& answers,
                                                     ld::load_stats& stats) {
  const auto sc = scenario_of(json);
  auto settings = ehlo::test::fixed_settings();
  settings.reply_events = true;
  ss::client_session cs(sc, settings);
  ld::load_recorder rec(stats);
  ld::step_timer::time t{};
  ld::session_meter meter(cs, rec, t);
  std::size_t next = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    const ss::action a = cs.next();
    if (a.what == ss::action::done) break;
    switch (a.what) {
      case ss::action::send:
        t += milliseconds(1);
        cs.sent();
        meter.after(a.what, true, t);
        break;
      case ss::action::read:
        if (next == answers.size()) {
          cs.peer_closed();
          meter.after(a.what, false, t);
          break;
        }
        t += milliseconds(answers[next].after_ms);
        cs.received(answers[next++].bytes);
        meter.after(a.what, true, t);
        break;
      case ss::action::start_tls:
        t += milliseconds(5);
        cs.tls_started("TLSv1.3");
        meter.after(a.what, true, t);
        break;
      default:
        FAIL("unexpected action " << a.what);
    }
  }
  CHECK(cs.result().passed());
  std::map<std::string, std::vector<std::string>> out;
  for (std::size_t i = 0; i < ld::step_kinds; ++i) {
    const ld::histogram& h = stats.steps[i];
    if (h.empty()) continue;
    auto& v = out[std::string(ld::name(static_cast<ld::step_kind>(i)))];
    h.each([&](std::size_t b, std::uint64_t n) {
      for (std::uint64_t k = 0; k < n; ++k) v.push_back(std::to_string(ld::histogram::lowest(b)));
    });
  }
  return out;
}

}  // namespace

TEST_CASE("session meter: one reply after each command, timed from the end of its write") {
  ld::load_stats stats;
  const auto steps = play(R"json({"version": 1, "name": "s", "steps": [
    {"S": "220 mx"}, {"C": "EHLO c"}, {"S": "250 mx"}, {"C": "MAIL FROM:<a@example.org>"}, {"S": "250 ok"},
    {"C": "RCPT TO:<b@example.com>"}, {"S": "250 ok"}, {"C": "DATA"}, {"S": "354 go"},
    {"message": "x\n"}, {"S": "250 queued"}, {"C": "QUIT"}, {"S": "221 bye"}]})json",
                          {{3, "220 mx\r\n"},
                           {2, "250 mx\r\n"},
                           {4, "250 ok\r\n"},
                           {5, "250 ok\r\n"},
                           {6, "354 go\r\n"},
                           {7, "250 queued\r\n"},
                           {1, "221 bye\r\n"}},
                          stats);
  CHECK(steps.at("greeting") == in_buckets({3}));
  CHECK(steps.at("EHLO") == in_buckets({2}));
  CHECK(steps.at("MAIL") == in_buckets({4}));
  CHECK(steps.at("RCPT") == in_buckets({5}));
  CHECK(steps.at("DATA") == in_buckets({6}));
  CHECK(steps.at("end-of-data") == in_buckets({7}));
  CHECK(steps.at("QUIT") == in_buckets({1}));
  CHECK(steps.size() == 7);
  CHECK(stats.messages == 1);
  CHECK(stats.messages_refused == 0);
}

TEST_CASE("session meter: pipelined commands all start at their one write; replies that come together end together") {
  ld::load_stats stats;
  const auto steps = play(R"json({"version": 1, "name": "p", "steps": [
    {"S": "220 mx"}, {"C": "EHLO c"}, {"S": ["250-mx", "250 PIPELINING"]},
    {"pipeline": ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "RCPT TO:<c@example.com>", "DATA"]},
    {"S": "250 ok"}, {"S": "250 ok"}, {"S": "550 no", "code": "5xx"}, {"S": "354 go"}, {"message": "x\n"},
    {"C": "QUIT"}, {"S": "451 try later", "code": "4xx"}, {"S": "221 bye"}]})json",
                          {{1, "220 mx\r\n"},
                           {1, "250-mx\r\n250 PIPELINING\r\n"},
                           {2, "250 ok\r\n"},
                           {3, "250 ok\r\n550 no\r\n354 go\r\n"},
                           {4, "451 try later\r\n221 bye\r\n"}},
                          stats);
  CHECK(steps.at("MAIL") == in_buckets({2}));
  CHECK(steps.at("RCPT") == in_buckets({5, 5}));
  CHECK(steps.at("DATA") == in_buckets({5}));
  // The message and QUIT are two writes of 1 ms each: the end of data left 1 ms earlier.
  CHECK(steps.at("end-of-data") == in_buckets({5}));
  CHECK(steps.at("QUIT") == in_buckets({4}));
  CHECK(stats.messages == 0);
  CHECK(stats.messages_refused == 1);
}

TEST_CASE("session meter: the TLS handshake on its own; lines behind STARTTLS dropped with its 220") {
  ld::load_stats stats;
  const auto steps = play(R"json({"version": 1, "name": "t", "steps": [
    {"S": "220 mx"}, {"C": "EHLO c"}, {"S": ["250-mx", "250 STARTTLS"]}, {"C": "STARTTLS"}, {"C": "NOOP"},
    {"S": "220 go ahead"}, {"tls": "start"}, {"C": "EHLO c"}, {"S": "250 mx"}, {"C": "QUIT"},
    {"S": "221 bye"}]})json",
                          {{1, "220 mx\r\n"},
                           {1, "250-mx\r\n250 STARTTLS\r\n"},
                           {2, "220 go ahead\r\n"},
                           {3, "250 mx\r\n"},
                           {1, "221 bye\r\n"}},
                          stats);
  CHECK(steps.at("STARTTLS") == in_buckets({3}));  // two writes of 1 ms, the reply 2 ms after the second
  CHECK(steps.at("tls") == in_buckets({5}));
  CHECK(steps.at("EHLO") == in_buckets({1, 3}));
  CHECK(steps.count("NOOP") == 0);
  CHECK(steps.at("QUIT") == in_buckets({1}));
}

TEST_CASE("session meter: implicit TLS: the greeting's clock starts when the handshake ends") {
  ld::load_stats stats;
  const auto steps = play(R"json({"version": 1, "name": "i", "tls": "implicit", "steps": [
    {"S": "220 mx"}, {"C": "QUIT"}, {"S": "221 bye"}]})json",
                          {{2, "220 mx\r\n"}, {1, "221 bye\r\n"}}, stats);
  CHECK(steps.at("tls") == in_buckets({5}));
  CHECK(steps.at("greeting") == in_buckets({2}));
}

TEST_CASE("step timer: a reply that answers nothing of the client's is no sample") {
  ld::step_timer timer;
  const ld::step_timer::time t0{};
  timer.connected(t0);
  using answered = ehlo::proto::conversation::answered;
  CHECK(timer.reply(t0 + milliseconds(1), answered::greeting, ehlo::proto::verb::unknown)->us == 1000);
  CHECK_FALSE(timer.reply(t0 + milliseconds(2), answered::nothing, ehlo::proto::verb::unknown));
  CHECK_FALSE(timer.reply(t0 + milliseconds(2), answered::command, ehlo::proto::verb::noop));  // none queued
  timer.sent(t0 + milliseconds(3), 2);
  timer.sent(t0 + milliseconds(4), 3);
  CHECK(timer.queued() == 3);
  CHECK(timer.reply(t0 + milliseconds(5), answered::command, ehlo::proto::verb::noop)->us == 2000);
  timer.settle(1);
  CHECK(timer.queued() == 1);
  const auto s = timer.reply(t0 + milliseconds(9), answered::untracked, ehlo::proto::verb::unknown);
  CHECK(s->step == ld::step_kind::other);
  CHECK(s->us == 6000);
}
