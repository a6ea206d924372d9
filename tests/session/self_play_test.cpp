// Self-play: a scenario played by a client_session against a server_session
// checks itself. Every step kind and key passes, with the bytes delivered
// whole and one at a time alike.
#include <doctest/doctest.h>

#include "support/session_driver.hpp"

namespace sc = ehlo::scenario;
namespace ss = ehlo::session;
using ehlo::test::scenario_of;
using ehlo::test::self_play_every_split;

namespace {

// STARTTLS, AUTH CRAM-MD5 with the challenge captured, a pipeline with a
// refused recipient, a dot-stuffed message, a capture used later, a pause, QUIT.
constexpr std::string_view esmtp = R"json({
  "version": 1, "name": "esmtp-full",
  "vars": {"user": "alice", "password": null, "from": "alice@example.org"},
  "secrets": ["password"],
  "timeout": "5s",
  "steps": [
    {"S": "220 mx.example ESMTP", "text": "ESMTP$"},
    {"C": "EHLO client.example", "match": "verb", "note": "any name will do"},
    {"S": ["250-mx.example", "250-PIPELINING", "250-STARTTLS", "250 8BITMIME"],
     "offers": ["PIPELINING", "STARTTLS"], "lacks": ["AUTH"]},
    {"C": "STARTTLS"},
    {"S": "220 2.0.0 Ready", "status": "2.0.0"},
    {"tls": "start"},
    {"C": "EHLO client.example"},
    {"S": ["250-mx.example", "250-AUTH PLAIN LOGIN CRAM-MD5", "250-CHUNKING", "250 PIPELINING"],
     "offers": ["AUTH CRAM-MD5", "CHUNKING"], "lacks": ["STARTTLS", "AUTH GSSAPI"]},
    {"C": "AUTH CRAM-MD5"},
    {"S": "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZT4=", "capture": {"challenge": "^334 (.*)$"}},
    {"C": "${cram_md5(user, password, challenge)}"},
    {"S": "235 2.7.0 Authentication successful"},
    {"pipeline": ["MAIL FROM:<${from}>", {"C": "RCPT TO:<bob@example.com>", "arg": "TO:<[^>]+>"},
                  "RCPT TO:<carol@example.com>"]},
    {"S": "250 2.1.0 Ok"},
    {"S": "250 2.1.5 Ok", "code": ["250", "251"]},
    {"S": "550 5.1.1 <carol@example.com>: Recipient address rejected", "code": "5xx", "status": "5.1.x"},
    {"C": "DATA"},
    {"S": "354 End data with <CR><LF>.<CR><LF>", "timeout": "2s"},
    {"message": "Subject: hi\n\n.leading dot\n..two dots\nbye\n"},
    {"S": "250 2.0.0 Ok: queued as 15668AD9ED", "capture": {"queue_id": "queued as ([0-9A-F]+)"}},
    {"C": "NOOP ${queue_id}", "match": "any"},
    {"S": "250 2.0.0 Ok"},
    {"pause": "250ms"},
    {"C": "QUIT"},
    {"S": "221 2.0.0 Bye"},
    {"close": "S"}
  ]
})json";

// BDAT chunks, raw steps, an optional reply, alternatives, the client closing.
constexpr std::string_view chunks = R"json({
  "version": 1, "name": "chunks",
  "steps": [
    {"S": "220 mx.example ESMTP"},
    {"C": "EHLO client.example"},
    {"S": ["250-mx.example", "250 CHUNKING"]},
    {"C": "MAIL FROM:<a@example.org>"},
    {"S": "250 ok"},
    {"C": "RCPT TO:<b@example.com>"},
    {"S": "250 ok"},
    {"bdat": "Subject: chunk\r\n\r\n"},
    {"S": "250 2.0.0 chunk 1 ok"},
    {"bdat": "body\r\n.\r\nafter a dot line\r\n", "last": true},
    {"S": "250 2.0.0 queued"},
    {"C": "RSET\r\n", "raw": true},
    {"S": "250 2.0.0 Ok\r\n", "raw": true},
    {"C": "NOOP"},
    {"S": "250 ok", "optional": true},
    {"one_of": [[{"C": "QUIT"}, {"S": "221 bye"}, {"close": "S"}],
                [{"close": "C"}]]}
  ]
})json";

// HELO, a MIME message built from headers, bodies and an attachment, a
// second message written as data lines, the client closing after QUIT.
constexpr std::string_view helo_mime = R"json({
  "version": 1, "name": "helo-mime",
  "steps": [
    {"S": "220 mx.example"},
    {"C": "HELO client.example"},
    {"S": "250 mx.example"},
    {"C": "MAIL FROM:<a@example.org> SIZE=100", "arg": "FROM:<[^>]*>( SIZE=[0-9]+)?"},
    {"S": "250 ok"},
    {"C": "RCPT TO:<b@example.com>"},
    {"S": "250 ok"},
    {"C": "DATA"},
    {"S": "354 go"},
    {"message": {"headers": ["From: alice@example.org", "To: bob@example.com", "Subject: report",
                             "Date: ${date()}", "Message-ID: ${message_id()}"],
                 "body": "See attached.\n", "html": "<p>See attached.</p>\n",
                 "attachments": [{"name": "report.csv", "content": "a,b\n1,2\n"}]}},
    {"S": "250 queued"},
    {"C": "MAIL FROM:<a@example.org>"},
    {"S": "250 ok"},
    {"C": "RCPT TO:<c@example.com>"},
    {"S": "250 ok"},
    {"C": "DATA"},
    {"S": "354 go"},
    {"C": "Subject: lines"},
    {"C": ""},
    {"C": "..dot"},
    {"C": "."},
    {"S": "250 queued"},
    {"C": "QUIT"},
    {"S": "221 bye"},
    {"close": "C"}
  ]
})json";

ss::settings with_password() {
  auto s = ehlo::test::fixed_settings();
  s.vars = {{"password", "tanstaaftanstaaf"}};
  return s;
}

sc::transcript_step S(std::vector<std::string> lines, std::size_t line) {
  return sc::transcript_step{.from = sc::side::server, .lines = std::move(lines), .line = line};
}
sc::transcript_step C(std::string text, std::size_t line) {
  return sc::transcript_step{.from = sc::side::client, .lines = {std::move(text)}, .line = line};
}

/// A transcript as text, a step a line, for readable failures.
std::string text_of(const std::vector<sc::transcript_step>& steps) {
  std::ostringstream out;
  for (const auto& s : steps) out << s << "\n";
  return out.str();
}

}  // namespace

TEST_CASE("self-play: STARTTLS, AUTH CRAM-MD5, a pipeline, a message and QUIT") {
  const auto scen = scenario_of(esmtp);
  const auto out = self_play_every_split(scen, with_password());
  CHECK(out.client.verdict == ss::verdict{});
  CHECK(out.server.verdict == ss::verdict{});
  CHECK(out.client.findings.empty());
  CHECK(out.server.findings.empty());
  // Both roles end with the same captures: the server captured its own 334.
  CHECK(out.client.vars == out.server.vars);
  CHECK(out.client.vars.at("challenge") == "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZT4=");
  CHECK(out.client.vars.at("queue_id") == "15668AD9ED");

  REQUIRE(out.server.messages.size() == 1);
  const auto& m = out.server.messages[0];
  CHECK(m.mail_from == "MAIL FROM:<alice@example.org>");
  CHECK(m.rcpt_to == std::vector<std::string>{"RCPT TO:<bob@example.com>"});  // carol got 550
  CHECK(m.content == "Subject: hi\r\n\r\n.leading dot\r\n..two dots\r\nbye\r\n");
  CHECK(m.pointer == "steps/18");

  // The client's view: the pipeline's commands went before their replies;
  // the CRAM-MD5 response is redacted; the message as it went, dot-stuffed.
  const std::vector<sc::transcript_step> want{
      S({"220 mx.example ESMTP"}, 7),
      C("EHLO client.example", 8),
      S({"250-mx.example", "250-PIPELINING", "250-STARTTLS", "250 8BITMIME"}, 9),
      C("STARTTLS", 11),
      S({"220 2.0.0 Ready"}, 12),
      C("EHLO client.example", 14),
      S({"250-mx.example", "250-AUTH PLAIN LOGIN CRAM-MD5", "250-CHUNKING", "250 PIPELINING"}, 15),
      C("AUTH CRAM-MD5", 17),
      S({"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UuZXhhbXBsZT4="}, 18),
      C("<redacted>", 19),
      S({"235 2.7.0 Authentication successful"}, 20),
      C("MAIL FROM:<alice@example.org>", 21),
      C("RCPT TO:<bob@example.com>", 21),
      C("RCPT TO:<carol@example.com>", 21),
      S({"250 2.1.0 Ok"}, 23),
      S({"250 2.1.5 Ok"}, 24),
      S({"550 5.1.1 <carol@example.com>: Recipient address rejected"}, 25),
      C("DATA", 26),
      S({"354 End data with <CR><LF>.<CR><LF>"}, 27),
      C("Subject: hi", 28),
      C("", 28),
      C("..leading dot", 28),
      C("...two dots", 28),
      C("bye", 28),
      C(".", 28),
      S({"250 2.0.0 Ok: queued as 15668AD9ED"}, 29),
      C("NOOP 15668AD9ED", 30),
      S({"250 2.0.0 Ok"}, 31),
      C("QUIT", 33),
      S({"221 2.0.0 Bye"}, 34),
  };
  CHECK(text_of(out.client.transcript) == text_of(want));
  // The server read each command before it answered: the same steps, the
  // pipeline's interleaved with their replies.
  CHECK(out.server.transcript.size() == want.size());
}

TEST_CASE("self-play: BDAT chunks, raw steps, an optional reply and alternatives") {
  const auto out = self_play_every_split(scenario_of(chunks));
  CHECK(out.client.verdict == ss::verdict{});
  CHECK(out.server.verdict == ss::verdict{});
  CHECK(out.client.findings.empty());
  CHECK(out.server.findings.empty());
  REQUIRE(out.server.messages.size() == 1);
  CHECK(out.server.messages[0].content == "Subject: chunk\r\n\r\nbody\r\n.\r\nafter a dot line\r\n");
  CHECK(out.server.messages[0].rcpt_to == std::vector<std::string>{"RCPT TO:<b@example.com>"});
  CHECK(text_of(out.client.transcript) == text_of(out.server.transcript));
  CHECK(out.client.transcript.back() == S({"221 bye"}, 19));
}

TEST_CASE("self-play: HELO, a MIME message, a message written as data lines") {
  const auto out = self_play_every_split(scenario_of(helo_mime));
  CHECK(out.client.verdict == ss::verdict{});
  CHECK(out.server.verdict == ss::verdict{});
  CHECK(out.client.findings.empty());
  CHECK(out.server.findings.empty());
  CHECK(text_of(out.client.transcript) == text_of(out.server.transcript));
  REQUIRE(out.server.messages.size() == 2);
  const std::string& mime = out.server.messages[0].content;
  CHECK(mime.starts_with("Date: Sun, 24 Aug 2008 22:43:45 +0000\r\n"));
  CHECK(mime.find("Message-ID: <f00d.1219617825@ehlo.invalid>\r\n") != std::string::npos);
  CHECK(mime.find("From: alice@example.org\r\n") != std::string::npos);
  CHECK(mime.find("Content-Type: multipart/mixed;") != std::string::npos);
  CHECK(mime.find("Content-Type: multipart/alternative;") != std::string::npos);
  CHECK(mime.find("Content-Type: text/csv") != std::string::npos);
  CHECK(mime.find("YSxiDQoxLDINCg==") == std::string::npos);  // the content is sent as written, LF line ends
  CHECK(mime.find("YSxiCjEsMgo=") != std::string::npos);
  CHECK(out.server.messages[0].mail_from == "MAIL FROM:<a@example.org> SIZE=100");
  CHECK(out.server.messages[1].content == "Subject: lines\r\n\r\n.dot\r\n");
  CHECK(out.server.messages[1].rcpt_to == std::vector<std::string>{"RCPT TO:<c@example.com>"});
}

TEST_CASE("self-play: implicit TLS, then the conversation") {
  const auto out = self_play_every_split(scenario_of(R"json({
    "version": 1, "name": "smtps", "tls": "implicit",
    "steps": [{"S": "220 mx.example ESMTP"}, {"C": "QUIT"}, {"S": "221 bye"}, {"close": "S"}]
  })json"));
  CHECK(out.client.verdict == ss::verdict{});
  CHECK(out.server.verdict == ss::verdict{});
  CHECK(out.client.transcript.size() == 3);
}

TEST_CASE("self-play: a variable left null and not given fails both roles before anything is sent") {
  const auto out = self_play_every_split(scenario_of(esmtp));
  for (const auto* role : {&out.client, &out.server}) {
    CHECK(role->verdict.result == sc::outcome::fail);
    CHECK(role->verdict.pointer == "vars/password");
    CHECK(role->verdict.message == "variable \"password\" has no value: give it with --var password=VALUE");
    CHECK(role->transcript.empty());
  }
}

TEST_CASE("self-play: a scenario that breaks the protocol on purpose fails") {
  // Two codes in one reply: the strict client cannot tell which is the reply's.
  const auto out = self_play_every_split(scenario_of(R"json({
    "version": 1, "name": "mixed-codes", "outcome": "fail",
    "steps": [{"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"},
              {"S": ["250-mx.example", "251 PIPELINING"], "allow": ["mixed-codes"]},
              {"C": "QUIT"}, {"S": "221 bye"}]
  })json"));
  CHECK(out.client.verdict.message == "the lines of a multi-line reply carry different codes while reading steps/2");
  CHECK(out.client.verdict.pointer == "steps/2");
  CHECK(out.server.verdict.message == "the client closed the connection while steps/3 was expected");
}
