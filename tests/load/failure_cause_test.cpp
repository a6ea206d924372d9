// The causes failed sessions are counted under: the same words for the same
// failure whatever the server's text, the step named with what it answers.
#include "load/failure_cause.hpp"

#include <doctest/doctest.h>

#include "support/session_driver.hpp"

using namespace ehlo::load;
using ehlo::test::scenario_of;

namespace {

constexpr std::string_view delivery = R"json({"version": 1, "name": "d", "steps": [
  {"S": "220 mx"}, {"C": "EHLO c"}, {"S": ["250-mx", "250 STARTTLS"], "offers": ["STARTTLS"]},
  {"C": "STARTTLS"}, {"S": "220 go"}, {"tls": "start"},
  {"pipeline": ["MAIL FROM:<a@example.org>", "RCPT TO:<b@example.com>"]}, {"S": "250 ok"}, {"S": ["250 ok"]},
  {"C": "DATA"}, {"one_of": [[{"S": "354 go"}], [{"S": "554 no", "code": "5xx"}, {"C": "QUIT"}, {"S": "221 bye"}]]},
  {"message": "x\n"}, {"S": ["250 queued"], "code": ["250", "251"]}, {"C": "QUIT"}, {"S": "221 bye"}]})json";

}  // namespace

TEST_CASE("failure cause: what a step is") {
  const auto sc = scenario_of(delivery);
  CHECK(step_label(sc, "steps/0") == "greeting");
  CHECK(step_label(sc, "steps/2") == "reply to EHLO");
  CHECK(step_label(sc, "steps/4") == "reply to STARTTLS");
  CHECK(step_label(sc, "steps/5") == "TLS handshake");
  CHECK(step_label(sc, "steps/6") == "sending the pipeline");
  CHECK(step_label(sc, "steps/6/pipeline/1") == "sending the pipeline");
  CHECK(step_label(sc, "steps/8") == "reply to the pipeline");
  CHECK(step_label(sc, "steps/10/one_of/0/0") == "");  // the first of its branch: what it answers is outside
  CHECK(step_label(sc, "steps/10/one_of/1/2") == "reply to QUIT");
  CHECK(step_label(sc, "steps/12") == "reply to the end of data");
  CHECK(step_label(sc, "steps/13") == "sending QUIT");
  CHECK(step_label(sc, "steps/99") == "");
  CHECK(step_label(sc, "steps/10/one_of/7/0") == "");
  CHECK(step_label(sc, "vars/password") == "");
  CHECK(step_label(sc, "") == "");
}

TEST_CASE("failure cause: by how the session ended, the server's own words left to the example") {
  const auto sc = scenario_of(delivery);
  CHECK(cause_of(sc, {"steps/8", "250 (S \"250 ok\")", "452 4.5.3 Too many recipients", "..."}, ending::done) ==
        "steps/8 (reply to the pipeline): got 452, expected 250");
  CHECK(cause_of(sc, {"steps/12", "250 or 251 (S \"250 queued\")", "554-5.7.1 rejected\n554 5.7.1 spam", "..."},
                 ending::done) == "steps/12 (reply to the end of data): got 554, expected 250 or 251");
  CHECK(cause_of(sc, {"steps/2", "an EHLO reply offering STARTTLS (S \"250-mx\" ...)", "250-mx / 250 8BITMIME", "..."},
                 ending::done) == "steps/2 (reply to EHLO): expected an EHLO reply offering STARTTLS, got 250");
  CHECK(cause_of(sc, {"steps/2", "", "", "reply line longer than 512 bytes while reading steps/2"}, ending::done) ==
        "steps/2 (reply to EHLO): reply line longer than 512 bytes while reading steps/2");
  CHECK(cause_of(sc, {"steps/2", "", "", "timed out after 10s waiting for steps/2"}, ending::timed_out) ==
        "timeout at steps/2 (reply to EHLO)");
  CHECK(cause_of(sc, {"steps/12", "", "", "the server closed the connection while steps/12 was expected"},
                 ending::peer_closed) == "connection closed by the server at steps/12 (reply to the end of data)");
  CHECK(cause_of(sc, {"steps/7", "", "", "the connection failed at steps/7: Connection reset by peer"},
                 ending::reset) == "connection reset by the server at steps/7 (reply to the pipeline)");
  CHECK(cause_of(sc, {"steps/7", "", "", "the connection failed at steps/7: cannot send: Broken pipe"},
                 ending::failed) == "connection failed at steps/7 (reply to the pipeline)");
  CHECK(cause_of(sc, {"steps/5", "", "", "the TLS handshake failed at steps/5: wrong version number"},
                 ending::tls_failed) == "TLS handshake failed at steps/5 (TLS handshake)");
  CHECK(cause_of(sc, {"", "", "", "the session took longer than 5m"}, ending::expired) ==
        "session timeout after the last step");
  // A control byte from the server never reaches a cause.
  CHECK(cause_of(sc, {"steps/2", "", "", "bad \x1b[31m reply"}, ending::done) ==
        "steps/2 (reply to EHLO): bad ?[31m reply");
}
