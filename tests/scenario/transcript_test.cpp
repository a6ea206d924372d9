#include "scenario/transcript.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "support/print_steps.hpp"

using namespace ehlo::scenario;

namespace {
std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

TEST_CASE("S:/C: transcript: replies, wrapped lines, continuation lines and data lines") {
  const std::string text =
      "# comment\n"
      "S: 220 mx.google.com ESMTP\n"
      "w28sm1561195uge.4\n"
      "C: EHLO: mydomain.com\r\n"
      "S: 250-smtp.wp.pl\n"
      "250-PIPELINING\n"
      "250 8BITMIME\n"
      "\n"
      "C: DATA\n"
      "S: 354 go\n"
      "C: Subject: hi\n"
      "\n"
      "body\n"
      "C:\n"
      "C: .\n";
  transcript_error err;
  const auto steps = read_sc_transcript(text, err);
  CHECK_FALSE(err);
  const std::vector<transcript_step> want{
      {side::server, {"220 mx.google.com ESMTP w28sm1561195uge.4"}, 2, "comment"},
      {side::client, {"EHLO: mydomain.com"}, 4},
      {side::server, {"250-smtp.wp.pl", "250-PIPELINING", "250 8BITMIME"}, 5},
      {side::client, {"DATA"}, 9},
      {side::server, {"354 go"}, 10},
      {side::client, {"Subject: hi"}, 11},
      {side::client, {""}, 12},
      {side::client, {"body"}, 13},
      {side::client, {""}, 14},
      {side::client, {"."}, 15},
  };
  CHECK(steps == want);
}

TEST_CASE("S:/C: transcript: a reply whose every line carries the S: prefix is one reply") {
  transcript_error err;
  const auto steps = read_sc_transcript(
      "S: 250-smtp.server.com Hello\nS: 250-SIZE 1000000\nS: 250 HELP\nS: 250 again\nS: 220-a\nS: 221 b\n", err);
  CHECK_FALSE(err);
  // A line without "-" ends the reply; a later S: line starts the next step,
  // whatever its code (the checker, not the reader, says what is wrong with it).
  const std::vector<transcript_step> want{
      {side::server, {"250-smtp.server.com Hello", "250-SIZE 1000000", "250 HELP"}, 1},
      {side::server, {"250 again"}, 4},
      {side::server, {"220-a", "221 b"}, 5},
  };
  CHECK(steps == want);
}

TEST_CASE("S:/C: transcript: comments are the notes of the step after them") {
  transcript_error err;
  const auto steps = read_sc_transcript(
      "#first\n# two\n#\n#  indented\nS: 220 x\n# inside\n250 y\nC: DATA\n# body\n"
      "#C: (data not shown)\nS: 250-a\n# between\nS: 250 b\n# after\n# the end\n",
      err);
  CHECK_FALSE(err);
  const std::vector<transcript_step> want{
      {side::server, {"220 x", "250 y"}, 5, "first\ntwo\n\n indented"},
      {side::client, {"DATA"}, 8, "inside"},  // a comment in a reply waits for the next step
      {side::client, {}, 10, "body", true},
      // Comments inside a reply wait for the next step; those after the last step join its note.
      {side::server, {"250-a", "250 b"}, 11, "between\nafter\nthe end"},
  };
  CHECK(steps == want);
}

TEST_CASE("S:/C: transcript: text before the first step is an error with its line") {
  transcript_error err;
  const auto steps = read_sc_transcript("\n# c\nHello there\nS: 220 x\n", err);
  CHECK(steps.empty());
  CHECK(err.line == 3);
  CHECK(err.what == "expected a line starting with \"S:\" or \"C:\"");
}

TEST_CASE("S:/C: transcript: the seed transcripts read whole") {
  const char* files[] = {"wp-pl-auth-login-failure.txt",      "wp-pl-auth-login-multipart.txt",
                         "gmail-auth-before-starttls.txt",    "yahoo-auth-login-failure.txt",
                         "commentcamarche-strict-syntax.txt", "hostedemail-auth-login.txt",
                         "loose-envelope-syntax.txt",         "samlogic-starttls-auth-login.txt"};
  for (const char* f : files) {
    CAPTURE(f);
    transcript_error err;
    const auto steps =
        read_sc_transcript(read_file(std::string(EHLO_SOURCE_DIR "/tests/data/transcripts/seeds/") + f), err);
    CHECK_FALSE(err);
    REQUIRE(steps.size() > 4);
    CHECK(steps.front().from == side::server);
    CHECK(steps.front().lines.front().starts_with("220 "));
  }
  transcript_error err;
  const auto wp = read_sc_transcript(
      read_file(EHLO_SOURCE_DIR "/tests/data/transcripts/seeds/wp-pl-auth-login-multipart.txt"), err);
  REQUIRE(wp.size() > 3);
  CHECK(wp[1].lines == std::vector<std::string>{"EHLO: mydomain.com"});
  CHECK(wp[2].lines.size() == 8);  // the EHLO reply, its last line still "250-8BITMIME" as captured
  CHECK(wp[2].lines.back() == "250-8BITMIME");
}

TEST_CASE("S:/C: transcript: each limit ends the reading with its own error, at the line that passed it") {
  transcript_limits small;
  small.max_bytes = 200;
  small.max_line_bytes = 20;
  small.max_lines = 4;
  transcript_error err;

  CHECK(read_sc_transcript(std::string(201, '#'), err, small).empty());
  CHECK(err.line == 1);
  CHECK(err.what == "201 bytes, more than the transcript size limit (200 bytes)");

  // The line's own length, CR LF aside; a wrapped reply line counts with the line it joins.
  CHECK(read_sc_transcript("S: 220 " + std::string(13, 'x') + "\r\n", err, small).size() == 1);
  CHECK_FALSE(err);
  read_sc_transcript("S: 220 x\nC: " + std::string(18, 'x') + "\n", err, small);
  CHECK(err.line == 2);
  CHECK(err.what == "a line longer than 20 bytes (the transcript line-length limit)");
  read_sc_transcript("S: 220 0123456789\nabcdefghij\n", err, small);
  CHECK(err.line == 2);

  // Lines kept in steps, data lines and reply lines alike; wrapped ones join a line.
  CHECK(read_sc_transcript("S: 220-a\n220 b\nwrapped\nC: DATA\nS: 354\n", err, small).size() == 3);
  CHECK_FALSE(err);
  const auto steps = read_sc_transcript("S: 220 a\nC: DATA\nS: 354\nC: 1\nC: 2\nC: 3\n", err, small);
  CHECK(err.line == 5);
  CHECK(err.what.starts_with("more than 4 lines of SMTP conversation (the transcript line-count limit"));
  CHECK(steps.size() == 4);  // what was read before

  // A file whose lines end with CR alone is one line to every reader: said as such.
  read_sc_transcript("S: 220 a\rC: QUIT\rS: 221 b\r", err, small);
  CHECK(err.line == 1);
  CHECK(err.what.starts_with("the lines end with CR alone"));
  CHECK(read_sc_transcript("S: 220 a\r", err, small).size() == 1);  // one line, one CR at its end
  CHECK_FALSE(err);
}
