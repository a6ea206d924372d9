// The server machine: the seeds' real exchanges, the RFC examples, and every
// way a response is refused, with the reply each outcome gets.
#include "proto/sasl_server.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "proto/base64.hpp"
#include "proto/sasl_cram_md5.hpp"
#include "proto/sasl_support.hpp"

using namespace ehlo::proto::sasl;
using namespace ehlo::test;
namespace b64 = ehlo::proto::base64;
using namespace std::string_literals;

namespace {

// The last step; its line views into s.
step run(server& s, std::optional<std::string_view> ir, std::initializer_list<std::string_view> lines) {
  step last = s.start(ir);
  for (const auto line : lines) last = s.on_response(line);
  return last;
}

server_settings rfc2195() {
  server_settings st;
  st.nonce = "1896";
  st.timestamp = 697170952;
  st.hostname = "postoffice.reston.mci.net";
  return st;
}

}  // namespace

TEST_CASE("sasl server: seed 000, Yahoo's AUTH LOGIN with tom / neron12, refused") {
  server s(mechanism::login);
  CHECK(owned_step(s.start(std::nullopt)) == more("VXNlcm5hbWU6"));
  CHECK(owned_step(s.on_response("dG9t")) == more("UGFzc3dvcmQ6"));
  CHECK(owned_step(s.on_response("bmVyb24xMg==")) == done());
  CHECK(s.state() == status::done);
  CHECK(s.creds() == credentials{"", "tom", "neron12", "", ""});
  CHECK(s.verify("neron12"));
  CHECK_FALSE(s.verify("neron13"));
  CHECK_FALSE(s.verify(""));
  // The account's password is something else: the seed's server answered 535.
  const step r = s.reject();
  CHECK(owned_step(r) == failed(error::credentials_rejected));
  CHECK(to_string(reply_for(r)) == "535 5.7.8 Authentication credentials invalid");
  CHECK(s.creds() == credentials{});  // wiped
  CHECK(findings_of(s.findings()).empty());
}

TEST_CASE("sasl server: seed 000, wp.pl's AUTH LOGIN with Kioq / Kioq") {
  server s(mechanism::login);
  CHECK(owned_step(run(s, std::nullopt, {"Kioq", "Kioq"})) == done());
  CHECK(s.creds() == credentials{"", "***", "***", "", ""});
}

TEST_CASE("sasl server: seed 001, AUTH LOGIN weldon / w3ld0n accepted with 235") {
  server s(mechanism::login);
  const step st = run(s, std::nullopt, {"d2VsZG9u", "dzNsZDBu"});
  CHECK(owned_step(st) == done());
  CHECK(s.creds().authcid == "weldon");
  CHECK(s.verify("w3ld0n"));
  CHECK(to_string(reply_for(st)) == "235 2.7.0 Authentication successful");
}

TEST_CASE("sasl server: seed 001's hostedemail answers are refused") {
  SUBCASE("the user name decodes to bytes holding a NUL") {
    server s(mechanism::login);
    const step st = run(s, std::nullopt, {"pxFuaWXlaAB4dQuyZBNub9V0"});
    CHECK(owned_step(st) == failed(error::login_malformed));
    CHECK(findings_of(s.findings()) == seen_list{{"login", "a NUL in the user name", 0}});
    CHECK(to_string(reply_for(st)) == "535 5.7.8 Authentication credentials invalid");
  }
  SUBCASE("the password has data after its padding") {
    server s(mechanism::login);
    const step st = run(s, std::nullopt, {"d2VsZG9u", "K83NqwU9MA=a"});
    CHECK(owned_step(st) == failed(error::bad_base64));
    CHECK(findings_of(s.findings()) == seen_list{{"4954", "a response that is not base64", 10}});
    CHECK(to_string(reply_for(st)) == "501 5.5.2 Cannot decode the response");
    CHECK(s.creds() == credentials{});
  }
}

TEST_CASE("sasl server: seed 003's AUTH LOGIN lines: the password is not base64") {
  server s(mechanism::login);
  CHECK(owned_step(s.start(std::nullopt)) == more("VXNlcm5hbWU6"));
  CHECK(owned_step(s.on_response("adlxdkej")) == more("UGFzc3dvcmQ6"));
  const step st = s.on_response("lkujsefxlj");  // ten characters: not whole quanta
  CHECK(owned_step(st) == failed(error::bad_base64));
  CHECK(findings_of(s.findings()) == seen_list{{"4954", "a response that is not base64", 10}});
  CHECK(to_string(reply_for(st)) == "501 5.5.2 Cannot decode the response");
}

TEST_CASE("sasl server: LOGIN's prompts and an empty password") {
  server_settings st;
  st.login_user_prompt = "User Name";
  st.login_password_prompt = "Password";
  server s(mechanism::login, st);
  CHECK(owned_step(s.start(std::nullopt)) == more(b64::encode("User Name")));
  CHECK(owned_step(s.on_response("dG9t")) == more(b64::encode("Password")));
  CHECK(owned_step(s.on_response("")) == done());
  CHECK(s.creds().password.empty());
  CHECK(s.verify(""));
}

TEST_CASE("sasl server: \"=\" answering a challenge reads as empty, with a finding (RFC 4954 §4)") {
  server s(mechanism::login);
  CHECK(owned_step(run(s, std::nullopt, {"dG9t", "="})) == done());
  CHECK(s.creds().password.empty());
  CHECK(findings_of(s.findings()) == seen_list{{"4954", "\"=\" for an empty answer to a challenge", 6}});
  server p(mechanism::plain);
  CHECK(owned_step(p.start("=")) == failed(error::plain_too_few_fields));  // as an initial response, "=" is right
  CHECK(findings_of(p.findings()) == seen_list{{"4616", "no NUL in the message", 0}});
}

TEST_CASE("sasl server: LOGIN answers it refuses") {
  SUBCASE("an empty user name") {
    server s(mechanism::login);
    CHECK(owned_step(run(s, std::nullopt, {""})) == failed(error::login_malformed));
    CHECK(findings_of(s.findings()) == seen_list{{"login", "an empty user name", 0}});
  }
  SUBCASE("a NUL in the password") {
    server s(mechanism::login);
    CHECK(owned_step(run(s, std::nullopt, {"dG9t", b64::encode("ner\0on"s)})) == failed(error::login_malformed));
    CHECK(findings_of(s.findings()) == seen_list{{"login", "a NUL in the password", 6}});
  }
}

TEST_CASE("sasl server: LOGIN with an initial response") {
  SUBCASE("strict: 501, LOGIN is a mechanism in which the server speaks first") {
    server s(mechanism::login);
    const step st = s.start("dG9t");
    CHECK(owned_step(st) == failed(error::initial_response_not_allowed));
    CHECK(to_string(reply_for(st)) == "501 5.7.0 Client initiated authentication exchange");
    CHECK(findings_of(s.findings()) ==
          seen_list{{"4954", "an initial response to a mechanism in which the server speaks first", 0}});
  }
  SUBCASE("allow_login_initial_response: taken as the user name, the finding still recorded") {
    server s(mechanism::login, {.allow_login_initial_response = true});
    CHECK(owned_step(s.start("dG9t")) == more("UGFzc3dvcmQ6"));
    CHECK(owned_step(s.on_response("bmVyb24xMg==")) == done());
    CHECK(s.creds() == credentials{"", "tom", "neron12", "", ""});
    CHECK(findings_of(s.findings()) ==
          seen_list{{"4954", "an initial response to a mechanism in which the server speaks first", 0}});
  }
  SUBCASE("allow_login_initial_response: the initial response is still checked") {
    server s(mechanism::login, {.allow_login_initial_response = true});
    CHECK(owned_step(s.start("=")) == failed(error::login_malformed));
    CHECK(findings_of(s.findings()) ==
          seen_list{{"4954", "an initial response to a mechanism in which the server speaks first", 0},
                    {"login", "an empty user name", 0}});
  }
}

TEST_CASE("sasl server: PLAIN, RFC 4616 §4's examples, with and without an initial response") {
  SUBCASE("initial response, no authzid") {
    server s(mechanism::plain);
    CHECK(owned_step(s.start("AHRpbQB0YW5zdGFhZnRhbnN0YWFm")) == done());
    CHECK(s.creds() == credentials{"", "tim", "tanstaaftanstaaf", "", ""});
    CHECK(s.verify("tanstaaftanstaaf"));
  }
  SUBCASE("after the empty challenge, with an authzid") {
    server s(mechanism::plain);
    CHECK(owned_step(s.start(std::nullopt)) == more(""));
    CHECK(owned_step(s.on_response("VXJzZWwAS3VydAB4aXBqM3BsbXE=")) == done());
    CHECK(s.creds() == credentials{"Ursel", "Kurt", "xipj3plmq", "", ""});
    CHECK(s.verify("xipj3plmq"));
    CHECK_FALSE(s.verify("xipj3plmQ"));
  }
}

TEST_CASE("sasl server: PLAIN messages it refuses, with their findings") {
  struct row {
    std::string message;
    error want;
    std::string_view what;
  };
  const row rows[] = {
      {"", error::plain_too_few_fields, "no NUL in the message"},
      {"tim\0tanstaaf"s, error::plain_too_few_fields, "one NUL in the message"},
      {"\0tim\0tan\0staaf"s, error::plain_too_many_fields, "more than two NULs in the message"},
      {"\0\0tanstaaf"s, error::plain_empty_field, "an empty authcid"},
      {"\0tim\0"s, error::plain_empty_field, "an empty password"},
      {"\0tim\0\xe9t\xe9"s, error::plain_not_utf8, "a message that is not UTF-8"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.message);
    for (const bool initial : {true, false}) {
      CAPTURE(initial);
      server s(mechanism::plain);
      const std::string line = initial ? b64::encode_sasl(r.message) : b64::encode(r.message);
      const step st = initial ? s.start(line) : run(s, std::nullopt, {line});
      CHECK(owned_step(st) == failed(r.want));
      CHECK(findings_of(s.findings()) == seen_list{{"4616", std::string(r.what), 0}});
      CHECK(to_string(reply_for(st)) == "535 5.7.8 Authentication credentials invalid");
      CHECK(s.creds() == credentials{});
    }
  }
}

TEST_CASE("sasl server: allow_non_utf8_plain") {
  server s(mechanism::plain, {.allow_non_utf8_plain = true});
  CHECK(owned_step(s.start(b64::encode("\0tim\0\xe9t\xe9"s))) == done());
  CHECK(s.creds().password == "\xe9t\xe9");
  CHECK(findings_of(s.findings()) == seen_list{{"4616", "a message that is not UTF-8", 0}});
}

TEST_CASE("sasl server: CRAM-MD5, RFC 2195 §2's example") {
  server s(mechanism::cram_md5, rfc2195());
  CHECK(owned_step(s.start(std::nullopt)) == more("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"));
  CHECK(s.challenge() == "<1896.697170952@postoffice.reston.mci.net>");
  CHECK(owned_step(s.on_response("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")) == done());
  CHECK(s.creds() == credentials{"", "tim", "", "b913a602c7eda7a495b4e6e7334d3890", ""});
  CHECK(s.verify("tanstaaftanstaaf"));
  CHECK_FALSE(s.verify("tanstaaftanstaag"));
  CHECK_FALSE(s.verify(""));
}

TEST_CASE("sasl server: CRAM-MD5 with a wrong digest verifies false and is refused with 535") {
  server s(mechanism::cram_md5, rfc2195());
  s.start(std::nullopt);
  CHECK(owned_step(s.on_response(b64::encode("tim b913a602c7eda7a495b4e6e7334d3891"))) == done());
  CHECK_FALSE(s.verify("tanstaaftanstaaf"));
  CHECK(to_string(reply_for(s.reject())) == "535 5.7.8 Authentication credentials invalid");
}

TEST_CASE("sasl server: CRAM-MD5 responses it refuses") {
  struct row {
    std::string response;
    error want;
    std::string_view what;
  };
  const row rows[] = {
      {"timb913a602c7eda7a495b4e6e7334d3890", error::cram_md5_malformed, "no space before the digest"},
      {" b913a602c7eda7a495b4e6e7334d3890", error::cram_md5_malformed, "an empty user name"},
      {"tim b913a602c7eda7a495b4e6e7334d389", error::cram_md5_bad_digest, "a digest that is not 32 hex digits"},
      {"tim b913a602c7eda7a495b4e6e7334d389z", error::cram_md5_bad_digest, "a digest that is not 32 hex digits"},
      {"tim B913A602C7EDA7A495B4E6E7334D3890", error::cram_md5_upper_case_digest, "a digest in upper-case hex"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.response);
    server s(mechanism::cram_md5, rfc2195());
    const step st = run(s, std::nullopt, {b64::encode(r.response)});
    CHECK(owned_step(st) == failed(r.want));
    CHECK(findings_of(s.findings()) == seen_list{{"2195", std::string(r.what), 0}});
    CHECK(to_string(reply_for(st)) == "535 5.7.8 Authentication credentials invalid");
  }
}

TEST_CASE("sasl server: allow_upper_case_digest verifies the digest lower-cased") {
  server_settings st = rfc2195();
  st.allow_upper_case_digest = true;
  server s(mechanism::cram_md5, st);
  CHECK(owned_step(run(s, std::nullopt, {b64::encode("tim B913A602C7EDA7A495B4E6E7334D3890")})) == done());
  CHECK(s.creds().digest == "b913a602c7eda7a495b4e6e7334d3890");
  CHECK(s.verify("tanstaaftanstaaf"));
  CHECK(findings_of(s.findings()) == seen_list{{"2195", "a digest in upper-case hex", 0}});
}

TEST_CASE("sasl server: CRAM-MD5 takes no initial response (RFC 4954 §4: 501)") {
  server s(mechanism::cram_md5, rfc2195());
  const step st = s.start("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  CHECK(owned_step(st) == failed(error::initial_response_not_allowed));
  CHECK(to_string(reply_for(st)) == "501 5.7.0 Client initiated authentication exchange");
  CHECK(s.challenge().empty());
}

TEST_CASE("sasl server: a generated CRAM-MD5 challenge is fresh and well formed") {
  server a(mechanism::cram_md5, {.hostname = "mx.example"});
  server b(mechanism::cram_md5, {.hostname = "mx.example"});
  a.start(std::nullopt);
  b.start(std::nullopt);
  CHECK(a.challenge() != b.challenge());
  CHECK(is_msg_id(a.challenge()));
  CHECK(a.challenge().ends_with("@mx.example>"));
}

TEST_CASE("sasl server: XOAUTH2, Google's example, accepted") {
  server s(mechanism::xoauth2);
  const std::string ir =
      "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cB"
      "AQ"
      "==";
  CHECK(owned_step(s.start(ir)) == done());
  CHECK(s.creds() == credentials{"", "someuser@example.com", "", "", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"});
  CHECK(s.verify("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"));
  CHECK_FALSE(s.verify("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCh"));
}

TEST_CASE("sasl server: XOAUTH2 refused: the error challenge, the client's empty answer, 535") {
  const std::string ir = b64::encode(
      "user=a@b.example\x01"
      "auth=Bearer expired\x01\x01");
  SUBCASE("the default error") {
    server s(mechanism::xoauth2);
    CHECK(owned_step(s.start(ir)) == done());
    CHECK(owned_step(s.reject()) ==
          more(b64::encode(R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})")));
    CHECK(s.state() == status::more);
    CHECK_FALSE(s.verify("expired"));  // no longer done
    const step st = s.on_response("");
    CHECK(owned_step(st) == failed(error::credentials_rejected));
    CHECK(to_string(reply_for(st)) == "535 5.7.8 Authentication credentials invalid");
    CHECK(findings_of(s.findings()).empty());
  }
  SUBCASE("Google's own error, given by the caller") {
    server s(mechanism::xoauth2);
    s.start(ir);
    CHECK(owned_step(s.reject(R"({"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"})"
                              "\n")) ==
          more("eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K"));
  }
  SUBCASE("an answer that is not empty still fails, with a finding") {
    server s(mechanism::xoauth2);
    s.start(ir);
    s.reject();
    CHECK(owned_step(s.on_response("dG9t")) == failed(error::credentials_rejected));
    CHECK(findings_of(s.findings()) == seen_list{{"xoauth2", "an answer to the error challenge that is not empty",
                                                  static_cast<std::uint64_t>(ir.size() + 2)}});
  }
  SUBCASE("\"*\" to the error challenge cancels") {
    server s(mechanism::xoauth2);
    s.start(ir);
    s.reject();
    CHECK(owned_step(s.on_response("*")) == cancelled());
  }
}

TEST_CASE("sasl server: XOAUTH2 without an initial response, and malformed messages") {
  server s(mechanism::xoauth2);
  CHECK(owned_step(s.start(std::nullopt)) == more(""));
  CHECK(owned_step(s.on_response(b64::encode("user=a\x01"
                                             "auth=Bearer \x01\x01"))) == failed(error::xoauth2_malformed));
  CHECK(findings_of(s.findings()) == seen_list{{"xoauth2", "an empty token", 0}});
}

TEST_CASE("sasl server: \"*\" cancels at every point of every mechanism, and stays cancelled") {
  for (const mechanism m : {mechanism::plain, mechanism::login, mechanism::cram_md5, mechanism::xoauth2}) {
    CAPTURE(m);
    server s(m);
    s.start(std::nullopt);
    const step st = s.on_response("*");
    CHECK(owned_step(st) == cancelled());
    CHECK(to_string(reply_for(st)) == "501 5.7.0 Authentication cancelled");
    CHECK(owned_step(s.on_response("dG9t")) == cancelled());
    CHECK(findings_of(s.findings()).empty());
  }
  server s(mechanism::login);
  s.start(std::nullopt);
  s.on_response("dG9t");
  CHECK(owned_step(s.on_response("*")) == cancelled());
  CHECK(s.creds() == credentials{});
  server p(mechanism::plain);
  CHECK(owned_step(p.start("*")) == cancelled());  // as an initial response too
}

TEST_CASE("sasl server: an empty initial response is \"=\"") {
  server s(mechanism::plain);
  CHECK(owned_step(s.start("=")) == failed(error::plain_too_few_fields));
  server x(mechanism::xoauth2);
  CHECK(owned_step(x.start("")) == failed(error::xoauth2_malformed));
}

TEST_CASE("sasl server: bad base64 in every position gets 501 5.5.2") {
  for (std::string_view bad : {"dG9t!", "dG9", "dG9t====", "d G9t", "dG9t\r", "dGA=x", "dGh=", "**"}) {
    CAPTURE(bad);
    server s(mechanism::plain);
    const step st = s.start(bad);
    CHECK(owned_step(st) == failed(error::bad_base64));
    CHECK(findings_of(s.findings()) == seen_list{{"4954", "a response that is not base64", 0}});
    CHECK(to_string(reply_for(st)) == "501 5.5.2 Cannot decode the response");
  }
}

TEST_CASE("sasl server: a line over max_line gets 500 5.5.6, within bounded time") {
  SUBCASE("a small limit, exactly at and one past it") {
    server at(mechanism::login, {.max_line = 8});
    at.start(std::nullopt);
    CHECK(owned_step(at.on_response("d2VsZG9u")) == more("UGFzc3dvcmQ6"));
    const step st = at.on_response("bmVyb24xMg==");
    CHECK(owned_step(st) == failed(error::line_too_long));
    CHECK(to_string(reply_for(st)) == "500 5.5.6 Authentication exchange line is too long");
    CHECK(findings_of(at.findings()) == seen_list{{"4954", "a response line longer than the server's buffer", 10}});
  }
  SUBCASE("a 16 MB line against the default limit") {
    const std::string huge(16u << 20, 'A');
    server s(mechanism::plain);
    CHECK(owned_step(s.start(huge)) == failed(error::line_too_long));
  }
  SUBCASE("the default limit, 12288 octets, is taken") {
    std::string big = "\0tim\0"s + std::string(12288 / 4 * 3 - 5, 'p');
    const std::string line = b64::encode(big);
    REQUIRE(line.size() == 12288);
    server s(mechanism::plain);
    CHECK(owned_step(s.start(line)) == done());
  }
}

TEST_CASE("sasl server: calls out of turn change nothing") {
  server s(mechanism::plain);
  CHECK(owned_step(s.on_response("AHRpbQB0YW5zdGFhZnRhbnN0YWFm")) == failed(error::unexpected_response));
  CHECK(owned_step(s.reject()) == failed(error::unexpected_response));
  CHECK(owned_step(s.start("AHRpbQB0YW5zdGFhZnRhbnN0YWFm")) == done());
  CHECK(owned_step(s.start(std::nullopt)) == failed(error::unexpected_response));
  for (int i = 0; i < 10000; ++i) {  // a flood of lines after the end: each refused, nothing kept
    const step st = s.on_response("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    if (st.ec != error::unexpected_response) {
      CHECK(owned_step(st) == failed(error::unexpected_response));
      break;
    }
  }
  CHECK(s.state() == status::done);
  CHECK(s.creds().authcid == "tim");
  CHECK(findings_of(s.findings()).empty());
}

TEST_CASE("sasl server: a failure is sticky until reset()") {
  server s(mechanism::login);
  s.start(std::nullopt);
  CHECK(owned_step(s.on_response("!")) == failed(error::bad_base64));
  CHECK(owned_step(s.on_response("dG9t")) == failed(error::bad_base64));
  s.reset();
  CHECK(findings_of(s.findings()).empty());
  CHECK(owned_step(run(s, std::nullopt, {"dG9t", "bmVyb24xMg=="})) == done());
  CHECK(s.creds().authcid == "tom");
}

TEST_CASE("sasl server: finding offsets count every line with its CRLF") {
  server s(mechanism::login);
  s.start(std::nullopt);
  s.on_response("dG9t");  // bytes 0-5
  s.on_response("!!!!");  // starts at 6
  CHECK(findings_of(s.findings()) == seen_list{{"4954", "a response that is not base64", 6}});
  server p(mechanism::plain);
  p.start("AHRpbQB0YW5zdGFhZnRhbnN0YWFm");  // an initial response counts as a line too
  CHECK(p.state() == status::done);
}

TEST_CASE("sasl server: random lines never crash, and classify as they decode") {
  std::mt19937 rng(4954);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=*! \x01";
  for (int round = 0; round < 2000; ++round) {
    const auto m = static_cast<mechanism>(round % 4);
    server s(m, {.max_line = 64});
    std::optional<std::string> ir;
    if (rng() % 2 == 0) ir = std::string();
    step st = ir ? s.start(*ir) : s.start(std::nullopt);
    for (int n = 0; n < 4; ++n) {
      std::string line;
      const std::size_t len = rng() % 80;
      for (std::size_t i = 0; i < len; ++i) line += alphabet[rng() % alphabet.size()];
      const bool live = s.state() == status::more;
      st = s.on_response(line);
      if (!live) continue;
      CAPTURE(line);
      std::error_code ec;
      b64::decode_sasl(line, ec);
      if (line.size() > 64) {
        CHECK(st.ec == error::line_too_long);
      } else if (line == "*") {
        CHECK(st.state == status::cancelled);
      } else {
        CHECK((st.ec == error::bad_base64) == static_cast<bool>(ec));
      }
      if (st.state == status::done) CHECK_FALSE(s.creds().authcid.empty());
    }
    CHECK(s.findings().items().size() <= 5);
  }
}
