// The fault writer alone (session/fault_writer.hpp): the moves a plan makes of
// a step's bytes, without a session around it. What a session does with them
// is in fault_test.cpp.
#include "session/fault_writer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace sc = ehlo::scenario;
namespace ss = ehlo::session;
using move = ss::fault_writer::move;
using namespace std::chrono_literals;

namespace {

/// Plays the writer to its end: "w:BYTES" per write, "d:MS" per delay, "g:MS"
/// per gap, then "cut" or "done".
std::vector<std::string> moves(ss::fault_writer& w, const std::string& bytes, const sc::fault_plan& plan) {
  std::vector<std::string> out;
  move m = w.start(bytes, plan);
  for (int guard = 0; guard < 10000; ++guard) {
    switch (m) {
      case move::write:
        out.push_back("w:" + std::string(w.piece()));
        m = w.wrote();
        continue;
      case move::delay:
      case move::gap:
        out.push_back((m == move::delay ? "d:" : "g:") + std::to_string(w.wait().count()));
        m = w.resume();
        continue;
      case move::cut:
        out.emplace_back("cut");
        return out;
      case move::done:
        out.emplace_back("done");
        return out;
    }
  }
  FAIL("the writer did not end");
  return out;
}

}  // namespace

TEST_CASE("fault writer: a plain step is one write") {
  ss::fault_writer w(0);
  CHECK(moves(w, "QUIT\r\n", {}) == std::vector<std::string>{"w:QUIT\r\n", "done"});
}

TEST_CASE("fault writer: sizes, the last repeating, a delay first and a gap between writes") {
  ss::fault_writer w(0);
  sc::fault_plan p;
  p.how = sc::fault_plan::split::sizes;
  p.chunks = {2, 3};
  p.delay = 20ms;
  p.gap = 5ms;
  CHECK(moves(w, "abcdefghij", p) ==
        std::vector<std::string>{"d:20", "w:ab", "g:5", "w:cde", "g:5", "w:fgh", "g:5", "w:ij", "done"});
}

TEST_CASE("fault writer: cut writes that many bytes and closes; 0 closes at once") {
  ss::fault_writer w(0);
  sc::fault_plan p;
  p.cut = 3;
  p.how = sc::fault_plan::split::bytewise;
  CHECK(moves(w, "220 ok\r\n", p) == std::vector<std::string>{"w:2", "w:2", "w:0", "cut"});
  p.cut = 0;
  CHECK(moves(w, "220 ok\r\n", p) == std::vector<std::string>{"cut"});
  p.cut = 100;  // more than there is: all of it, then the close
  p.how = sc::fault_plan::split::whole;
  CHECK(moves(w, "220 ok\r\n", p) == std::vector<std::string>{"w:220 ok\r\n", "cut"});
}

TEST_CASE("fault writer: random sizes come from the seed, one stream over the steps") {
  sc::fault_plan p;
  p.how = sc::fault_plan::split::random;
  const std::string big(3000, 'x');
  ss::fault_writer a(7), b(7), c(8);
  const auto first = moves(a, big, p);
  CHECK(first == moves(b, big, p));
  CHECK(first != moves(c, big, p));
  // The stream goes on with the next step: a second step is cut otherwise than the first.
  CHECK(moves(a, big, p) != first);
  for (const auto& m : first)
    if (m.starts_with("w:")) CHECK((m.size() - 2 >= 1 && m.size() - 2 <= sc::fault_plan::max_random_chunk));
}

TEST_CASE("fault writer: line ends: every CRLF made LF or CR, lone ones left") {
  std::string s = "a\r\nb\rc\nd\r\n";
  ss::fault_writer::apply_line_end(s, sc::fault_plan::line_end::lf);
  CHECK(s == "a\nb\rc\nd\n");
  s = "a\r\n\r\n.\r\n";
  ss::fault_writer::apply_line_end(s, sc::fault_plan::line_end::cr);
  CHECK(s == "a\r\r.\r");
  s = "a\r\n";
  ss::fault_writer::apply_line_end(s, sc::fault_plan::line_end::crlf);
  CHECK(s == "a\r\n");
}

TEST_CASE("splitmix64: the reference sequence from seed 0") {
  // The first outputs of splitmix64 seeded with 0, as its reference
  // implementation (Vigna's splitmix64.c) gives them.
  ss::splitmix64 r(0);
  CHECK(r.next() == 0xe220a8397b1dcdafULL);
  CHECK(r.next() == 0x6e789e6aa1b965f4ULL);
  CHECK(r.next() == 0x06c45d188009454fULL);
}
