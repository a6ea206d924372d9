// The message part that --messages-per-session repeats: found in the shapes a
// scenario sends a message in, refused (saying why) where there is none; and
// a client session that plays it M times.
#include "load/message_part.hpp"

#include <doctest/doctest.h>

#include "support/session_driver.hpp"

using ehlo::load::find_message_part;
using ehlo::load::message_part;
using ehlo::test::scenario_of;
namespace ss = ehlo::session;

namespace {

constexpr std::string_view one_message = R"json({"version": 1, "name": "one", "steps": [
  {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"}, {"S": "250 mx.example"},
  {"C": "MAIL FROM:<a@example.org>"}, {"S": "250 ok"}, {"C": "RCPT TO:<b@example.com>"}, {"S": "250 ok"},
  {"C": "DATA"}, {"S": "354 go"}, {"message": "Subject: x\n\nhello\n"}, {"S": "250 queued"},
  {"C": "QUIT"}, {"S": "221 bye"}]})json";

}  // namespace

TEST_CASE("message part: from the step that sends MAIL to the reply after the message") {
  std::string why;
  CHECK(find_message_part(scenario_of(one_message), why) == message_part{3, 11});
  const auto pipelined = scenario_of(R"json({"version": 1, "name": "p", "steps": [
    {"S": "220 mx"}, {"C": "EHLO c"}, {"S": ["250-mx", "250 PIPELINING"]},
    {"pipeline": ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "DATA"]},
    {"S": "250 ok"}, {"S": "250 ok"}, {"S": "354 go"}, {"message": "x\n"}, {"S": "250 queued"}, {"C": "QUIT"},
    {"S": "221 bye"}]})json");
  CHECK(find_message_part(pipelined, why) == message_part{3, 9});
  const auto bdat = scenario_of(R"json({"version": 1, "name": "b", "steps": [
    {"S": "220 mx"}, {"C": "EHLO c"}, {"S": ["250-mx", "250 CHUNKING"]}, {"C": "mail from:<a@example.org>"},
    {"S": "250 ok"}, {"C": "RCPT TO:<b@example.com>"}, {"S": "250 ok"}, {"bdat": "part one\r\n"},
    {"S": "250 ok"}, {"bdat": "part two\r\n", "last": true}, {"S": "250 queued"}, {"C": "QUIT"},
    {"S": "221 bye"}]})json");
  CHECK(find_message_part(bdat, why) == message_part{3, 11});
  const auto lines = scenario_of(R"json({"version": 1, "name": "l", "steps": [
    {"S": "220 mx"}, {"C": "HELO c"}, {"S": "250 mx"}, {"C": "MAIL FROM:<a@example.org>"}, {"S": "250 ok"},
    {"C": "RCPT TO:<b@example.com>"}, {"S": "250 ok"}, {"C": "DATA"}, {"S": "354 go"},
    {"C": "Subject: x"}, {"C": ""}, {"C": "hello"}, {"C": "."}, {"S": "250 queued"}]})json");
  CHECK(find_message_part(lines, why) == message_part{3, 14});
}

TEST_CASE("message part: none, and why") {
  std::string why;
  CHECK_FALSE(find_message_part(scenario_of(R"json({"version": 1, "name": "n", "steps": [
    {"S": "220 mx"}, {"C": "EHLO c"}, {"S": "250 mx"}, {"C": "QUIT"}, {"S": "221 bye"}]})json"),
                                why));
  CHECK(why == "no top-level step sends MAIL (a C step, or a pipeline that begins with it)");
  CHECK_FALSE(find_message_part(scenario_of(R"json({"version": 1, "name": "n", "steps": [
    {"S": "220 mx"}, {"C": "MAIL FROM:<a@example.org>"}, {"S": "250 ok"}, {"C": "QUIT"}, {"S": "221 bye"}]})json"),
                                why));
  CHECK(why.find("no message after steps/1") == 0);
  CHECK_FALSE(find_message_part(scenario_of(R"json({"version": 1, "name": "n", "steps": [
    {"S": "220 mx"}, {"C": "MAIL FROM:<a@example.org>"}, {"S": "250 ok"}, {"C": "DATA"}, {"S": "354 go"},
    {"message": "x\n"}, {"silent": "S", "for": "1s"}]})json"),
                                why));
  CHECK(why == "no reply after the message at steps/5");
  // QUIT pipelined behind the message would be repeated with it.
  CHECK_FALSE(find_message_part(scenario_of(R"json({"version": 1, "name": "q", "steps": [
    {"S": "220 mx"}, {"C": "MAIL FROM:<a@example.org>"}, {"S": "250 ok"}, {"C": "DATA"}, {"S": "354 go"},
    {"message": "x\n"}, {"C": "QUIT"}, {"S": "250 queued"}, {"S": "221 bye"}]})json"),
                                why));
  CHECK(why ==
        "steps/6 is sent between the message at steps/5 and its reply: the part to repeat must end with that reply");
}

TEST_CASE("message part: a client session plays it M times over one connection, then goes on") {
  const auto sc = scenario_of(one_message);
  std::string why;
  const auto part = find_message_part(sc, why);
  REQUIRE(part);
  auto settings = ehlo::test::fixed_settings();
  settings.repeat = {part->first, part->end, 3};
  ss::client_session client(sc, settings);
  std::vector<std::string> replies{"220 mx.example ESMTP\r\n", "250 mx.example\r\n"};
  for (int i = 0; i < 3; ++i)
    for (const char* r : {"250 ok\r\n", "250 ok\r\n", "354 go\r\n", "250 queued\r\n"}) replies.emplace_back(r);
  replies.emplace_back("221 bye\r\n");
  const auto run = ehlo::test::run_script(client, ehlo::test::script{replies});
  CHECK(run.outcome.verdict.passed());
  std::size_t mails = 0, quits = 0, at = 0;
  while ((at = run.sent.find("MAIL FROM:", at)) != std::string::npos) ++mails, ++at;
  at = 0;
  while ((at = run.sent.find("QUIT", at)) != std::string::npos) ++quits, ++at;
  CHECK(mails == 3);
  CHECK(quits == 1);
  CHECK(run.sent.starts_with("EHLO client.example\r\nMAIL FROM:<a@example.org>\r\n"));

  // A reply that differs in the second round names the same step as in the first.
  ss::client_session second(sc, settings);
  std::vector<std::string> refused(replies.begin(), replies.begin() + 7);
  refused.emplace_back("452 4.5.3 too many recipients\r\n");
  const auto failed = ehlo::test::run_script(second, ehlo::test::script{refused});
  CHECK(failed.outcome.verdict.pointer == "steps/6");
}
