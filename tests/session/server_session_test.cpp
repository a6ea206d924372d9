// The server role against a scripted client: what it answers, how it checks
// commands, what it keeps and finds, with the client's bytes delivered whole
// and one at a time.
#include <doctest/doctest.h>

#include <algorithm>

#include "support/session_driver.hpp"
#include "support/split.hpp"

namespace sc = ehlo::scenario;
namespace ss = ehlo::session;
using ehlo::test::fixed_settings;
using ehlo::test::run_every_split;
using ehlo::test::run_script;
using ehlo::test::scenario_of;
using ehlo::test::script;
using ehlo::test::texts;
using kind = ss::action::kind;

namespace {

constexpr std::string_view delivery = R"json({
  "version": 1, "name": "delivery",
  "steps": [
    {"S": "220 mx.example ESMTP"},
    {"C": "EHLO client.example"},
    {"S": ["250-mx.example", "250 PIPELINING"]},
    {"C": "MAIL FROM:<alice@example.org>"},
    {"C": "RCPT TO:<bob@example.com>"},
    {"C": "DATA"},
    {"S": "250 2.1.0 Ok"},
    {"S": "250 2.1.5 Ok"},
    {"S": "354 go ahead"},
    {"message": "Subject: hi\n\nbody\n"},
    {"S": "250 2.0.0 queued"},
    {"C": "QUIT"},
    {"S": "221 bye"},
    {"close": "S"}
  ]
})json";

}  // namespace

TEST_CASE("server: a pipelining client (every command in one read) passes; the message is kept unstuffed") {
  const auto scen = scenario_of(delivery);
  const std::string client =
      "EHLO client.example\r\nMAIL FROM:<alice@example.org> SIZE=20\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n"
      "Subject: hi\r\n\r\n..dot line\r\nbody\r\n.\r\nQUIT\r\n";
  auto settings = fixed_settings();
  const auto loose =
      scenario_of(std::string(delivery).replace(std::string(delivery).find("\"MAIL FROM:<alice@example.org>\""), 31,
                                                "\"MAIL FROM:<alice@example.org> SIZE=20\""));
  const auto run = run_every_split<ss::server_session>(loose, settings, script{{client}});
  CHECK(run.outcome.verdict == ss::verdict{});
  // SIZE=20, where this side's EHLO reply offered no SIZE: the client's fault,
  // found, not fatal (RFC 5321 §4.1.1.3).
  REQUIRE(run.outcome.findings.size() == 1);
  CHECK(run.outcome.findings[0].find("[5321-4.1.1.3]") != std::string::npos);
  CHECK(run.outcome.findings[0].find("a SIZE parameter though the EHLO reply did not offer SIZE") != std::string::npos);
  CHECK(run.sent ==
        "220 mx.example ESMTP\r\n250-mx.example\r\n250 PIPELINING\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go "
        "ahead\r\n250 2.0.0 queued\r\n221 bye\r\n");
  REQUIRE(run.outcome.messages.size() == 1);
  const auto& m = run.outcome.messages[0];
  CHECK(m.mail_from == "MAIL FROM:<alice@example.org> SIZE=20");
  CHECK(m.rcpt_to == std::vector<std::string>{"RCPT TO:<bob@example.com>"});
  CHECK(m.content == "Subject: hi\r\n\r\n.dot line\r\nbody\r\n");
  CHECK(m.pointer == "steps/9");
  CHECK(texts(run.outcome.transcript) ==
        std::vector<std::string>{"S: 220 mx.example ESMTP", "C: EHLO client.example", "S: 250-mx.example",
                                 "S: 250 PIPELINING", "C: MAIL FROM:<alice@example.org> SIZE=20",
                                 "C: RCPT TO:<bob@example.com>", "C: DATA", "S: 250 2.1.0 Ok", "S: 250 2.1.5 Ok",
                                 "S: 354 go ahead", "C: Subject: hi", "C: ", "C: ..dot line", "C: body", "C: .",
                                 "S: 250 2.0.0 queued", "C: QUIT", "S: 221 bye"});
}

TEST_CASE("server: UTF-8 in addresses and header only after MAIL declared SMTPUTF8 (RFC 6531 §3.4, RFC 6532 §3)") {
  // The client pipelines MAIL and RCPT: the RCPT counts on the SMTPUTF8 its MAIL declared before any reply.
  const auto scen = scenario_of(R"json({
    "version": 1, "name": "utf8",
    "steps": [
      {"S": "220 mx.example ESMTP"},
      {"C": "EHLO client.example"},
      {"S": ["250-mx.example", "250-PIPELINING", "250 SMTPUTF8"]},
      {"C": "MAIL FROM:<j\u00f6rg@example.org> SMTPUTF8", "match": "verb"},
      {"C": "RCPT TO:<\u03b4@example.com>", "match": "verb"},
      {"S": "250 2.1.0 Ok"},
      {"S": "250 2.1.5 Ok"},
      {"C": "DATA"},
      {"S": "354 go ahead"},
      {"message": "Subject: x\n\nbody\n"},
      {"S": "250 2.0.0 queued"}
    ]
  })json");
  const auto findings_of = [&](std::string mail) {
    const std::string client = "EHLO client.example\r\n" + mail + "\r\nRCPT TO:<\xce\xb4@example.com>\r\nDATA\r\n" +
                               "Subject: Gr\xc3\xbc\xc3\x9f"
                               "e\r\n\r\nb\xc3\xb6"
                               "dy\r\n.\r\n";
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{client}});
    CHECK(run.outcome.verdict == ss::verdict{});
    REQUIRE(run.outcome.messages.size() == 1);
    return run.outcome.findings;
  };
  CHECK(findings_of("MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8").empty());
  // Undeclared: the UTF-8 sender, the UTF-8 recipient and the header are each the client's fault (the body is not).
  const auto undeclared = findings_of("MAIL FROM:<j\xc3\xb6rg@example.org>");
  const auto has = [&](std::string_view what) {
    return std::count_if(undeclared.begin(), undeclared.end(),
                         [&](const std::string& f) { return f.find(what) != std::string::npos; });
  };
  CHECK(has("[5321-2.4] steps/3") == 1);
  CHECK(has("[5321-2.4] steps/4") == 1);
  CHECK(has("[6532-3] steps/9") == 1);
  CHECK(has("6532-3") == 1);
}

TEST_CASE("server: a command that differs names its step") {
  const auto scen = scenario_of(delivery);
  const auto fails_with = [&](std::string client) {
    return run_every_split<ss::server_session>(scen, fixed_settings(), script{{std::move(client)}}).outcome.verdict;
  };
  const auto v = fails_with("EHLO client.example\r\nMAIL FROM:<mallory@example.org>\r\n");
  CHECK(v.pointer == "steps/3");
  CHECK(v.expected == "C \"MAIL FROM:<alice@example.org>\"");
  CHECK(v.got == "\"MAIL FROM:<mallory@example.org>\"");
  CHECK(v.message == "steps/3: expected C \"MAIL FROM:<alice@example.org>\", got \"MAIL FROM:<mallory@example.org>\"");
  CHECK(fails_with("EHLO client.example\r\nRCPT TO:<bob@example.com>\r\n").message ==
        "steps/3: expected a MAIL command (C \"MAIL FROM:<alice@example.org>\"), got \"RCPT TO:<bob@example.com>\"");
  // The verb in any case; the rest byte for byte.
  CHECK(fails_with("ehlo client.example\r\nmail FROM:<alice@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n"
                   ".\r\nQUIT\r\n")
            .passed());
  CHECK(fails_with("EHLO client.example\r\nMAIL from:<alice@example.org>\r\n").pointer == "steps/3");
}

TEST_CASE("server: match verb, any, and arg") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "m", "steps": [
    {"S": "220 mx.example ESMTP"},
    {"C": "EHLO client.example", "match": "verb"}, {"S": "250 mx.example"},
    {"C": "MAIL FROM:<a@example.org>", "arg": "FROM:<[^>]*>( SIZE=[0-9]+)?"}, {"S": "250 ok"},
    {"C": "NOOP", "match": "any"}, {"S": "250 ok"}]})json");
  const auto verdict_of = [&](std::string client) {
    return run_every_split<ss::server_session>(scen, fixed_settings(), script{{std::move(client)}}).outcome.verdict;
  };
  CHECK(verdict_of("EHLO [192.0.2.1]\r\nMAIL FROM:<x@y> SIZE=10\r\nRSET\r\n").passed());
  CHECK(verdict_of("EHLO [192.0.2.1]\r\nMAIL FROM:<x@y> BODY=8BITMIME\r\n").message ==
        "steps/3: expected an argument of MAIL matching /FROM:<[^>]*>( SIZE=[0-9]+)?/ (C \"MAIL "
        "FROM:<a@example.org>\"), got \"MAIL FROM:<x@y> BODY=8BITMIME\"");
  CHECK(verdict_of("HELO client.example\r\n").message ==
        "steps/1: expected a EHLO command (C \"EHLO client.example\"), got \"HELO client.example\"");
}

TEST_CASE("server: a pipeline's commands are answered one by one, for a client that pipelines or waits") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "p", "steps": [
    {"S": "220 mx.example ESMTP"},
    {"pipeline": ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "DATA"]},
    {"S": "250 2.1.0 Ok"}, {"S": "250 2.1.5 Ok"}, {"S": "354 go ahead"},
    {"message": "Subject: x\n\nhi\n"},
    {"S": "250 2.0.0 Ok"}]})json");
  const std::string mail = "MAIL FROM:<a@example.org>\r\n", rcpt = "RCPT TO:<b@example.com>\r\n", data = "DATA\r\n",
                    message = "Subject: x\r\n\r\nhi\r\n.\r\n";
  const std::string replies =
      "220 mx.example ESMTP\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n250 2.0.0 Ok\r\n";
  const std::vector<std::string> transcript{"S: 220 mx.example ESMTP",
                                            "C: MAIL FROM:<a@example.org>",
                                            "S: 250 2.1.0 Ok",
                                            "C: RCPT TO:<b@example.com>",
                                            "S: 250 2.1.5 Ok",
                                            "C: DATA",
                                            "S: 354 go ahead",
                                            "C: Subject: x",
                                            "C: ",
                                            "C: hi",
                                            "C: .",
                                            "S: 250 2.0.0 Ok"};
  const auto lines = [](const std::vector<sc::transcript_step>& steps) {
    std::vector<std::string> out;
    for (const auto& st : steps)
      for (const auto& l : st.lines) out.push_back((st.from == sc::side::server ? "S: " : "C: ") + l);
    return out;
  };
  // A client that waits for each reply: it sends the next command only once
  // the last reply came, so each reply must go out before the next read.
  const auto waits = run_every_split<ss::server_session>(scen, fixed_settings(), script{{mail, rcpt, data, message}});
  CHECK(waits.outcome.verdict == ss::verdict{});
  CHECK(waits.sent == replies);
  CHECK(waits.actions == std::vector<kind>{kind::send, kind::read, kind::send, kind::read, kind::send, kind::read,
                                           kind::send, kind::read, kind::send, kind::done});
  CHECK(lines(waits.outcome.transcript) == transcript);
  // A client that pipelines: the group in one write; the server answers in
  // the same order, as it reads each command, and the transcript is the same.
  const auto pipelines =
      run_every_split<ss::server_session>(scen, fixed_settings(), script{{mail + rcpt + data, message}});
  CHECK(pipelines.outcome.verdict == ss::verdict{});
  CHECK(pipelines.sent == replies);
  CHECK(pipelines.actions == std::vector<kind>{kind::send, kind::read, kind::send, kind::send, kind::send, kind::read,
                                               kind::send, kind::done});
  CHECK(pipelines.outcome == waits.outcome);
  REQUIRE(pipelines.outcome.messages.size() == 1);
  CHECK(pipelines.outcome.messages[0].rcpt_to == std::vector<std::string>{"RCPT TO:<b@example.com>"});

  // A command that differs fails at its element, after the replies to those before it.
  const auto wrong =
      run_every_split<ss::server_session>(scen, fixed_settings(), script{{mail, "RCPT TO:<c@example.com>\r\n"}});
  CHECK(wrong.sent == "220 mx.example ESMTP\r\n250 2.1.0 Ok\r\n");
  CHECK(wrong.outcome.verdict.message ==
        "steps/1/pipeline/1: expected C \"RCPT TO:<b@example.com>\", got \"RCPT TO:<c@example.com>\"");
}

TEST_CASE("server: a pipeline's replies wait for the whole group from the first that is not a plain S step") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "p", "steps": [
    {"S": "220 mx.example ESMTP"},
    {"pipeline": ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>", "RSET"]},
    {"S": "250 2.1.0 Ok"},
    {"one_of": [[{"S": "250 2.1.5 Ok"}], [{"S": "550 5.1.1 no"}]]},
    {"S": "250 2.0.0 Ok"}]})json");
  const auto run = run_every_split<ss::server_session>(
      scen, fixed_settings(), script{{"MAIL FROM:<a@example.org>\r\n", "RCPT TO:<b@example.com>\r\nRSET\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.sent == "220 mx.example ESMTP\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok\r\n");
  // MAIL's reply went ahead; RCPT's is a one_of: it and RSET's wait for the group.
  CHECK(run.actions ==
        std::vector<kind>{kind::send, kind::read, kind::send, kind::read, kind::send, kind::send, kind::done});
}

TEST_CASE("server: arg: (?i) ignores case; the whole argument; a pattern that backtracks answers at once") {
  const auto verdict_of = [](std::string_view arg, std::string client) {
    const auto scen = scenario_of(R"json({"version": 1, "name": "i", "steps": [{"S": "220 mx.example ESMTP"},
      {"C": "MAIL FROM:<a@example.org>", "arg": ")json" +
                                  std::string(arg) + R"json("}, {"S": "250 ok"}]})json");
    return run_every_split<ss::server_session>(scen, fixed_settings(), script{{std::move(client)}}).outcome.verdict;
  };
  CHECK(verdict_of("(?i)from:<A@EXAMPLE[.]org>", "MAIL FROM:<a@example.org>\r\n").passed());
  CHECK(verdict_of("(?i)from:<A@EXAMPLE[.]org>", "mail from:<a@Example.ORG>\r\n").passed());
  CHECK(verdict_of("from:<A@EXAMPLE[.]org>", "MAIL FROM:<a@example.org>\r\n").message ==
        "steps/1: expected an argument of MAIL matching /from:<A@EXAMPLE[.]org>/ (C \"MAIL FROM:<a@example.org>\"), "
        "got \"MAIL FROM:<a@example.org>\"");
  // Still the whole argument.
  CHECK(verdict_of("(?i)from:<A@EXAMPLE[.]org>", "MAIL FROM:<a@example.org> SIZE=10\r\n").message ==
        "steps/1: expected an argument of MAIL matching /(?i)from:<A@EXAMPLE[.]org>/ (C \"MAIL "
        "FROM:<a@example.org>\"), got \"MAIL FROM:<a@example.org> SIZE=10\"");
  // std::regex took for ever over these 300 bytes (at every split of them).
  const std::string xs(300, 'x');
  CHECK(verdict_of("FROM:(x+x+)+y", "MAIL FROM:" + xs + "\r\n")
            .message.starts_with("steps/1: expected an argument of MAIL matching /FROM:(x+x+)+y/ (C \"MAIL "
                                 "FROM:<a@example.org>\"), got \"MAIL FROM:xxx"));
  CHECK(verdict_of("FROM:(x+x+)+y", "MAIL FROM:" + xs + "y\r\n").passed());
}

TEST_CASE("server: a bare LF ends no command line: strict by default, a leniency goes on; a finding either way") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "lf", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "EHLO x"}, {"S": "250 mx.example"}]})json");
  {
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{"EHLO x\n"}});
    CHECK(run.outcome.verdict.message == "a command line ended by a bare LF while reading steps/1");
    CHECK(run.outcome.findings == std::vector<std::string>{"[5321-2.3.8] steps/1 @6: a bare LF"});
  }
  auto lenient = fixed_settings();
  lenient.command.allow_bare_lf = true;
  const auto run = run_every_split<ss::server_session>(scen, lenient, script{{"EHLO x\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.outcome.findings == std::vector<std::string>{"[5321-2.3.8] steps/1 @6: a bare LF"});
}

TEST_CASE("server: the command parser's findings are the session's") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "f", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "EHLO: client.example", "match": "any"}, {"S": "250 mx.example"},
    {"C": "MAIL FROM: <a@example.org>", "match": "verb"}, {"S": "250 ok"}]})json");
  const auto run = run_every_split<ss::server_session>(
      scen, fixed_settings(), script{{"EHLO: client.example\r\nMAIL FROM: <a@example.org>\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.outcome.findings == std::vector<std::string>{"[5321-4.1.1] steps/1 @4: a colon after the verb",
                                                         "[5321-3.3] steps/3 @31: a space around the colon"});
}

TEST_CASE("server: a client that stalls, floods or sends junk ends with a clear failure, in bounded memory") {
  const auto scen = scenario_of(delivery);
  auto settings = fixed_settings();
  settings.command.max_line_length = 4096;
  SUBCASE("stalls") {
    const auto run = run_every_split<ss::server_session>(scen, settings, script{{"EHLO client.exa"}, true});
    CHECK(run.outcome.verdict.message == "timed out after 10s waiting for steps/1");
  }
  SUBCASE("a 16 MB line") {
    // The session stops at the limit, 4 KB in: the size only costs the test
    // its own copies of the line.
    ss::server_session s(scen, settings);
    std::string flood(16u << 20, 'A');
    const auto run = run_script(s, script{{"EHLO " + flood}});
    CHECK(run.outcome.verdict.message == "command line longer than 4096 bytes while reading steps/1");
    CHECK(run.max_buffered <= 64 * 1024);
  }
  SUBCASE("junk") {
    const auto run =
        run_every_split<ss::server_session>(scen, settings, script{{std::string("\x16\x03\x01\x00\x05", 5)}});
    CHECK(run.outcome.verdict.message == "a NUL in a command line while reading steps/1");
  }
  SUBCASE("the close instead of a command") {
    const auto run = run_every_split<ss::server_session>(scen, settings, script{{"EHLO client.example\r\n"}});
    CHECK(run.outcome.verdict.message == "the client closed the connection while steps/3 was expected");
  }
  SUBCASE("the close in the middle of the message") {
    const auto run = run_every_split<ss::server_session>(
        scen, settings,
        script{{"EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\nSub"}});
    CHECK(run.outcome.verdict.message == "the client closed the connection in the middle of the message at steps/9");
  }
  SUBCASE("a message over the size limit") {
    settings.data.max_size = 16;
    const auto run = run_every_split<ss::server_session>(
        scen, settings,
        script{{"EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n" +
                std::string(100, 'x') + "\r\n.\r\n"}});
    CHECK(run.outcome.verdict.message ==
          "steps/9: the message is too large: more than 16 bytes (the message size limit)");
  }
  SUBCASE("a body that never ends: it fails at the limit, not at an end that never comes") {
    settings.data.max_size = 1000;
    std::vector<std::string> chunks{
        "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n"};
    for (int i = 0; i < 1000; ++i) chunks.push_back(std::string(78, 'x') + "\r\n");
    ss::server_session s(scen, settings);
    const auto run = run_script(s, script{chunks});
    CHECK(run.outcome.verdict.message ==
          "steps/9: the message is too large: more than 1000 bytes (the message size limit)");
    // Read up to the byte past the limit: 5 command chunks' worth, then 13 of 80 bytes.
    const auto reads = static_cast<std::size_t>(std::count(run.actions.begin(), run.actions.end(), ss::action::read));
    CHECK(reads < 30);
  }
}

TEST_CASE("server: where a message passes the size limit does not depend on how its bytes were cut") {
  // Stuffed dots, a dot alone (".\r" waits for its next byte), bare CR and LF:
  // the content is shorter than the wire, and the reader holds bytes back.
  const std::string head =
      "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n";
  const std::string body = "ab\r\n..cd\r\n.\rx\r\n.\r\n";
  const std::string content = "ab\r\n.cd\r\n\rx\r\n";
  const auto scen = scenario_of(delivery);
  for (std::uint64_t max = 0; max <= content.size() + 1; ++max) {
    CAPTURE(max);
    auto settings = fixed_settings();
    settings.data.max_size = max;
    const auto run = run_every_split<ss::server_session>(scen, settings, script{{head + body + "QUIT\r\n"}});
    if (max < content.size()) {
      CHECK(run.outcome.verdict.message ==
            "steps/9: the message is too large: more than " + std::to_string(max) + " bytes (the message size limit)");
      CHECK(run.outcome.messages.empty());
    } else {
      CHECK(run.outcome.verdict == ss::verdict{});
      REQUIRE(run.outcome.messages.size() == 1);
      CHECK(run.outcome.messages[0].content == content);
    }
  }
}

TEST_CASE("server: the end of data is CRLF.CRLF only; look-alikes are content and findings") {
  const auto scen = scenario_of(delivery);
  const std::string head =
      "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n";
  const auto run = run_every_split<ss::server_session>(
      scen, fixed_settings(), script{{head + "Subject: hi\r\n\r\none\n.\nMAIL FROM:<x@y>\r\n.\r\nQUIT\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  REQUIRE(run.outcome.messages.size() == 1);
  CHECK(run.outcome.messages[0].content == "Subject: hi\r\n\r\none\n.\nMAIL FROM:<x@y>\r\n");
  const auto at = head.size() + 18;  // the LF after "one"
  CHECK(run.outcome.findings == std::vector<std::string>{
                                    "[5321-2.3.8] steps/9 @" + std::to_string(at) + ": bare LF in message data",
                                    "[5321-4.1.1.4] steps/9 @" + std::to_string(at + 1) + ": LF \".\" LF",
                                    "[5321-2.3.8] steps/9 @" + std::to_string(at + 2) + ": bare LF in message data",
                                });
}

TEST_CASE("server: bytes pipelined after STARTTLS are discarded and reported, never read as TLS-protected") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "starttls", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"}, {"S": ["250-mx.example", "250 STARTTLS"]},
    {"C": "STARTTLS"}, {"S": "220 ready"}, {"tls": "start"},
    {"C": "EHLO client.example"}, {"S": "250 mx.example"}]})json");
  ss::server_session s(scen, fixed_settings());
  const std::string first = "EHLO client.example\r\nSTARTTLS\r\n";
  const auto run = run_script(s, script{{first + "MAIL FROM:<injected@example.org>\r\n", "EHLO client.example\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.outcome.findings ==
        std::vector<std::string>{"[3207] steps/5 @" + std::to_string(first.size()) +
                                 ": bytes after the STARTTLS command, before the TLS handshake (discarded)"});
  CHECK(s.tls_version() == "TLSv1.3");
}

TEST_CASE("server: a line that cannot be read shows its bytes up to the octet that broke it, however they were cut") {
  const auto scen = scenario_of(delivery);
  const auto auth = scenario_of(R"json({"version": 1, "name": "auth", "steps": [
      {"S": "220 mx.example ESMTP"}, {"C": "AUTH PLAIN"}, {"S": "334 "}, {"C": "dGVzdAB0ZXN0AHRlc3Q="},
      {"S": "235 ok"}]})json");
  const auto data = scenario_of(R"json({"version": 1, "name": "d", "steps": [
      {"S": "220 mx.example ESMTP"}, {"C": "DATA"}, {"S": "354 go"}, {"C": "Subject: x"}, {"C": "."},
      {"S": "250 ok"}]})json");
  struct row {
    const ehlo::scenario::scenario* sc;
    std::string stream;
    std::string message;
    std::string got;
  };
  const std::string nul("\0", 1);
  const row rows[] = {
      {&scen, "EHLO client.example\nMAIL FROM:<a@b>\r\n", "a command line ended by a bare LF while reading steps/1",
       R"("EHLO client.example\n")"},
      {&scen, "EHLO a" + nul + "b\r\n", "a NUL in a command line while reading steps/1", R"("EHLO a\x00")"},
      {&scen, "EHLO a\rb\r\n", "a bare CR in a command line while reading steps/1", R"("EHLO a\r")"},
      {&scen, "EHLO " + std::string(100, 'x') + "\r\n", "command line longer than 64 bytes while reading steps/1",
       "\"EHLO " + std::string(58, 'x') + "\""},
      {&scen, "EHLO " + std::string(300, 'x') + nul + "\r\n", "a NUL in a command line while reading steps/1",
       "... \"" + std::string(199, 'x') + "\\x00\""},
      // A SASL response is hidden whole, broken or not.
      {&auth, "AUTH PLAIN\r\ndGVzdAB0ZXN0AHRlc3Q=\n", "a command line ended by a bare LF while reading steps/3",
       R"("<redacted>")"},
      {&data, "DATA\r\nSubject: " + std::string(40, 'y') + "\r\n.\r\n",
       "data line longer than 32 bytes while reading steps/3", "\"Subject: " + std::string(23, 'y') + "\""},
  };
  for (const auto& r : rows) {
    CAPTURE(r.stream);
    auto settings = fixed_settings();
    settings.command.max_line_length = r.stream.size() > 200 ? 1000 : 64;
    settings.max_data_line = 32;
    const auto v = ehlo::test::parse_every_split(r.stream, [&](const ehlo::test::chunks& c) {
      ss::server_session s(*r.sc, settings);
      return run_script(s, script{std::vector<std::string>(c.begin(), c.end())}).outcome.verdict;
    });
    CHECK(v.message == r.message);
    CHECK(v.got == r.got);
  }
  SUBCASE("a line too long shows its start") {
    auto settings = fixed_settings();
    settings.command.max_line_length = 1000;
    ss::server_session s(scen, settings);
    const auto run = run_script(s, script{{"EHLO " + std::string(2000, 'x') + "\r\n"}});
    CHECK(run.outcome.verdict.got == "\"EHLO " + std::string(195, 'x') + "...\"");
  }
}

TEST_CASE("server: AUTH's 334 makes the next line a SASL response, compared exactly and redacted") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "auth",
    "vars": {"user": "tim", "password": "tanstaaftanstaaf"}, "secrets": ["password"],
    "steps": [
      {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"}, {"S": ["250-mx.example", "250 AUTH CRAM-MD5"]},
      {"C": "AUTH CRAM-MD5"},
      {"S": "334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", "capture": {"challenge": "^334 (.*)$"}},
      {"C": "${cram_md5(user, password, challenge)}"},
      {"S": "235 2.7.0 ok"}]})json");
  // RFC 2195 §2's example exchange.
  const std::string response = "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw";
  const auto run = run_every_split<ss::server_session>(
      scen, fixed_settings(), script{{"EHLO client.example\r\nAUTH CRAM-MD5\r\n", response + "\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.outcome.findings.empty());
  CHECK(run.outcome.vars.at("challenge") == "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
  CHECK(texts(run.outcome.transcript)[6] == "C: <redacted>");

  const auto wrong = run_every_split<ss::server_session>(
      scen, fixed_settings(), script{{"EHLO client.example\r\nAUTH CRAM-MD5\r\n", "dGltIGZvbw==\r\n"}});
  CHECK(wrong.outcome.verdict.message == "steps/5: expected C \"<redacted>\", got \"<redacted>\"");
}

TEST_CASE("server: BDAT reads exactly the octets it announces, chunks joined into one message") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "b", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "MAIL FROM:<a@example.org>"}, {"S": "250 ok"},
    {"C": "RCPT TO:<b@example.com>"}, {"S": "250 ok"},
    {"bdat": "ignored: the client says how many"}, {"S": "250 ok"},
    {"bdat": "", "last": true}, {"S": "250 done"}, {"C": "QUIT"}, {"S": "221 bye"}]})json");
  const auto run = run_every_split<ss::server_session>(
      scen, fixed_settings(),
      script{{"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nBDAT 12\r\nQUIT\r\n.\r\nxyzBDAT 3 LAST\r\nabc",
              "QUIT\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  REQUIRE(run.outcome.messages.size() == 1);
  CHECK(run.outcome.messages[0].content == "QUIT\r\n.\r\nxyzabc");
  CHECK(run.outcome.messages[0].rcpt_to == std::vector<std::string>{"RCPT TO:<b@example.com>"});

  auto small = fixed_settings();
  small.data.max_size = 100;
  const auto big = run_every_split<ss::server_session>(
      scen, small, script{{"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nBDAT 1000000000\r\n"}});
  CHECK(big.outcome.verdict.message ==
        "steps/5: a BDAT chunk of 1000000000 bytes makes the message larger than 100 bytes");
  const auto not_last = run_every_split<ss::server_session>(
      scen, small, script{{"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nBDAT 3 LAST\r\n"}});
  CHECK(not_last.outcome.verdict.message == "steps/5: expected BDAT <size> (bdat), got \"BDAT 3 LAST\"");
}

TEST_CASE("server: optional commands, alternatives and the client's close") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "o", "steps": [
    {"S": "220 mx.example ESMTP"},
    {"C": "NOOP", "optional": true}, {"S": "250 ok"},
    {"one_of": [[{"C": "QUIT"}, {"S": "221 bye"}, {"close": "S"}],
                [{"C": "QUIT", "optional": true}, {"close": "C"}]]}]})json");
  SUBCASE("QUIT") {
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{"NOOP\r\nQUIT\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.sent == "220 mx.example ESMTP\r\n250 ok\r\n221 bye\r\n");
    CHECK(run.actions.back() == kind::done);
    CHECK(run.actions[run.actions.size() - 2] == kind::close);
  }
  SUBCASE("the client just closes") {
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{"NOOP\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
  }
  SUBCASE("an optional command left out: what came is tried on the next step") {
    // The NOOP is missing: the reply to it is still sent (the next step), then QUIT is read.
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{"QUIT\r\n"}});
    CHECK(run.outcome.verdict == ss::verdict{});
    CHECK(run.sent == "220 mx.example ESMTP\r\n250 ok\r\n221 bye\r\n");
  }
  SUBCASE("neither alternative") {
    const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{"NOOP\r\nRSET\r\n"}});
    CHECK(run.outcome.verdict.message ==
          "steps/3: expected one of 2 alternatives: [1] a QUIT command (C \"QUIT\"); [2] the client to close the "
          "connection, got \"RSET\"");
  }
}

TEST_CASE("server: a client that resets the connection while a reply is sent closed it, where its close is due") {
  // A client that refuses a 100 kB reply line closes with the rest of it unread: the server's write fails.
  const auto scen = scenario_of(R"json({"version": 1, "name": "r", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "EHLO client.example"},
    {"S": "250 ${repeat('x', '102400')}"},
    {"one_of": [[{"C": "MAIL FROM:<a@b>"}], [{"close": "C"}]]}]})json");
  ss::server_session s(scen, fixed_settings());
  REQUIRE(s.next().what == kind::send);
  s.sent();
  s.received("EHLO client.example\r\n");
  REQUIRE(s.next().what == kind::send);
  s.reset_while_sending("cannot send: Connection reset by peer");
  CHECK(s.result().passed());
  CHECK(s.next().what == kind::done);
  REQUIRE(!s.transcript().empty());
  CHECK(s.transcript().back().note == "the client reset the connection (cannot send: Connection reset by peer)");

  SUBCASE("where a reply of the server's own comes next, a failure") {
    const auto next_sent = scenario_of(R"json({"version": 1, "name": "r", "steps": [
      {"S": "220 mx.example ESMTP"}, {"S": "250 more"}, {"close": "C"}]})json");
    ss::server_session t(next_sent, fixed_settings());
    REQUIRE(t.next().what == kind::send);
    t.reset_while_sending("cannot send: Broken pipe");
    CHECK(t.result().message == "the connection failed at steps/1: cannot send: Broken pipe");
  }
}

TEST_CASE("server: data lines written as C steps are compared exactly, and kept as a message") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "d", "steps": [
    {"S": "220 mx.example ESMTP"}, {"C": "DATA"}, {"S": "354 go"},
    {"C": "Subject: x"}, {"C": ""}, {"C": "..dot"}, {"C": "."}, {"S": "250 ok"}]})json");
  const auto run =
      run_every_split<ss::server_session>(scen, fixed_settings(), script{{"DATA\r\nSubject: x\r\n\r\n..dot\r\n.\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  REQUIRE(run.outcome.messages.size() == 1);
  CHECK(run.outcome.messages[0].content == "Subject: x\r\n\r\n.dot\r\n");
  const auto wrong =
      run_every_split<ss::server_session>(scen, fixed_settings(), script{{"DATA\r\nSubject: x\r\n\r\n.dot\r\n.\r\n"}});
  CHECK(wrong.outcome.verdict.message == "steps/5: expected C \"..dot\", got \".dot\"");
}

TEST_CASE("server: a capture on an S step applies to what the server sent") {
  const auto scen = scenario_of(R"json({"version": 1, "name": "c", "steps": [
    {"S": "220 mx.example ESMTP ${hex('41')}", "capture": {"banner": "ESMTP (.*)"}},
    {"C": "NOOP ${banner}"}, {"S": "250 ok"}]})json");
  const auto run = run_every_split<ss::server_session>(scen, fixed_settings(), script{{"NOOP A\r\n"}});
  CHECK(run.outcome.verdict == ss::verdict{});
  CHECK(run.outcome.vars.at("banner") == "A");
}
