#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "scenario/regex_syntax.hpp"

namespace sc = ehlo::scenario;

namespace {

bool search(std::string_view pattern, std::string_view subject) {
  const sc::regex re(pattern);
  REQUIRE_MESSAGE(re.ok(), re.error());
  return re.search(subject);
}

/// The first group, or the whole match; "(no match)" when there is none.
std::string group_of(std::string_view pattern, std::string_view subject) {
  const sc::regex re(pattern);
  REQUIRE_MESSAGE(re.ok(), re.error());
  std::string_view group = "(unset)";
  return re.search(subject, &group) ? std::string(group) : "(no match)";
}

}  // namespace

// std::regex backtracks: each of these took exponential time in the subject's
// length (seconds at 25 bytes, for ever at a few hundred), and recursed per byte.
TEST_CASE("regex: patterns that make a backtracking matcher explode answer at once, right") {
  for (const std::size_t n : {30u, 300u, 5000u, 65536u}) {
    CAPTURE(n);
    const std::string as(n, 'a');
    const std::string xs(n, 'x');
    CHECK_FALSE(search("(a+)+$", as + "!"));
    CHECK(search("(a+)+$", as));
    CHECK(search("(a+)+$", "!\n" + as));  // $ at the end of any line
    CHECK_FALSE(search("(x+x+)+y", xs));
    CHECK(search("(x+x+)+y", xs + "y"));
    CHECK_FALSE(search("(a|a)*b", as));
    CHECK_FALSE(search("(a|aa)+$", as + "!"));
    CHECK_FALSE(search("^(([a-z])+.)+[A-Z]([a-z])+$", as + "!"));
    CHECK_FALSE(sc::regex("(a+)+").match_whole(as + "!"));
    CHECK(sc::regex("(a+)+").match_whole(as));
    CHECK(group_of("(a+)+$", as) == as);  // greedy, leftmost-first, as std::regex had it
  }
}

TEST_CASE("regex: ^ and $ at each line's ends; (?-m) for the whole text's") {
  CHECK(search("^ok$", "250-mx.example\nok\n250 SIZE"));
  CHECK_FALSE(search("(?-m)^ok$", "mx\nok\nsize"));
  CHECK(search("(?-m)^mx", "mx\nok"));
  CHECK(group_of("^250 (.*)$", "250-a\n250 b\n250 c") == "b");
  // "." is any byte but LF; (?s) takes LF too.
  CHECK_FALSE(search("a.b", "a\nb"));
  CHECK(search("(?s)a.b", "a\nb"));
}

TEST_CASE("regex: inline flags anywhere") {
  CHECK(search("(?i)^ok$", "OK"));
  CHECK(search("queued as (?i)abc", "queued as ABC"));
  CHECK_FALSE(search("queued as (?i)abc", "QUEUED as ABC"));  // from the flag on, not before
  CHECK(search("(?i:queued) as", "QUEUED as"));
  CHECK_FALSE(search("(?i:queued) AS", "QUEUED as"));
  CHECK(group_of("(?U)<(.+)>", "<a><b>") == "a");  // ungreedy
  CHECK(group_of("<(.+)>", "<a><b>") == "a><b");
}

TEST_CASE("regex: bytes, not UTF-8 characters") {
  // A peer's invalid UTF-8 is matched as any byte, as std::regex did.
  CHECK(search("^a.b$",
               "a\xff"
               "b"));
  CHECK(search("a[^x]b",
               "a\xff"
               "b"));
  // A non-ASCII literal in a pattern is its UTF-8 bytes in sequence; "." is one byte of it.
  CHECK(search("caf\xc3\xa9", "caf\xc3\xa9"));
  CHECK(search("^caf..$", "caf\xc3\xa9"));
  CHECK_FALSE(search("^caf.$", "caf\xc3\xa9"));
  CHECK(search("a\\x00b", std::string_view("a\0b", 3)));
}

TEST_CASE("regex: the first group, or the whole match, or empty when the group took no part") {
  CHECK(group_of("queued as ([0-9A-F]+)", "250 2.0.0 Ok: queued as 15668AD9ED") == "15668AD9ED");
  CHECK(group_of("queued as [0-9A-F]+", "250 2.0.0 Ok: queued as 15668AD9ED") == "queued as 15668AD9ED");
  CHECK(group_of("(?:queued) as ([0-9A-F]+)", "queued as 1A") == "1A");  // (?:...) is no group
  CHECK(group_of("(?P<id>[0-9]+)", "id 42") == "42");
  CHECK(group_of("ok|(no)", "250 ok") == "");
  CHECK(group_of("(x)", "250 ok") == "(no match)");
  CHECK(group_of("", "250 ok") == "");
}

TEST_CASE("regex: match_whole is the whole subject, lines and all") {
  const sc::regex from("FROM:<[^>]*>( SIZE=[0-9]+)?");
  REQUIRE(from.ok());
  CHECK(from.match_whole("FROM:<a@example.org>"));
  CHECK(from.match_whole("FROM:<a@example.org> SIZE=10"));
  CHECK_FALSE(from.match_whole("FROM:<a@example.org> BODY=8BITMIME"));
  CHECK_FALSE(from.match_whole("xFROM:<a@example.org>"));
  CHECK_FALSE(sc::regex("^a$").match_whole("a\nb"));  // per line, yet the match must cover it all
  CHECK(sc::regex("(?s)^a$.*").match_whole("a\nb"));
  CHECK(sc::regex("").match_whole(""));
}

TEST_CASE("regex: what does not compile says why, and never matches") {
  const sc::regex backref("(a)\\1");
  CHECK_FALSE(backref.ok());
  CHECK(backref.error() == "\"\\1\" is a back-reference, which ehlo's matcher (RE2, linear in time) does not support");
  CHECK_FALSE(backref.search("aa"));
  CHECK_FALSE(backref.match_whole("aa"));
  CHECK(backref.program_size() == 0);
  sc::regex fine("a+");
  CHECK(fine.ok());
  CHECK(fine.error().empty());
  CHECK(fine.program_size() > 0);
  // Movable: the session keeps them in a map.
  const sc::regex moved(std::move(fine));
  CHECK(moved.search("caat"));
}
