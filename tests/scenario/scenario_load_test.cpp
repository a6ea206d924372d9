#include "scenario/scenario_load.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "scenario/scenario_print.hpp"

namespace sc = ehlo::scenario;
using namespace std::chrono_literals;

namespace {

// Every kind of step and every key, once.
constexpr std::string_view everything = R"j({
  "version": 1,
  "name": "everything",
  "description": "each key once",
  "rfc": ["RFC 5321 §4.2"],
  "tags": ["all", "t-1"],
  "vars": {"user": "alice", "password": null},
  "secrets": ["password"],
  "timeout": 2.5,
  "tls": "implicit",
  "outcome": "fail",
  "findings": ["5321-4.2"],
  "steps": [
    {"S": "220 mx.example ESMTP", "note": "greeting", "timeout": "30s"},
    {"C": "EHLO client.example", "match": "verb"},
    {"S": ["250-mx.example", "250-AUTH PLAIN", "250 PIPELINING"], "code": ["250", "2xx"], "offers": ["AUTH PLAIN"], "lacks": ["STARTTLS"]},
    {"C": "AUTH PLAIN ${auth_plain(user, password)}"},
    {"S": "235 2.7.0 ok", "status": "2.7.x", "text": "ok$"},
    {"pipeline": ["MAIL FROM:<a@b>", {"C": "RCPT TO:<c@d>", "arg": "TO:<.*>"}]},
    {"S": "250 ok", "optional": true},
    {"S": "250 queued as 15668AD9ED", "capture": {"queue_id": "queued as (\\w+)"}},
    {"C": "DATA"},
    {"S": "354 go"},
    {"message": {"headers": ["Subject: ${queue_id}"], "body": "hi\n", "html": "<p>hi</p>",
                 "attachments": [{"name": "a.txt", "type": "text/plain", "content": "a"}]}},
    {"S": "250 ok"},
    {"bdat": "Subject: x\r\n\r\nhi\r\n", "last": true},
    {"S": "250 ok"},
    {"C": "STARTTLS"},
    {"S": "220 go"},
    {"tls": "start"},
    {"C": "NOOP\n", "raw": true},
    {"S": "250 ok\n", "raw": true},
    {"pause": "250ms"},
    {"S": ["250-a", "251 b"], "allow": ["mixed-codes"]},
    {"one_of": [[{"C": "QUIT"}, {"S": "221 bye"}], [{"close": "C"}]]},
    {"close": "S"}
  ]
})j";

// A server probe and a client probe: every probe key, each form of verdict, silent steps.
constexpr std::string_view server_probe = R"j({
  "version": 1,
  "name": "server-probe",
  "probe": {"title": "<LF>.<LF> does not end the data", "category": "smuggling", "rules": ["5321-4.1.1.4", "5321-2.3.8"],
            "severity": "must", "checks": "server", "needs": ["PIPELINING", "AUTH PLAIN"], "opt_in": true},
  "steps": [
    {"S": "220 mx.example ESMTP"},
    {"C": "DATA"},
    {"S": "354 go"},
    {"C": "x\n.\n", "raw": true},
    {"one_of": [[{"silent": "S", "for": "3s", "verdict": "conforms", "note": "still reading"}, {"C": ".", "raw": false}, {"S": "250 ok"}],
                [{"S": "250 ok", "verdict": {"is": "violates", "why": "it took <LF>.<LF>"}}],
                [{"S": "500 ok", "verdict": {"is": "exploitable", "rule": "5321-2.3.8", "severity": "lenient", "why": "it ran the rest"}}]]},
    {"C": "QUIT"},
    {"S": "221 bye", "verdict": {"is": "inconclusive", "severity": "pedantic"}},
    {"close": "S", "verdict": "not-applicable"}
  ]
})j";

constexpr std::string_view client_probe = R"j({
  "version": 1,
  "name": "client-probe",
  "probe": {"title": "after a 554 greeting the client sends no mail", "category": "greeting", "rules": ["5321-3.1"],
            "severity": "should", "checks": "client", "client_uses": ["starttls", "auth", "require-tls"],
            "exit": {"zero": {"is": "violates", "why": "it said the mail went"}, "nonzero": "conforms"}},
  "steps": [
    {"S": "554 no"},
    {"one_of": [[{"C": "QUIT", "verdict": "conforms"}, {"S": "221 bye"}], [{"silent": "C", "for": "250ms"}, {"S": "421 bye"}]]},
    {"close": "C", "verdict": {"is": "conforms", "why": "it hung up"}}
  ]
})j";

sc::loaded load(std::string_view text) { return sc::load_scenario(text); }

std::string errors_of(std::string_view text, const sc::load_settings& settings = {}) {
  std::string out;
  for (const auto& d : sc::load_scenario(text, settings).errors) out += sc::to_string("f", d) + "\n";
  return out;
}

}  // namespace

TEST_CASE("load: every key of the format reaches the model") {
  const auto l = load(everything);
  for (const auto& d : l.errors) FAIL_CHECK(sc::to_string("everything", d));
  REQUIRE(l.ok());
  const sc::scenario& s = l.sc;
  CHECK(s.name == "everything");
  CHECK(s.description == "each key once");
  CHECK(s.rfc == std::vector<std::string>{"RFC 5321 §4.2"});
  CHECK(s.tags == std::vector<std::string>{"all", "t-1"});
  REQUIRE(s.vars.size() == 2);
  CHECK(s.vars[0] == sc::variable{"user", "alice"});
  CHECK(s.vars[1] == sc::variable{"password", std::nullopt});
  CHECK(s.secrets == std::vector<std::string>{"password"});
  CHECK(s.timeout == sc::duration(2500));
  CHECK(s.implicit_tls);
  CHECK(s.expect == sc::outcome::fail);
  CHECK(s.findings == std::vector<std::string>{"5321-4.2"});
  REQUIRE(s.steps.size() == 23);

  const auto& greet = s.steps[0];
  CHECK(greet.note == "greeting");
  CHECK(greet.timeout == sc::duration(30s));
  CHECK(greet.pos.line == 14);
  CHECK(greet.pos.column == 5);
  CHECK(greet.pointer == "steps/0");
  CHECK(std::get<sc::reply_step>(greet.what).lines == std::vector<std::string>{"220 mx.example ESMTP"});

  CHECK(std::get<sc::command_step>(s.steps[1].what).match == sc::command_match::verb);
  const auto& ehlo = std::get<sc::reply_step>(s.steps[2].what);
  REQUIRE(ehlo.codes.size() == 2);
  CHECK(ehlo.codes[0].matches(250));
  CHECK_FALSE(ehlo.codes[0].matches(251));
  CHECK(ehlo.codes[1].matches(299));
  CHECK_FALSE(ehlo.codes[1].matches(300));
  CHECK(ehlo.offers == std::vector<std::string>{"AUTH PLAIN"});
  CHECK(ehlo.lacks == std::vector<std::string>{"STARTTLS"});
  const auto& ok = std::get<sc::reply_step>(s.steps[4].what);
  CHECK(ok.status == "2.7.x");
  CHECK(ok.text == "ok$");
  const auto& pipe = std::get<sc::pipeline_step>(s.steps[5].what);
  REQUIRE(pipe.commands.size() == 2);
  CHECK(pipe.commands[1].arg == "TO:<.*>");
  CHECK(s.steps[6].optional);
  CHECK(std::get<sc::reply_step>(s.steps[7].what).captures ==
        std::vector<sc::capture>{{"queue_id", "queued as (\\w+)"}});
  const auto& msg = std::get<sc::message_step>(s.steps[10].what);
  CHECK(msg.headers == std::vector<std::string>{"Subject: ${queue_id}"});
  CHECK(msg.body == "hi\n");
  CHECK(msg.html == "<p>hi</p>");
  REQUIRE(msg.attachments.size() == 1);
  CHECK(msg.attachments[0] == sc::attachment{"a.txt", "text/plain", "", "a"});
  CHECK(std::get<sc::bdat_step>(s.steps[12].what) == sc::bdat_step{"Subject: x\r\n\r\nhi\r\n", true});
  CHECK(std::holds_alternative<sc::tls_step>(s.steps[16].what));
  CHECK(std::get<sc::command_step>(s.steps[17].what).raw);
  CHECK(std::get<sc::reply_step>(s.steps[18].what).raw);
  CHECK(std::get<sc::pause_step>(s.steps[19].what).length == sc::duration(250));
  CHECK(s.steps[20].allows(sc::allowance::mixed_codes));
  CHECK_FALSE(s.steps[20].allows(sc::allowance::continuation));
  const auto& alt = std::get<sc::one_of_step>(s.steps[21].what);
  REQUIRE(alt.branches.size() == 2);
  CHECK(alt.branches[1][0].pointer == "steps/21/one_of/1/0");
  CHECK_FALSE(std::get<sc::close_step>(alt.branches[1][0].what).by_server);
  CHECK(std::get<sc::close_step>(s.steps[22].what).by_server);
}

TEST_CASE("load: the printed JSON loads back to the same scenario, and prints the same") {
  const auto first = load(everything);
  REQUIRE(first.ok());
  const std::string printed = sc::to_json(first.sc);
  const auto second = load(printed);
  for (const auto& d : second.errors) FAIL_CHECK(sc::to_string("printed", d));
  CHECK(second.sc == first.sc);
  CHECK(sc::to_json(second.sc) == printed);
  // A multi-line reply is printed a line under the other, like a transcript.
  CHECK(printed.find("{\"S\": [\"250-mx.example\",\n           \"250-AUTH PLAIN\",\n") != std::string::npos);
}

TEST_CASE("load: durations") {
  const auto timeout_of = [](std::string_view d) {
    const auto l =
        load(R"j({"version": 1, "name": "d", "timeout": )j" + std::string(d) + R"j(, "steps": [{"S": "220 x"}]})j");
    return l.ok() ? std::to_string(l.sc.timeout->count()) + "ms" : l.errors[0].what;
  };
  CHECK(timeout_of("0") == "0ms");
  CHECK(timeout_of("1.5") == "1500ms");
  CHECK(timeout_of("\"250ms\"") == "250ms");
  CHECK(timeout_of("\"2s\"") == "2000ms");
  CHECK(timeout_of("\"0.5s\"") == "500ms");
  CHECK(timeout_of("\"1m\"") == "60000ms");
  CHECK(timeout_of("3600") == "3600000ms");
  CHECK(timeout_of("3601") == "a duration must be between 0 and 1 hour");
  CHECK(timeout_of("-1") == "a duration must be between 0 and 1 hour");
  CHECK(timeout_of("\"-1s\"") == "duration \"-1s\" is not a number with a unit: \"250ms\", \"2s\", \"1m\"");
  CHECK(timeout_of("\"2\"") == "duration \"2\" is not a number with a unit: \"250ms\", \"2s\", \"1m\"");
  CHECK(timeout_of("\"s\"") == "duration \"s\" is not a number with a unit: \"250ms\", \"2s\", \"1m\"");
  CHECK(timeout_of("true") == "expected a duration (seconds, or a string such as \"2s\"), found true or false");
  CHECK(sc::to_string(sc::duration(250)) == "250ms");
  CHECK(sc::to_string(sc::duration(2000)) == "2s");
  CHECK(sc::to_string(sc::duration(120000)) == "2m");
  CHECK(sc::to_string(sc::duration(0)) == "0s");
}

TEST_CASE("load: flow checks follow the conversation") {
  // AUTH is fine after the EHLO reply inside TLS offered it, though the first did not.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [
    {"S": "220 x"}, {"C": "EHLO c"}, {"S": ["250-x", "250 STARTTLS"]},
    {"C": "STARTTLS"}, {"S": "220 go"}, {"tls": "start"},
    {"C": "EHLO c"}, {"S": ["250-x", "250 AUTH=LOGIN"]}, {"C": "AUTH LOGIN"}, {"S": "334 VXNlcm5hbWU6"}]})j") == "");
  // A data line that reads like AUTH is data, not a command.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [
    {"S": "220 x"}, {"C": "EHLO c"}, {"S": "250 x"}, {"C": "DATA"}, {"S": "354 go"},
    {"C": "AUTH LOGIN"}, {"C": "."}, {"S": "250 ok"}]})j") == "");
  // A refused STARTTLS needs no TLS step.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x"}, {"C": "STARTTLS"}, {"S": "454 no"}]})j") ==
        "");
  // STARTTLS answered 220 at the very end still needs its TLS step.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x"}, {"C": "STARTTLS"}, {"S": "220 go"}]})j") ==
        "f:1:74: steps/2: STARTTLS got a 2xx reply, and no {\"tls\": \"start\"} step follows it (allow "
        "\"no-tls-after-starttls\" on this reply if on purpose)\n");
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x"}, {"C": "STARTTLS"},
    {"S": "220 go", "allow": ["no-tls-after-starttls"]}]})j") == "");
  // A variable given as null (to be set with --var) counts as set.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "vars": {"p": null}, "steps": [{"C": "${p}"}]})j") == "");
  // A capture in one branch of one_of counts after it.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [
    {"one_of": [[{"S": "250 id 1", "capture": {"id": "id (.*)"}}], [{"S": "251 id 2", "capture": {"id": "id (.*)"}}]]},
    {"C": "X ${id}"}]})j") == "");
}

TEST_CASE("load: an LMTP end of data is followed by one reply per recipient accepted since MAIL") {
  // The transaction up to the end of data, `rcpts` the RCPT steps and their
  // replies, then `after`: the steps that follow the end of data.
  const auto lmtp = [](std::string_view rcpts, std::string_view after, std::string_view end = R"({"message": "x\n"})") {
    return errors_of(R"j({"version": 1, "name": "x", "protocol": "lmtp", "steps": [
      {"S": "220 x"}, {"C": "LHLO c"}, {"S": "250 x"}, {"C": "MAIL FROM:<a@b>"}, {"S": "250 ok"}, )j" +
                     std::string(rcpts) + R"j(, {"C": "DATA"}, {"S": "354 go"}, )j" + std::string(end) + ", " +
                     std::string(after) + "]}");
  };
  const std::string two = R"({"C": "RCPT TO:<a@c>"}, {"S": "250 ok"}, {"C": "RCPT TO:<b@c>"}, {"S": "250 ok"})";
  CHECK(lmtp(two, R"({"S": "250 a"}, {"S": "452 b"}, {"C": "QUIT"})") == "");
  CHECK(lmtp(two, R"({"S": "250 a"}, {"C": "QUIT"})") ==
        "f:2:213: steps/11: LMTP answers the end of data once per accepted recipient (RFC 2033 §4.2): 2 accepted "
        "(steps/6, steps/8), 1 S step after it (allow \"lmtp-reply-count\" if on purpose)\n");
  // Three replies for two: the third would be read as QUIT's.
  CHECK(
      lmtp(two, R"({"S": "250 a"}, {"S": "250 b"}, {"S": "250 c"})").find("2 accepted (steps/6, steps/8), 3 S steps") !=
      std::string::npos);
  // A refused recipient gets no reply after the data; the count is of the accepted ones.
  CHECK(lmtp(R"({"C": "RCPT TO:<a@c>"}, {"S": "550 no"}, {"C": "RCPT TO:<b@c>"}, {"S": "250 ok"})",
             R"({"S": "250 b"}, {"C": "QUIT"}, {"S": "221 bye"})") == "");
  // Pipelined RCPTs: their replies come in order; "code" says the class.
  CHECK(lmtp(R"({"pipeline": ["RCPT TO:<a@c>", "RCPT TO:<b@c>", "RCPT TO:<d@c>"]}, {"S": "250 ok"},
             {"S": "550 no"}, {"S": "250 ok", "code": "25x"})",
             R"({"S": "250 a"}, {"C": "QUIT"})")
            .find("2 accepted (steps/6, steps/8), 1 S step") != std::string::npos);
  // The end of data as a "." line, and as BDAT LAST; a BDAT before it has its own one reply.
  CHECK(lmtp(two, R"({"S": "250 a"}, {"C": "QUIT"})", R"({"C": "x"}, {"C": "."})").find("steps/12: LMTP") !=
        std::string::npos);
  CHECK(errors_of(R"j({"version": 1, "name": "x", "protocol": "lmtp", "steps": [
    {"S": "220 x"}, {"C": "LHLO c"}, {"S": "250 x"}, {"C": "MAIL FROM:<a@b>"}, {"S": "250 ok"},
    {"C": "RCPT TO:<a@c>"}, {"S": "250 ok"}, {"C": "RCPT TO:<b@c>"}, {"S": "250 ok"},
    {"bdat": "x"}, {"S": "250 one chunk"}, {"bdat": "y", "last": true}, {"S": "250 a"}, {"C": "QUIT"}]})j")
            .find("steps/11: LMTP answers the end of data once per accepted recipient (RFC 2033 §4.2): 2 accepted "
                  "(steps/6, steps/8), 1 S step") != std::string::npos);
  // On purpose (a probe of a server that answers once), with "allow".
  CHECK(lmtp(two, R"({"S": "250 a"}, {"C": "QUIT"})", R"({"message": "x\n", "allow": ["lmtp-reply-count"]})") == "");
  // Not judged: a reply whose class is unknown, a server that closes or stays silent, alternatives.
  CHECK(lmtp(R"({"C": "RCPT TO:<a@c>"}, {"S": "250 ok"}, {"C": "RCPT TO:<b@c>"}, {"S": "250 ok", "code": "xxx"})",
             R"({"S": "250 a"}, {"C": "QUIT"})") == "");
  CHECK(lmtp(two, R"({"S": "250 a"}, {"close": "S"})") == "");
  CHECK(lmtp(two, R"({"S": "250 a"}, {"silent": "S", "for": "1s"}, {"C": "QUIT"})") == "");
  CHECK(lmtp(two, R"({"one_of": [[{"S": "250 a"}], [{"S": "451 a"}]]}, {"C": "QUIT"})") == "");
  // SMTP answers the end of data once, whatever the recipients.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [
    {"S": "220 x"}, {"C": "EHLO c"}, {"S": "250 x"}, {"C": "MAIL FROM:<a@b>"}, {"S": "250 ok"},
    {"C": "RCPT TO:<a@c>"}, {"S": "250 ok"}, {"C": "RCPT TO:<b@c>"}, {"S": "250 ok"},
    {"C": "DATA"}, {"S": "354 go"}, {"message": "x\n"}, {"S": "250 ok"}, {"C": "QUIT"}]})j") == "");
}

TEST_CASE("load: regexes are RE2's: inline flags anywhere; back-references and lookaround are errors that say so") {
  const auto text_errors = [](std::string_view regex) {
    return errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x", "text": ")j" + std::string(regex) +
                     R"j("}]})j");
  };
  const auto l = load(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x", "text": "(?i)^X$"}]})j");
  REQUIRE(l.errors.empty());
  CHECK(std::get<sc::reply_step>(l.sc.steps[0].what).text == "(?i)^X$");  // kept as written
  CHECK(text_errors("(?i)") == "");
  CHECK(text_errors("a(?i)b(?-i:c)(?s).(?U)d+(?P<name>e)") == "");
  CHECK(text_errors("[(?=]") == "");        // in a bracket expression "(?" is literal
  CHECK(text_errors(R"(\\(?=\\))") == "");  // an escaped "(", optional, then "=)"
  CHECK(text_errors(R"(\\0\\123)") == "");  // octal escapes, not back-references
  // What std::regex took and RE2 does not: each named.
  CHECK(text_errors(R"((a)\\1)") ==
        "f:1:62: steps/0/text: bad regular expression \"(a)\\\\1\": \"\\1\" is a back-reference, which ehlo's "
        "matcher (RE2, linear in time) does not support\n");
  CHECK(text_errors("a(?=b)") ==
        "f:1:62: steps/0/text: bad regular expression \"a(?=b)\": \"(?=\" is a lookahead, which ehlo's matcher "
        "(RE2, linear in time) does not support\n");
  CHECK(text_errors("a(?!b)") ==
        "f:1:62: steps/0/text: bad regular expression \"a(?!b)\": \"(?!\" is a lookahead, which ehlo's matcher "
        "(RE2, linear in time) does not support\n");
  CHECK(text_errors("(?<=a)b") ==
        "f:1:62: steps/0/text: bad regular expression \"(?<=a)b\": \"(?<\" opens a lookbehind ((?<= or (?<!), "
        "which ehlo's matcher (RE2, linear in time) does not support, or a named group, which RE2 spells "
        "(?P<name>...)\n");
  CHECK(text_errors("(?x)a b") ==
        "f:1:62: steps/0/text: bad regular expression \"(?x)a b\": \"(?x\" opens no group RE2 knows: (...), "
        "(?:...), (?P<name>...), or flags (i, m, s, U) as in (?i) or (?i:...)\n");
  // RE2's own words otherwise, without repeating the whole pattern.
  CHECK(text_errors("ESMTP (unclosed") ==
        "f:1:62: steps/0/text: bad regular expression \"ESMTP (unclosed\": missing )\n");
  CHECK(text_errors("a)") == "f:1:62: steps/0/text: bad regular expression \"a)\": unexpected )\n");
  CHECK(text_errors("x**") == "f:1:62: steps/0/text: bad regular expression \"x**\": bad repetition operator: **\n");
  CHECK(text_errors("a{1001}") ==
        "f:1:62: steps/0/text: bad regular expression \"a{1001}\": invalid repetition size: {1001}\n");
  // The same for arg and capture; the fuzzer's back-reference of 27 digits (which
  // overflowed std::regex's parser) is a valid RE2 pattern: "\333" is an octal escape.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x", "capture": {"v": "(x)\\1"}},
    {"C": "MAIL FROM:<${v}>", "arg": "FROM:(?<n>.*)"}, {"S": "250 ok", "text": "\\333333333333333333333333333"}]})j") ==
        "f:1:71: steps/0/capture/v: bad regular expression \"(x)\\\\1\": \"\\1\" is a back-reference, which ehlo's "
        "matcher (RE2, linear in time) does not support\n"
        "f:2:38: steps/1/arg: bad regular expression \"FROM:(?<n>.*)\": \"(?<\" opens a lookbehind ((?<= or (?<!), "
        "which ehlo's matcher (RE2, linear in time) does not support, or a named group, which RE2 spells "
        "(?P<name>...)\n");
}

TEST_CASE("load: a regex too large for the matcher is refused, by its memory budget or by its program") {
  const auto text_errors = [](const std::string& regex, const sc::load_settings& settings = {}) {
    return errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x", "text": ")j" + regex + R"j("}]})j",
                     settings);
  };
  // 146 times ".{1000}" in 1022 bytes: 146,000 instructions, megabytes of program.
  std::string huge;
  for (int i = 0; i < 146; ++i) huge += ".{1000}";
  const std::string shown = "\"" + huge.substr(0, 57) + "...\"";
  CHECK(text_errors(huge) == "f:1:62: steps/0/text: bad regular expression " + shown +
                                 ": too large for the matcher's memory budget of 2 MiB (a counted repetition x{n} "
                                 "compiles x n times)\n");
  // Within the budget, the program is bounded: it is what matching costs per byte.
  CHECK(text_errors("x.{500}") ==
        "f:1:62: steps/0/text: a regular expression that compiles to 1005 instructions, more than 1000 (a counted "
        "repetition x{n} compiles x n times)\n");
  CHECK(text_errors("x.{490}") == "");
  sc::load_settings small;
  small.max_regex_program = 10;
  CHECK(text_errors("[0-9]{3}", small) == "");
  CHECK(text_errors("[0-9]{30}", small).find("that compiles to 3") != std::string::npos);
}

TEST_CASE("load: limits") {
  sc::load_settings small;
  small.max_steps = 3;
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x"}, {"C": "A"}, {"C": "B"}, {"C": "C"}]})j",
                  small) == "f:1:79: steps/3: more than 3 steps\n");
  small.max_errors = 2;
  CHECK(
      errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "1"}, {"S": "2"}, {"S": "3"}, {"S": "4"}]})j", small) ==
      "f:1:45: steps/0/S: reply code \"1\" is not three digits (allow \"bad-code\" if on purpose)\n"
      "f:1:57: steps/1/S: reply code \"2\" is not three digits (allow \"bad-code\" if on purpose)\n"
      "f:1:57: 2 more errors not shown\n");
  small.max_regex_bytes = 8;
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x", "text": "123456789"}]})j", small) ==
        "f:1:62: steps/0/text: a regular expression longer than 8 bytes\n");
  CHECK(
      errors_of(
          R"j({"version": 1, "name": "x", "steps": [{"S": "220 x", "text": "(((((((((((((((((a)))))))))))))))))"}]})j") ==
      "f:1:62: steps/0/text: a regular expression nested deeper than 16 groups\n");

  // A file over the limit is refused before it is read.
  const auto path = std::filesystem::temp_directory_path() / "ehlo-load-test-big.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(2000, ' ');
  }
  sc::load_settings tiny;
  tiny.max_file_bytes = 1000;
  const auto l = sc::load_scenario_file(path, tiny);
  std::filesystem::remove(path);
  REQUIRE(l.errors.size() == 1);
  CHECK(sc::to_string("big.json", l.errors[0]) ==
        "big.json:1:1: the file is 2000 bytes; a scenario file is at most 1000");
  const auto missing = sc::load_scenario_file("/nonexistent/ehlo.json");
  REQUIRE(missing.errors.size() == 1);
  CHECK(missing.errors[0].what == "cannot be read: no such file");
  const auto device = sc::load_scenario_file("/dev/zero");
  REQUIRE(device.errors.size() == 1);
  CHECK(device.errors[0].what == "cannot be read: a character device, not a regular file");
}

TEST_CASE("load: an error about a 1 MB key or number is short") {
  const std::string key(1'000'000, 'k');
  const auto vars =
      errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x"}], "vars": {")j" + key + R"j(": 1}})j");
  CHECK(vars.size() < 1400);
  CHECK(vars.find("kkk...: expected a string, found a number") != std::string::npos);
  const auto version =
      errors_of(R"j({"version": 1.)j" + std::string(1'000'000, '0') + R"j(, "name": "x", "steps": [{"S": "220 x"}]})j");
  CHECK(version ==
        "f:1:13: version: version 1.000000000000000000... (1000002 digits) is not one this ehlo reads (it reads "
        "version 1)\n");
}

TEST_CASE("load: probe keys, verdicts and silent steps reach the model") {
  const auto server = load(server_probe);
  for (const auto& d : server.errors) FAIL_CHECK(sc::to_string("server", d));
  REQUIRE(server.ok());
  REQUIRE(server.sc.probe);
  const sc::probe_info& p = *server.sc.probe;
  CHECK(p.title == "<LF>.<LF> does not end the data");
  CHECK(p.category == "smuggling");
  CHECK(p.rules == std::vector<std::string>{"5321-4.1.1.4", "5321-2.3.8"});
  CHECK(p.level == sc::severity::must);
  CHECK(p.checks == sc::side::server);
  CHECK(p.needs == std::vector<std::string>{"PIPELINING", "AUTH PLAIN"});
  CHECK(p.opt_in);
  CHECK(p.pos.line == 4);
  const auto& branches = std::get<sc::one_of_step>(server.sc.steps[4].what).branches;
  REQUIRE(branches.size() == 3);
  CHECK(std::get<sc::silent_step>(branches[0][0].what) == sc::silent_step{true, sc::duration(3s)});
  CHECK(branches[0][0].mark == sc::verdict_mark{sc::verdict_kind::conforms, "", std::nullopt, ""});
  CHECK(branches[1][0].mark == sc::verdict_mark{sc::verdict_kind::violates, "", std::nullopt, "it took <LF>.<LF>"});
  CHECK(branches[2][0].mark ==
        sc::verdict_mark{sc::verdict_kind::exploitable, "5321-2.3.8", sc::severity::lenient, "it ran the rest"});
  CHECK(server.sc.steps[6].mark == sc::verdict_mark{sc::verdict_kind::inconclusive, "", sc::severity::pedantic, ""});
  CHECK(server.sc.steps[7].mark->is == sc::verdict_kind::not_applicable);
  CHECK_FALSE(server.sc.steps[5].mark);

  const auto client = load(client_probe);
  for (const auto& d : client.errors) FAIL_CHECK(sc::to_string("client", d));
  REQUIRE(client.ok());
  const sc::probe_info& c = *client.sc.probe;
  CHECK(c.level == sc::severity::should);
  CHECK(c.checks == sc::side::client);
  CHECK(c.client_uses == std::vector<std::string>{"starttls", "auth", "require-tls"});
  CHECK_FALSE(c.opt_in);
  CHECK(c.exit_zero == sc::verdict_mark{sc::verdict_kind::violates, "", std::nullopt, "it said the mail went"});
  CHECK(c.exit_nonzero == sc::verdict_mark{sc::verdict_kind::conforms, "", std::nullopt, ""});
  const auto& alt = std::get<sc::one_of_step>(client.sc.steps[1].what).branches;
  CHECK(std::get<sc::silent_step>(alt[1][0].what) == sc::silent_step{false, sc::duration(250)});
}

TEST_CASE("load: probes print as JSON that loads back to the same scenario, and prints the same") {
  for (const auto text : {server_probe, client_probe}) {
    const auto first = load(text);
    REQUIRE(first.ok());
    const std::string printed = sc::to_json(first.sc);
    const auto second = load(printed);
    for (const auto& d : second.errors) FAIL_CHECK(sc::to_string("printed", d));
    CHECK(second.sc == first.sc);
    CHECK(sc::to_json(second.sc) == printed);
  }
  // A verdict that says no more than its word is printed as the word; the probe on one line, before the steps.
  const std::string printed = sc::to_json(load(server_probe).sc);
  CHECK(printed.find("{\"silent\": \"S\", \"for\": \"3s\", \"verdict\": \"conforms\", \"note\": \"still reading\"}") !=
        std::string::npos);
  CHECK(printed.find("  \"probe\": {\"title\": \"<LF>.<LF> does not end the data\", \"category\": \"smuggling\", "
                     "\"rules\": [\"5321-4.1.1.4\", \"5321-2.3.8\"], \"severity\": \"must\", \"checks\": \"server\", "
                     "\"needs\": [\"PIPELINING\", \"AUTH PLAIN\"], \"opt_in\": true},\n  \"steps\": [") !=
        std::string::npos);
  CHECK(printed.find("{\"S\": \"221 bye\", \"verdict\": {\"is\": \"inconclusive\", \"severity\": \"pedantic\"}}") !=
        std::string::npos);
}

TEST_CASE("load: unknown keys are told apart from misplaced ones, and a step's own keys are suggested first") {
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"S": "220 x"}, {"silent": "C", "fro": "1s"}]})j") ==
        "f:1:71: steps/1/fro: unknown key \"fro\"; did you mean \"for\"?\n");
  // The suggestion stands for the missing key of that step only, not of the next.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"silent": "C", "fro": "1s"}, {"silent": "C"}]})j") ==
        "f:1:55: steps/0/fro: unknown key \"fro\"; did you mean \"for\"?\n"
        "f:1:69: steps/1: missing the key \"for\"\n");
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"pause": "1s", "for": "1s"}]})j") ==
        "f:1:55: steps/0/for: the key \"for\" does not apply to a \"pause\" step\n");
  // A raw pipelined command is checked as raw, whichever key comes first.
  CHECK(errors_of(
            R"j({"version": 1, "name": "x", "steps": [{"pipeline": [{"C": "NOOP\n", "raw": true}, "QUIT"]}]})j") == "");
  // A step without a kind: keys of other steps are not called unknown.
  CHECK(errors_of(R"j({"version": 1, "name": "x", "steps": [{"raw": true, "Close": "S"}]})j") ==
        "f:1:39: steps/0: a step needs one of the keys \"S\", \"C\", \"message\", \"bdat\", \"pipeline\", \"tls\", "
        "\"pause\", \"close\", \"one_of\" or \"silent\"\n"
        "f:1:53: steps/0/Close: unknown key \"Close\"; did you mean \"close\"?\n");
}
