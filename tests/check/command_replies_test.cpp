#include "check/command_replies.hpp"

#include <doctest/doctest.h>

using namespace ehlo::check;

TEST_CASE("replies allowed per RFC 5321 §4.3.2 and the extensions") {
  struct row {
    const char* command;
    int code;
    bool allowed;
  };
  const row rows[] = {
      {"<greeting>", 220, true},    {"<greeting>", 554, true},     {"<greeting>", 250, false},
      {"<greeting>", 421, true},    {"<greeting>", 500, false},    {"EHLO", 250, true},
      {"ehlo", 250, true},          {"HELO", 354, false},          {"MAIL", 250, true},
      {"MAIL", 251, false},         {"RCPT", 251, true},           {"RCPT", 550, true},
      {"DATA", 354, true},          {"DATA", 234, false},          {"DATA", 250, false},
      {"<end-of-data>", 250, true}, {"<end-of-data>", 354, false}, {"RSET", 250, true},
      {"QUIT", 221, true},          {"QUIT", 250, false},          {"AUTH", 334, true},
      {"AUTH", 535, true},          {"AUTH", 530, true},           {"STARTTLS", 220, true},
      {"STARTTLS", 454, true},      {"MAIL", 530, true},           {"RCPR", 250, false},
      {"RCPR", 500, true},          {"RCPR", 502, true},           {"VRFY", 252, true},
      {"HELP", 214, true},          {"NOOP", 421, true},           {"AUTH", 503, true},
      {"AUTH", 250, false},
  };
  for (const auto& r : rows) {
    CAPTURE(r.command);
    CAPTURE(r.code);
    CHECK(reply_allowed(r.command, r.code) == r.allowed);
  }
}

TEST_CASE("known verbs") {
  CHECK(known_verb("MAIL"));
  CHECK(known_verb("Quit"));
  CHECK_FALSE(known_verb("RCPR"));
  CHECK_FALSE(known_verb("<greeting>"));
  CHECK(replies_listed_for("RCPR").empty());
}
