// The conversation model: which reply answers which line, and what the
// replies so far make true (data, SASL, chunks, STARTTLS, the transaction,
// the capabilities), fed as lint and the sessions feed it.
#include "proto/conversation.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "proto/reply_parser.hpp"

namespace {

using ehlo::proto::conversation;
using answered = conversation::answered;
using kind = conversation::line_kind;
using strings = std::vector<std::string>;

std::string describe(const conversation::answer& a) {
  switch (a.what) {
    case answered::greeting:
      return "greeting";
    case answered::nothing:
      return "nothing";
    case answered::untracked:
      return "untracked";
    case answered::message:
      return "message@" + std::to_string(a.at);
    case answered::sasl_response:
      return "sasl@" + std::to_string(a.at);
    case answered::command:
      break;
  }
  const std::string verb =
      a.verb == ehlo::proto::verb::unknown ? "?" + a.written : std::string(ehlo::proto::to_string(a.verb));
  return verb + "@" + std::to_string(a.at);
}

/// Plays a script: "C: line" is a client line, "S: 250-a|250 b" a reply
/// (lines cut at "|"), parsed so that EHLO's capabilities are learnt; each
/// line's ref is its 1-based place in the script. Returns, per entry, the kind
/// of a client line ("command", "sasl", "data") or what a reply answered.
strings play(conversation& conv, const strings& script) {
  strings out;
  for (std::size_t i = 0; i < script.size(); ++i) {
    const std::string_view entry = script[i];
    const std::string_view text = entry.substr(3);
    if (entry.starts_with("C: ")) {
      const kind k = conv.client_line(text, i + 1);
      out.push_back(k == kind::command ? "command" : k == kind::sasl_response ? "sasl" : "data");
      continue;
    }
    REQUIRE(entry.starts_with("S: "));
    std::string bytes;
    for (std::string_view rest = text;;) {
      const std::size_t bar = rest.find('|');
      bytes.append(rest.substr(0, bar)).append("\r\n");
      if (bar == std::string_view::npos) break;
      rest.remove_prefix(bar + 1);
    }
    ehlo::proto::reply_parser parser;
    std::error_code ec;
    REQUIRE(parser.put(bytes, ec) == bytes.size());
    REQUIRE_FALSE(ec);
    ehlo::proto::finding_log findings;
    out.push_back(describe(conv.server_reply(parser.get(), findings)));
  }
  return out;
}

}  // namespace

template <>
struct doctest::StringMaker<strings> {
  static doctest::String convert(const strings& v) {
    std::string out = "{";
    for (const auto& s : v) out += "\"" + s + "\" ";
    return (out + "}").c_str();
  }
};

TEST_CASE("conversation: replies answer lines first in, first out; the greeting answers none") {
  conversation conv;
  CHECK_FALSE(conv.greeted());
  const strings got = play(conv, {
                                     "S: 220 mx.example ESMTP",           // 1
                                     "C: EHLO client.example",            // 2
                                     "S: 250-mx.example|250 PIPELINING",  // 3
                                     "C: MAIL FROM:<a@example.com>",      // 4
                                     "C: RCPT TO:<b@example.com>",        // 5
                                     "C: RCPR TO:<c@example.com>",        // 6
                                     "C: NOOP",                           // 7
                                     "S: 250 ok",                         // 8
                                     "S: 250 ok",                         // 9
                                     "S: 500 what",                       // 10
                                     "S: 250 ok",                         // 11
                                     "S: 250 unasked",                    // 12
                                 });
  CHECK(got == strings{"greeting", "command", "EHLO@2", "command", "command", "command", "command", "MAIL@4", "RCPT@5",
                       "?RCPR@6", "NOOP@7", "nothing"});
  CHECK(conv.greeted());
  CHECK(conv.awaiting() == 0);
  CHECK(conv.newest() == 7);
  CHECK(conv.last_code() == 250);
}

TEST_CASE("conversation: a line sent before the greeting waits for the reply after it") {
  conversation conv;
  CHECK(play(conv, {"C: EHLO early.example", "S: 220 hi", "S: 250 hi"}) == strings{"command", "greeting", "EHLO@1"});
}

TEST_CASE("conversation: the verb is read as the command parser reads it") {
  CHECK(conversation::verb_of("EHLO: mydomain.com") == ehlo::proto::verb::ehlo);
  CHECK(conversation::verb_of("mail FROM:<a@b>") == ehlo::proto::verb::mail);
  CHECK(conversation::verb_text("RCPR TO:<x>") == "RCPR");
  CHECK(conversation::verb_text("") == "");
  conversation conv;
  const std::string junk(100, 'x');
  play(conv, {"S: 220 hi"});
  conv.client_line(junk, 9);
  const auto a = conv.server_reply(500);
  CHECK(a.what == answered::command);
  CHECK(a.verb == ehlo::proto::verb::unknown);
  CHECK(a.written == std::string(conversation::max_verb_text, 'x'));
}

TEST_CASE("conversation: AUTH's 334 makes the next line, and only it, a SASL response") {
  conversation conv;
  const strings got = play(conv, {
                                     "S: 220 hi",            // 1
                                     "C: AUTH LOGIN",        // 2
                                     "S: 334 VXNlcm5hbWU6",  // 3
                                     "C: dG9t",              // 4
                                     "S: 334 UGFzc3dvcmQ6",  // 5
                                     "C: bmVyb24xMg==",      // 6
                                     "S: 235 ok",            // 7
                                     "C: AUTH PLAIN",        // 8
                                     "S: 334 ",              // 9
                                     "C: *",                 // 10
                                     "S: 501 cancelled",     // 11
                                     "C: NOOP",              // 12
                                 });
  CHECK(got == strings{"greeting", "command", "AUTH@2", "sasl", "sasl@4", "sasl", "sasl@6", "command", "AUTH@8", "sasl",
                       "sasl@10", "command"});
  CHECK_FALSE(conv.in_sasl());

  conversation early;  // a second line before the next 334 is a command again
  CHECK(play(early, {"S: 220 hi", "C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: dG9t", "C: NOOP"}) ==
        strings{"greeting", "command", "AUTH@2", "sasl", "command"});
  CHECK(play(early, {"S: 535 no", "S: 250 ok"}) == strings{"sasl@4", "NOOP@5"});
}

TEST_CASE("conversation: DATA's positive reply opens the message, its end gets a reply and ends the transaction") {
  conversation conv;
  const strings got = play(conv, {
                                     "S: 220 hi",                        // 1
                                     "C: MAIL FROM:<a@example.com>",     // 2
                                     "S: 250 ok",                        // 3
                                     "C: RCPT TO:<b@example.com>",       // 4
                                     "S: 250 ok",                        // 5
                                     "C: RCPT TO:<nobody@example.com>",  // 6
                                     "S: 550 no such user",              // 7
                                     "C: DATA",                          // 8
                                     "S: 354 go",                        // 9
                                     "C: QUIT",                          // 10: a message line
                                     "C: ..",                            // 11
                                     "C: .",                             // 12
                                 });
  CHECK(got == strings{"greeting", "command", "MAIL@2", "command", "RCPT@4", "command", "RCPT@6", "command", "DATA@8",
                       "data", "data", "data"});
  CHECK_FALSE(conv.in_data());
  CHECK(conv.in_transaction());
  CHECK(conv.mail_from() == "MAIL FROM:<a@example.com>");
  CHECK(conv.rcpt_to() == strings{"RCPT TO:<b@example.com>"});
  CHECK(play(conv, {"S: 250 queued"}) == strings{"message@12"});
  CHECK_FALSE(conv.in_transaction());
  CHECK(conv.mail_from().empty());
  CHECK(conv.rcpt_to().empty());

  SUBCASE("a 234 to DATA, as wp.pl's, is followed by the message all the same") {
    CHECK(play(conv, {"C: DATA", "S: 234 go ahead", "C: Subject: x"}) == strings{"command", "DATA@1", "data"});
  }
  SUBCASE("a refused DATA leaves the next line a command") {
    CHECK(play(conv, {"C: DATA", "S: 503 no recipients", "C: Subject: x"}) == strings{"command", "DATA@1", "command"});
  }
  SUBCASE("a message sent whole before DATA's 354 is over when the 354 comes") {
    conv.client_line("DATA", 1);
    conv.message_end(2);
    CHECK(play(conv, {"S: 354 go", "S: 250 queued", "C: QUIT"}) == strings{"DATA@1", "message@2", "command"});
  }
}

TEST_CASE("conversation: RSET, HELO and EHLO accepted end the transaction; the recipients kept are bounded") {
  for (const char* ender : {"RSET", "HELO x", "EHLO x"}) {
    CAPTURE(ender);
    conversation conv({.max_pending = 4096, .max_recipients = 2});
    play(conv, {"S: 220 hi", "C: MAIL FROM:<a@x>", "C: RCPT TO:<1@x>", "C: RCPT TO:<2@x>", "C: RCPT TO:<3@x>",
                "S: 250 ok", "S: 250 ok", "S: 250 ok", "S: 251 forwarded"});
    CHECK(conv.rcpt_to() == strings{"RCPT TO:<1@x>", "RCPT TO:<2@x>"});
    CHECK(conv.recipients_dropped() == 1);
    play(conv, {std::string("C: ") + ender, "S: 500 not now"});
    CHECK(conv.in_transaction());
    play(conv, {std::string("C: ") + ender, "S: 250 ok"});
    CHECK_FALSE(conv.in_transaction());
    CHECK(conv.rcpt_to().empty());
    CHECK(conv.recipients_dropped() == 0);
  }
  conversation conv;  // RCPT outside a transaction is not kept
  play(conv, {"S: 220 hi", "C: RCPT TO:<1@x>", "S: 250 ok"});
  CHECK(conv.rcpt_to().empty());
}

TEST_CASE("conversation: EHLO's 250 offers capabilities; HELO's withdraws them; a code alone teaches none") {
  conversation conv;
  CHECK(conv.capabilities() == nullptr);
  play(conv, {"S: 220 hi", "C: EHLO x", "S: 250-hi|250-PIPELINING|250 AUTH PLAIN LOGIN"});
  REQUIRE(conv.capabilities() != nullptr);
  CHECK(conv.capabilities()->has(ehlo::proto::keyword::pipelining));
  CHECK(conv.capabilities()->auth_mechanisms().size() == 2);
  play(conv, {"C: EHLO x", "S: 550 no"});  // a refused EHLO changes nothing
  CHECK(conv.capabilities() != nullptr);
  play(conv, {"C: HELO x", "S: 250 hi"});
  CHECK(conv.capabilities() == nullptr);
  play(conv, {"C: EHLO x", "S: 250-hi|250 ENHANCEDSTATUSCODES"});
  REQUIRE(conv.capabilities() != nullptr);
  CHECK(conv.capabilities()->has(ehlo::proto::keyword::enhancedstatuscodes));
  conv.client_line("EHLO x");
  conv.server_reply(250);
  CHECK(conv.capabilities() == nullptr);

  SUBCASE("the decoder's findings come back at the reply's offsets") {
    conversation c;
    play(c, {"S: 220 hi"});
    c.client_line("EHLO x");
    const std::string bytes = "250-hi\r\n250 AUTH=LOGIN\r\n";
    ehlo::proto::reply_parser parser;
    std::error_code ec;
    parser.put(bytes, ec);
    ehlo::proto::finding_log findings;
    c.server_reply(parser.get(), findings);
    REQUIRE(findings.items().size() == 1);
    CHECK(findings.items()[0].offset == 12);
    REQUIRE(c.capabilities() != nullptr);
    CHECK(c.capabilities()->has(ehlo::proto::keyword::auth));
  }
}

TEST_CASE("conversation: STARTTLS's 220 forgets what was known and what was pipelined behind it") {
  conversation conv;
  const strings got = play(conv, {
                                     "S: 220 hi",                                             // 1
                                     "C: EHLO x",                                             // 2
                                     "S: 250-hi|250-PIPELINING|250-STARTTLS|250 AUTH PLAIN",  // 3
                                     "C: MAIL FROM:<a@x>",                                    // 4
                                     "S: 250 ok",                                             // 5
                                     "C: STARTTLS",                                           // 6
                                     "C: RCPT TO:<injected@x>",                               // 7: plaintext, pipelined
                                     "S: 220 go ahead",                                       // 8
                                 });
  CHECK(got == strings{"greeting", "command", "EHLO@2", "command", "MAIL@4", "command", "command", "STARTTLS@6"});
  CHECK(conv.capabilities() == nullptr);
  CHECK_FALSE(conv.in_transaction());
  CHECK(conv.awaiting() == 0);
  CHECK(conv.after_starttls());
  CHECK(play(conv, {"S: 250 executed the injected line"}) == strings{"nothing"});
  conv.forget();  // the driver's own call when the handshake is done changes nothing more
  CHECK(conv.after_starttls());
  CHECK(conv.greeted());
  CHECK(play(conv, {"C: EHLO x", "S: 250 hi"}) == strings{"command", "EHLO@1"});
  CHECK_FALSE(conv.after_starttls());

  conversation refused;  // a 454 leaves everything as it was
  play(refused, {"S: 220 hi", "C: EHLO x", "S: 250-hi|250 STARTTLS", "C: STARTTLS", "S: 454 not now"});
  CHECK(refused.capabilities() != nullptr);
  CHECK_FALSE(refused.after_starttls());
}

TEST_CASE("conversation: BDAT's chunk is octets, not lines; BDAT LAST's reply ends the transaction") {
  conversation conv;
  const strings got = play(conv, {
                                     "S: 220 hi",            // 1
                                     "C: MAIL FROM:<a@x>",   // 2
                                     "S: 250 ok",            // 3
                                     "C: RCPT TO:<b@x>",     // 4
                                     "S: 250 ok",            // 5
                                     "C: BDAT 20",           // 6
                                     "C: Subject: chunked",  // 7: 18 octets with CRLF
                                     "C: ",                  // 8: 2
                                     "S: 250 20 octets",     // 9
                                     "C: BDAT 7 last",       // 10
                                     "C: hello",             // 11
                                     "S: 250 queued",        // 12
                                     "C: QUIT",              // 13
                                 });
  CHECK(got == strings{"greeting", "command", "MAIL@2", "command", "RCPT@4", "command", "data", "data", "BDAT@6",
                       "command", "data", "BDAT@10", "command"});
  CHECK_FALSE(conv.in_transaction());

  SUBCASE("octets given in any split leave the same state") {
    for (const std::uint64_t piece : {1u, 3u, 7u, 100u}) {
      CAPTURE(piece);
      conversation c;
      play(c, {"S: 220 hi", "C: BDAT 7 LAST"});
      CHECK(c.chunk_left() == 7);
      for (std::uint64_t sent = 0; sent < 7; sent += piece) c.chunk_data(piece);
      CHECK(c.chunk_left() == 0);
      CHECK(play(c, {"C: NOOP", "S: 250 ok", "S: 250 ok"}) == strings{"command", "BDAT@2", "NOOP@1"});
    }
  }
  SUBCASE("a size that cannot be read announces no chunk") {
    for (const char* line : {"BDAT", "BDAT x", "BDAT 99999999999999999999999 LAST", "BDAT -1"}) {
      CAPTURE(line);
      conversation c;
      c.client_line(line);
      CHECK(c.chunk_left() == 0);
    }
  }
}

TEST_CASE("conversation: lines past the limit are counted, and replies still pair first in, first out") {
  conversation conv({.max_pending = 3, .max_recipients = 4096});
  play(conv, {"S: 220 hi"});
  for (std::uint64_t i = 1; i <= 5; ++i) conv.client_line("NOOP", i);
  CHECK(conv.awaiting() == 5);
  CHECK(conv.newest() == 5);
  CHECK(play(conv, {"S: 250 1"}) == strings{"NOOP@1"});
  conv.client_line("RSET", 6);  // behind the two untracked lines: untracked too
  CHECK(play(conv, {"S: 250 2", "S: 250 3", "S: 250 4", "S: 250 5", "S: 250 6", "S: 250 7"}) ==
        strings{"NOOP@2", "NOOP@3", "untracked", "untracked", "untracked", "nothing"});
  conv.client_line("QUIT", 8);  // the queue is empty again: tracked
  CHECK(play(conv, {"S: 221 bye"}) == strings{"QUIT@8"});

  conversation flood;  // a peer that never answers: memory stays bounded by the limit
  for (int i = 0; i < 100000; ++i) flood.client_line("RCPT TO:<" + std::string(100, 'a') + "@x>");
  CHECK(flood.awaiting() == 100000);
  CHECK(flood.untracked() == 100000 - conversation::limits{}.max_pending);
}

TEST_CASE("conversation: 421 and the last code are remembered") {
  conversation conv;
  play(conv, {"S: 220 hi", "C: NOOP", "S: 421 shutting down"});
  CHECK(conv.saw_421());
  CHECK(conv.last_code() == 421);
}

TEST_CASE("conversation: LMTP answers the end of data once per accepted recipient, in their order") {
  conversation conv;
  conv.lmtp(true);
  const strings script{"S: 220 lmtp",
                       "C: LHLO client",
                       "S: 250-lmtp|250 PIPELINING",
                       "C: MAIL FROM:<a@x>",
                       "C: RCPT TO:<b@x>",
                       "C: RCPT TO:<c@x>",
                       "C: RCPT TO:<d@x>",
                       "C: DATA",
                       "S: 250 ok",
                       "S: 250 ok",
                       "S: 550 no such user",
                       "S: 250 ok",
                       "S: 354 go",
                       "C: hello",
                       "C: .",
                       "S: 250 <b@x> saved",
                       "S: 452 <d@x> full",
                       "C: QUIT",
                       "S: 221 bye"};
  const auto out = play(conv, script);
  CHECK(out == strings{"greeting", "command", "EHLO@2", "command", "command", "command", "command", "command", "MAIL@4",
                       "RCPT@5", "RCPT@6", "RCPT@7", "DATA@8", "data", "data", "message@15", "message@15", "command",
                       "QUIT@18"});
  CHECK_FALSE(conv.in_transaction());
}

TEST_CASE("conversation: LMTP replies to the end of data say which recipient each is for") {
  conversation conv;
  conv.lmtp(true);
  play(conv, {"S: 220 lmtp", "C: LHLO client", "S: 250 lmtp", "C: MAIL FROM:<a@x>", "S: 250 ok", "C: RCPT TO:<b@x>",
              "S: 250 ok", "C: RCPT TO:<c@x>", "S: 250 ok", "C: DATA", "S: 354 go"});
  conv.message_end(42);
  const auto first = conv.server_reply(250);
  CHECK(first.what == answered::message);
  CHECK(first.recipient == 0);
  CHECK(first.recipients == 2);
  CHECK(conv.in_transaction());  // one more reply to come
  const auto second = conv.server_reply(450);
  CHECK(second.what == answered::message);
  CHECK(second.at == 42);
  CHECK(second.recipient == 1);
  CHECK_FALSE(conv.in_transaction());
  CHECK(conv.server_reply(250).what == answered::nothing);

  // In SMTP the same second reply answers nothing.
  conversation smtp;
  play(smtp, {"S: 220 mx", "C: EHLO client", "S: 250 mx", "C: MAIL FROM:<a@x>", "S: 250 ok", "C: RCPT TO:<b@x>",
              "S: 250 ok", "C: RCPT TO:<c@x>", "S: 250 ok", "C: DATA", "S: 354 go"});
  smtp.message_end(42);
  CHECK(smtp.server_reply(250).what == answered::message);
  CHECK(smtp.server_reply(450).what == answered::nothing);

  // BDAT LAST too gets a reply per recipient.
  conversation bdat;
  bdat.lmtp(true);
  play(bdat, {"S: 220 lmtp", "C: LHLO client", "S: 250 lmtp", "C: MAIL FROM:<a@x>", "S: 250 ok", "C: RCPT TO:<b@x>",
              "S: 250 ok", "C: RCPT TO:<c@x>", "S: 250 ok"});
  bdat.client_line("BDAT 5 LAST", 50);
  bdat.chunk_data(5);
  CHECK(bdat.server_reply(250).recipient == 0);
  const auto last = bdat.server_reply(250);
  CHECK(last.verb == ehlo::proto::verb::bdat);
  CHECK(last.recipient == 1);
  CHECK_FALSE(bdat.in_transaction());
}

TEST_CASE("conversation: XCLIENT's 220 starts a new session; XFORWARD's 250 changes nothing") {
  conversation conv;
  play(conv, {"S: 220 mx", "C: EHLO proxy", "S: 250-mx|250 XCLIENT NAME ADDR", "C: MAIL FROM:<a@x>", "S: 250 ok"});
  REQUIRE(conv.capabilities() != nullptr);
  REQUIRE(conv.in_transaction());
  CHECK(play(conv, {"C: XCLIENT ADDR=192.0.2.1", "S: 220 mx"}) == strings{"command", "XCLIENT@1"});
  CHECK(conv.capabilities() == nullptr);
  CHECK_FALSE(conv.in_transaction());
  CHECK_FALSE(conv.after_starttls());

  conversation fwd;
  play(fwd,
       {"S: 220 mx", "C: EHLO filter", "S: 250-mx|250 XFORWARD NAME ADDR", "C: XFORWARD ADDR=192.0.2.1", "S: 250 ok"});
  CHECK(fwd.capabilities() != nullptr);
}
