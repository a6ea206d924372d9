// The state a campaign steers by, learned from transcripts; the machine as dot.
#include "campaign/state_model.hpp"

#include <doctest/doctest.h>

namespace cp = ehlo::campaign;
namespace sc = ehlo::scenario;

namespace {

sc::transcript_step S(std::vector<std::string> lines) { return {sc::side::server, std::move(lines)}; }
sc::transcript_step C(std::string line) { return {sc::side::client, {std::move(line)}}; }

}  // namespace

TEST_CASE("state model: a trace is the command each reply answered, its code and status, and the phase") {
  const std::vector<sc::transcript_step> t{
      S({"220 mx ESMTP"}),
      C("EHLO c"),
      S({"250-mx", "250 STARTTLS"}),
      C("STARTTLS"),
      S({"220 2.0.0 go"}),
      C("EHLO c"),
      S({"250 mx"}),
      C("AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ="),
      S({"235 2.7.0 ok"}),
      C("MAIL FROM:<a@b>"),
      C("RCPT TO:<c@d>"),
      S({"250 2.1.0 ok"}),
      S({"550 5.1.1 no"}),
      C("XYZZY"),
      S({"500 5.5.2 what"}),
      S({"250 extra"}),
      C("DATA"),
      S({"354 go"}),
      C("hello"),
      C("."),
      S({"250 2.0.0 queued"}),
  };
  CHECK(cp::trace_of(t) == std::vector<std::string>{"<greeting> 220", "EHLO 250", "STARTTLS 220 2.0.0", "EHLO 250 +tls",
                                                    "AUTH 235 2.7.0 +tls", "MAIL 250 2.1.0 +tls +auth",
                                                    "RCPT 550 5.1.1 +tls +auth", "? 500 5.5.2 +tls +auth",
                                                    "<none> 250 +tls +auth", "DATA 354 +tls +auth",
                                                    "<data> 250 2.0.0 +tls +auth"});
}

TEST_CASE("state model: the state a step of the transcript was in") {
  const std::vector<sc::transcript_step> t{S({"220 mx"}), C("EHLO c"), S({"250 mx"}), C("QUIT"), S({"221 bye"})};
  std::vector<std::size_t> made;
  const auto trace = cp::trace_of(t, &made);
  CHECK(made == std::vector<std::size_t>{1, 1, 2, 2, 3});
  CHECK(cp::state_at(trace, made, 0) == "<greeting> 220");
  CHECK(cp::state_at(trace, made, 3) == "EHLO 250");
  CHECK(cp::state_at(trace, made, std::nullopt) == "QUIT 221");
  CHECK(cp::state_at({}, {}, std::nullopt) == "<start>");
}

TEST_CASE("state model: novelty is a state or a transition not seen; learning it makes it old") {
  cp::state_model m;
  const std::vector<std::string> a{"<greeting> 220", "EHLO 250", "QUIT 221"};
  const std::vector<std::string> b{"<greeting> 220", "QUIT 221"};
  CHECK(m.novel(a).states == 3);
  CHECK(m.novel(a).transitions == 3);
  const auto n = m.learn(a);
  CHECK(n.states == 3);
  CHECK(n.transitions == 3);
  CHECK_FALSE(m.novel(a).any());
  CHECK(m.novel(b).states == 0);
  CHECK(m.novel(b).transitions == 1);  // <greeting> 220 -> QUIT 221
  CHECK(m.learn(b).transitions == 1);
  CHECK(m.states() == 3);
  CHECK(m.transitions() == 4);
}

TEST_CASE("state model: bounded: past its limits nothing more is learned, nor novel") {
  cp::state_model m({2, 100});
  CHECK(m.learn({"a", "b", "c", "d"}).states == 2);
  CHECK(m.states() == 2);
  CHECK(m.novel({"e"}).states == 0);
}

TEST_CASE("state model: the machine as dot, and saved and restored as it was") {
  cp::state_model m;
  m.learn({"<greeting> 220", "EHLO 250", "QUIT 221"});
  m.learn({"<greeting> 220", "EHLO 250", "QUIT 221"});
  m.learn({"<greeting> 220", "\"quoted\" 500"});
  const std::string dot = m.dot();
  CHECK(dot.starts_with("digraph smtp {"));
  CHECK(dot.find("s0 [label=\"<greeting> 220\"];") != std::string::npos);
  CHECK(dot.find("s3 [label=\"\\\"quoted\\\" 500\"];") != std::string::npos);
  CHECK(dot.find("start -> s0 [label=\"3\"];") != std::string::npos);
  CHECK(dot.find("s1 -> s2 [label=\"2\"];") != std::string::npos);
  cp::state_model back;
  REQUIRE(back.restore(m.save()));
  CHECK(back.dot() == dot);
  CHECK_FALSE(back.novel({"<greeting> 220", "EHLO 250"}).any());
  CHECK_FALSE(back.restore("edge\t0\t9\t1\n"));  // a state that is not there
  CHECK(back.dot() == dot);                      // a failed restore changes nothing
}
