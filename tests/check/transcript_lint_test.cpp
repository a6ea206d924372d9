#include "check/transcript_lint.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "scenario/transcript.hpp"

namespace {

/// "line [id] what" for each finding of the transcript `text`.
std::vector<std::string> lint(const std::string& text) {
  ehlo::scenario::transcript_error err;
  const auto steps = ehlo::scenario::read_sc_transcript(text, err);
  REQUIRE_FALSE(err);
  std::vector<std::string> out;
  for (const auto& f : ehlo::check::lint_transcript(steps))
    out.push_back(std::to_string(f.line) + " [" + std::string(f.broken->id) + "] " + f.what);
  return out;
}

using lines = std::vector<std::string>;

}  // namespace

TEST_CASE("lint: a clean conversation has no findings") {
  CHECK(lint("S: 220 mx.example ESMTP\n"
             "C: EHLO client.example\n"
             "S: 250-mx.example\n"
             "250-PIPELINING\n"
             "250-AUTH PLAIN LOGIN\n"
             "250 8BITMIME\n"
             "C: AUTH LOGIN\n"
             "S: 334 VXNlcm5hbWU6\n"
             "C: dG9t\n"
             "S: 334 UGFzc3dvcmQ6\n"
             "C: bmVyb24xMg==\n"
             "S: 235 2.7.0 ok\n"
             "C: MAIL FROM:<a@example.com>\n"
             "C: RCPT TO:<b@example.com>\n"
             "C: DATA\n"
             "S: 250 ok\n"
             "S: 250 ok\n"
             "S: 354 go\n"
             "C: Subject: hi\n"
             "C: \n"
             "C: ..leading dot, stuffed\n"
             "C: .\n"
             "S: 250 queued\n"
             "C: QUIT\n"
             "S: 221 bye\n") == lines{});
}

TEST_CASE("lint: replies outside what RFC 5321 §4.3.2 lists for their command") {
  CHECK(lint("S: 250 not a greeting\n"
             "C: HELO x\n"
             "S: 354 go\n"
             "C: QUIT\n"
             "S: 250 bye\n") ==
        lines{"1 [5321-4.3.2] 250 is not a reply to <greeting> (line 1); RFC 5321 §4.3.2 lists 220, 554",
              "3 [5321-4.3.2] 354 is not a reply to HELO (line 2); RFC 5321 §4.3.2 lists 250, 504, 550, 502",
              "5 [5321-4.3.2] 250 is not a reply to QUIT (line 4); RFC 5321 §4.3.2 lists 221"});
}

TEST_CASE("lint: a reply with no command, and a step holding two replies") {
  CHECK(lint("S: 220 hi\n"
             "S: 250 unasked\n"
             "C: NOOP\n"
             "S: 250 one\n"
             "250 two\n") ==
        lines{"2 [5321-4.3.2] a reply no command asked for: \"250 unasked\"",
              "5 [5321-4.2.1] a line without \"-\" ends the reply before the step does: \"250 one\""});
}

TEST_CASE("lint: AUTH the EHLO reply did not offer, and challenges that are not base64") {
  CHECK(lint("S: 220 hi\n"
             "C: EHLO x\n"
             "S: 250-hi\n"
             "250 AUTH PLAIN\n"
             "C: AUTH LOGIN\n"
             "S: 334 Username:\n"
             "C: *\n"
             "S: 501 cancelled\n") ==
        lines{"5 [4954] AUTH LOGIN, a mechanism the EHLO reply did not offer",
              "6 [4954] a 334 challenge that is not base64 (a character outside the base64 alphabet): \"Username:\""});
  CHECK(lint("S: 220 hi\n"
             "C: EHLO x\n"
             "S: 250 hi\n"
             "C: AUTH PLAIN\n"
             "S: 530 5.7.0 Must issue a STARTTLS command first\n") ==
        lines{"4 [4954] AUTH after an EHLO reply that offered no AUTH"});
}

TEST_CASE("lint: MAIL and RCPT parameters only of extensions the EHLO reply offered (RFC 5321 §4.1.1.3)") {
  // Offered: no finding, and a MAIL that declared SMTPUTF8 lets its RCPTs carry UTF-8.
  CHECK(lint("S: 220 hi\n"
             "C: EHLO x\n"
             "S: 250-hi\n"
             "250-SIZE 1000\n"
             "250-8BITMIME\n"
             "250-DSN\n"
             "250 SMTPUTF8\n"
             "C: MAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8 SIZE=10 BODY=8BITMIME RET=HDRS ENVID=Q+2B1\n"
             "S: 250 ok\n"
             "C: RCPT TO:<\xce\xb4\xce\xbf\xce\xba@example.com> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a@example.com\n"
             "S: 250 ok\n") == lines{});
  // Not offered: a finding per parameter, named by its extension.
  const std::string mail = ": \"MAIL FROM:<a@example.org> SMTPUTF8 SIZE=10 BODY=BINARYMIME R...\"";
  CHECK(lint("S: 220 hi\n"
             "C: EHLO x\n"
             "S: 250-hi\n"
             "250 PIPELINING\n"
             "C: MAIL FROM:<a@example.org> SMTPUTF8 SIZE=10 BODY=BINARYMIME RET=FULL XFOO=1\n"
             "S: 250 ok\n"
             "C: RCPT TO:<b@example.com> NOTIFY=NEVER\n"
             "S: 250 ok\n") ==
        lines{"5 [5321-4.1.1.3] SMTPUTF8 though the EHLO reply did not offer SMTPUTF8" + mail,
              "5 [5321-4.1.1.3] a SIZE parameter though the EHLO reply did not offer SIZE" + mail,
              "5 [5321-4.1.1.3] BODY=BINARYMIME though the EHLO reply did not offer BINARYMIME" + mail,
              "5 [5321-4.1.1.3] a DSN parameter (RET, ENVID, NOTIFY, ORCPT) though the EHLO reply did not offer DSN" +
                  mail,
              "5 [5321-4.1.1.3] a parameter of no extension the EHLO reply offered" + mail,
              "7 [5321-4.1.1.3] a DSN parameter (RET, ENVID, NOTIFY, ORCPT) though the EHLO reply did not offer DSN: "
              "\"RCPT TO:<b@example.com> NOTIFY=NEVER\""});
  // UTF-8 in a RCPT of a transaction whose MAIL did not declare SMTPUTF8, and
  // in one after a refused MAIL that did (no transaction): each a finding.
  const std::string undeclared =
      "S: 220 hi\nC: EHLO x\nS: 250-hi\n250 SMTPUTF8\nC: MAIL FROM:<a@example.org>\n"
      "S: 250 ok\nC: RCPT TO:<\xce\xb4@example.com>\nS: 553 5.6.7 no\n";
  const auto has_8bit_finding = [](const lines& found) {
    return std::count_if(found.begin(), found.end(), [](const std::string& f) {
             return f.starts_with("7 [5321-2.4] an 8-bit octet without SMTPUTF8");
           }) == 1;
  };
  CHECK(has_8bit_finding(lint(undeclared)));
  const auto refused = lint(
      "S: 220 hi\nC: EHLO x\nS: 250-hi\n250 SMTPUTF8\nC: MAIL FROM:<a@example.org> SMTPUTF8\n"
      "S: 452 no\nC: RCPT TO:<\xce\xb4@example.com>\nS: 503 no\n");
  CHECK(has_8bit_finding(refused));
  // Pipelined: the RCPT comes before MAIL's reply, and counts on the SMTPUTF8 MAIL declared.
  CHECK(lint("S: 220 hi\nC: EHLO x\nS: 250-hi\n250-PIPELINING\n250 SMTPUTF8\nC: MAIL FROM:<a@example.org> SMTPUTF8\n"
             "C: RCPT TO:<\xce\xb4@example.com>\nS: 250 ok\nS: 250 ok\n") == lines{});
  // After HELO no EHLO reply is in effect: nothing to judge parameters by here.
  CHECK(lint("S: 220 hi\nC: HELO x\nS: 250 hi\nC: MAIL FROM:<a@example.org> SIZE=1\nS: 250 ok\n") == lines{});
}

TEST_CASE("lint: after STARTTLS the client speaks EHLO first, and knows nothing from before") {
  CHECK(lint("S: 220 hi\n"
             "C: EHLO x\n"
             "S: 250-hi\n"
             "250-PIPELINING\n"
             "250 STARTTLS\n"
             "C: STARTTLS\n"
             "S: 220 go ahead\n"
             "C: MAIL FROM:<a@b.example>\n"
             "S: 250 ok\n"
             "C: RCPT TO:<c@d.example>\n"
             "C: DATA\n") == lines{"8 [3207] the first command after STARTTLS is not EHLO: \"MAIL FROM:<a@b.example>\"",
                                   "11 [2920] sent before the reply to line 10 without PIPELINING offered"});
}

TEST_CASE("lint: an EHLO-style reply to HELO, and an over-long data line") {
  CHECK(lint("S: 220 hi\n"
             "C: HELO x\n"
             "S: 250-hi\n"
             "250 PIPELINING\n"
             "C: DATA\n"
             "S: 354 go\n"
             "C: " +
             std::string(999, 'a') + "\n") ==
        lines{"3 [5321-3.2] a multi-line, EHLO-style reply to HELO", "7 [5321-4.5.3.1.6] 1001 octets in a data line"});
}

TEST_CASE("lint: the parsers' findings come back on the transcript's lines") {
  CHECK(lint("S: 220 hi\n"
             "C: EHLO: mydomain.com\n"
             "S: 250-a\n"
             "250-8BITMIME\n"
             "C: RCPR TO:<friend@domain.com>\n"
             "S: 250 ok\n") ==
        lines{"2 [5321-4.1.1] a colon after the verb: \"EHLO: mydomain.com\"",
              "4 [5321-4.2.1] the reply's last line has \"-\", so the reply never ends: \"250-8BITMIME\"",
              "5 [5321-4.5.1] an unknown command verb: \"RCPR TO:<friend@domain.com>\"",
              "6 [5321-4.3.2] 250 is not a reply to RCPR (line 5)"});
}

TEST_CASE("lint: a BDAT chunk is octets, not commands (RFC 3030 §2)") {
  CHECK(lint("S: 220 hi\n"
             "C: EHLO x\n"
             "S: 250-hi\n"
             "250-PIPELINING\n"
             "250 CHUNKING\n"
             "C: MAIL FROM:<b@example.com>\n"
             "S: 250 2.1.0 Ok\n"
             "C: RCPT TO:<a@example.com>\n"
             "S: 250 2.1.5 Ok\n"
             "C: BDAT 20\n"
             "C: Subject: chunked\n"
             "C: \n"
             "S: 250 2.0.0 Ok: 20 bytes\n"
             "C: BDAT 7 LAST\n"
             "C: hello\n"
             "S: 250 2.0.0 Ok: 27 bytes queued\n"
             "C: QUIT\n"
             "S: 221 2.0.0 Bye\n") == lines{});
}

TEST_CASE("lint: a reply after STARTTLS's 220 to a command pipelined behind STARTTLS answers nothing") {
  // RFC 3207 §4.2: the server discards what came before TLS; a reply to it
  // after the 220 is what a server that executed injected plaintext sends.
  CHECK(lint("S: 220 hi\n"
             "C: EHLO x\n"
             "S: 250-hi\n"
             "250 STARTTLS\n"
             "C: STARTTLS\n"
             "C: MAIL FROM:<a@b.example>\n"
             "S: 220 go ahead\n"
             "S: 250 ok\n") == lines{"6 [2920] sent before the reply to line 5 without PIPELINING offered",
                                     "8 [5321-4.3.2] a reply no command asked for: \"250 ok\""});
}
