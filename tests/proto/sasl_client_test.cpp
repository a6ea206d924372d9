// The client machine: the seeds' exchanges from the client's side, the RFC
// examples, RFC 4954's initial-response rules, and every failure path.
#include "proto/sasl_client.hpp"

#include <doctest/doctest.h>

#include <string>

#include "proto/base64.hpp"
#include "proto/sasl_support.hpp"

using namespace ehlo::proto::sasl;
using namespace ehlo::test;
namespace b64 = ehlo::proto::base64;
using namespace std::string_literals;

namespace {

owned_step cancel_with(error e) { return {status::failed, true, "*", e}; }

}  // namespace

TEST_CASE("sasl client: seed 000, Yahoo's AUTH LOGIN as tom / neron12") {
  client c(mechanism::login, {.authcid = "tom", .password = "neron12"});
  CHECK(owned_step(c.start()) == more("AUTH LOGIN"));
  CHECK(owned_step(c.on_challenge("VXNlcm5hbWU6")) == more("dG9t"));
  CHECK(owned_step(c.on_challenge("UGFzc3dvcmQ6")) == done("bmVyb24xMg=="));
  CHECK(findings_of(c.findings()).empty());
}

TEST_CASE("sasl client: seed 001, AUTH LOGIN as weldon / w3ld0n") {
  client c(mechanism::login, {.authcid = "weldon", .password = "w3ld0n"});
  CHECK(owned_step(c.start()) == more("AUTH LOGIN"));
  CHECK(owned_step(c.on_challenge("VXNlcm5hbWU6")) == more("d2VsZG9u"));
  CHECK(owned_step(c.on_challenge("UGFzc3dvcmQ6")) == done("dzNsZDBu"));
}

TEST_CASE("sasl client: LOGIN answers by order, whatever the prompts say") {
  client c(mechanism::login, {.authcid = "tom", .password = ""});
  c.start();
  CHECK(owned_step(c.on_challenge(b64::encode("Password:"))) == more("dG9t"));
  CHECK(owned_step(c.on_challenge("")) == done(""));  // an empty password is an empty line
  const step third = c.on_challenge("VXNlcm5hbWU6");
  CHECK(owned_step(third) == cancel_with(error::unexpected_challenge));
  CHECK(findings_of(c.findings()) == seen_list{{"4954", "a challenge after the mechanism's last response", 16}});
  CHECK(owned_step(c.on_challenge("VXNlcm5hbWU6")) == failed(error::unexpected_challenge));  // sticky, silent
}

TEST_CASE("sasl client: PLAIN, RFC 4616 §4's examples as initial responses") {
  client a(mechanism::plain, {.authcid = "tim", .password = "tanstaaftanstaaf"});
  CHECK(owned_step(a.start()) == done("AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm"));
  client b(mechanism::plain, {.authzid = "Ursel", .authcid = "Kurt", .password = "xipj3plmq"});
  CHECK(owned_step(b.start()) == done("AUTH PLAIN VXJzZWwAS3VydAB4aXBqM3BsbXE="));
  // A 334 after the whole message: the server is confused; cancel.
  CHECK(owned_step(b.on_challenge("")) == cancel_with(error::unexpected_challenge));
  CHECK(findings_of(b.findings()) == seen_list{{"4954", "a challenge after the mechanism's last response", 0}});
}

TEST_CASE("sasl client: PLAIN without an initial response answers the empty challenge") {
  client c(mechanism::plain, {.authcid = "tim", .password = "tanstaaftanstaaf"}, {.initial_response = false});
  CHECK(owned_step(c.start()) == more("AUTH PLAIN"));
  CHECK(owned_step(c.on_challenge("")) == done("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"));
  CHECK(findings_of(c.findings()).empty());
  client d(mechanism::plain, {.authcid = "tim", .password = "tanstaaftanstaaf"}, {.initial_response = false});
  d.start();
  CHECK(owned_step(d.on_challenge(b64::encode("Rubbish"))) == done("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"));
  CHECK(findings_of(d.findings()) == seen_list{{"4616", "a challenge with data before the client's message", 0}});
}

TEST_CASE("sasl client: no initial response that would make AUTH longer than 512 octets (RFC 4954 §4)") {
  // "AUTH PLAIN " + base64 + CRLF: 11 + 496 + 2 = 509 octets fits; 11 + 500 + 2 does not.
  const std::string fits(372 - 5, 'p');
  const std::string too_long(373 - 5, 'p');
  client a(mechanism::plain, {.authcid = "tim", .password = fits});
  const step sa = a.start();
  CHECK(sa.state == status::done);
  CHECK(sa.line.size() == 11 + 496);
  client b(mechanism::plain, {.authcid = "tim", .password = too_long});
  CHECK(owned_step(b.start()) == more("AUTH PLAIN"));
  CHECK(owned_step(b.on_challenge("")) == done(b64::encode("\0tim\0"s + too_long)));
  client c(mechanism::plain, {.authcid = "tim", .password = fits}, {.max_command_line = 100});
  CHECK(owned_step(c.start()) == more("AUTH PLAIN"));
}

TEST_CASE("sasl client: CRAM-MD5, RFC 2195 §2's example") {
  client c(mechanism::cram_md5, {.authcid = "tim", .password = "tanstaaftanstaaf"});
  CHECK(owned_step(c.start()) == more("AUTH CRAM-MD5"));
  CHECK(owned_step(c.on_challenge("PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+")) ==
        done("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"));
  CHECK(findings_of(c.findings()).empty());
  CHECK(owned_step(c.on_challenge("")) == cancel_with(error::unexpected_challenge));
}

TEST_CASE("sasl client: CRAM-MD5 answers a challenge that is not a msg-id, noting it (curl's test 932)") {
  client c(mechanism::cram_md5, {.authcid = "user", .password = "secret"});
  c.start();
  const step st = c.on_challenge(b64::encode("Rubbish"));
  CHECK(st.state == status::done);
  CHECK(findings_of(c.findings()) == seen_list{{"2195", "a challenge that is not a msg-id <...@...>", 0}});
  // curl's test 932 sends "Rubbish" as the challenge text itself, which is not whole base64 quanta.
  client d(mechanism::cram_md5, {.authcid = "user", .password = "secret"});
  d.start();
  CHECK(owned_step(d.on_challenge("Rubbish")) == cancel_with(error::bad_base64));
}

TEST_CASE("sasl client: XOAUTH2, Google's example, and its error challenge") {
  client c(mechanism::xoauth2,
           {.authcid = "someuser@example.com", .token = "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"});
  CHECK(
      owned_step(c.start()) ==
      done(
          "AUTH XOAUTH2 "
          "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0"
          "Q2cBAQ=="));
  const step st = c.on_challenge(
      "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIG1hYyIsInNjb3BlIjoiaHR0cHM6Ly9tYWlsLmdvb2dsZS5jb20vIn0K");
  CHECK(owned_step(st) == owned_step(status::failed, true, "", error::token_rejected));
  CHECK(c.server_error() == R"({"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"})"
                            "\n");
  CHECK(owned_step(c.on_challenge("")) == failed(error::token_rejected));
  CHECK(findings_of(c.findings()).empty());
}

TEST_CASE("sasl client: XOAUTH2 without an initial response") {
  client c(mechanism::xoauth2, {.authcid = "a@b", .token = "tok"}, {.initial_response = false});
  CHECK(owned_step(c.start()) == more("AUTH XOAUTH2"));
  CHECK(owned_step(c.on_challenge("")) == done(b64::encode("user=a@b\x01"
                                                           "auth=Bearer tok\x01\x01")));
}

TEST_CASE("sasl client: credentials a mechanism's message cannot carry are refused before anything is sent") {
  struct row {
    mechanism m;
    credentials c;
  };
  const row rows[] = {
      {mechanism::plain, {.authcid = "tim", .password = ""}},
      {mechanism::plain, {.authcid = "", .password = "pw"}},
      {mechanism::plain, {.authcid = "t\0m"s, .password = "pw"}},
      {mechanism::plain, {.authzid = "a\0"s, .authcid = "tim", .password = "pw"}},
      {mechanism::plain, {.authcid = "tim", .password = "p\xffw"}},
      {mechanism::login, {.authcid = "", .password = "pw"}},
      {mechanism::login, {.authcid = "tom", .password = "p\0w"s}},
      {mechanism::cram_md5, {.authcid = "", .password = "pw"}},
      {mechanism::cram_md5, {.authcid = "t\0m"s, .password = "pw"}},
      {mechanism::xoauth2, {.authcid = "a@b", .token = ""}},
      {mechanism::xoauth2, {.authcid = "a@b", .token = "to ken"}},
      {mechanism::xoauth2,
       {.authcid = "a\x01"
                   "b",
        .token = "tok"}},
      {mechanism::xoauth2, {.authcid = "", .token = "tok"}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.m);
    CAPTURE(r.c.authcid);
    client c(r.m, r.c);
    CHECK(owned_step(c.start()) == failed(error::unsendable_credentials));
    CHECK(owned_step(c.on_challenge("")) == failed(error::unsendable_credentials));
  }
}

TEST_CASE("sasl client: a challenge that is not base64, or too long, is cancelled with \"*\"") {
  client c(mechanism::login, {.authcid = "tom", .password = "neron12"});
  c.start();
  c.on_challenge("VXNlcm5hbWU6");
  CHECK(owned_step(c.on_challenge("UGFzc3dvcmQ6=")) == cancel_with(error::bad_base64));
  CHECK(findings_of(c.findings()) == seen_list{{"4954", "a challenge that is not base64", 14}});

  client d(mechanism::cram_md5, {.authcid = "tim", .password = "x"}, {.max_challenge = 8});
  d.start();
  CHECK(owned_step(d.on_challenge("PDE4OTYuNjk3")) == cancel_with(error::line_too_long));
  CHECK(findings_of(d.findings()) == seen_list{{"4954", "a challenge longer than the client's buffer", 0}});

  client e(mechanism::cram_md5, {.authcid = "tim", .password = "x"});
  e.start();
  CHECK(owned_step(e.on_challenge(std::string(16u << 20, 'A'))) == cancel_with(error::line_too_long));
}

TEST_CASE("sasl client: a challenge before start() is refused, and start() begins afresh") {
  client c(mechanism::login, {.authcid = "tom", .password = "neron12"});
  CHECK(owned_step(c.on_challenge("VXNlcm5hbWU6")) == failed(error::unexpected_challenge));
  CHECK(owned_step(c.start()) == more("AUTH LOGIN"));
  CHECK(owned_step(c.on_challenge("VXNlcm5hbWU6")) == more("dG9t"));
  CHECK(owned_step(c.start()) == more("AUTH LOGIN"));
  CHECK(owned_step(c.on_challenge("VXNlcm5hbWU6")) == more("dG9t"));
}

TEST_CASE("sasl client: what it sends, redacted") {
  client c(mechanism::plain, {.authcid = "tim", .password = "tanstaaftanstaaf"});
  CHECK(redacted(c.start().line) == "AUTH PLAIN [redacted]");
  client l(mechanism::login, {.authcid = "tom", .password = "neron12"});
  CHECK(redacted(l.start().line) == "AUTH LOGIN");
  l.on_challenge("VXNlcm5hbWU6");
  CHECK(redacted(l.on_challenge("UGFzc3dvcmQ6").line) == "[redacted]");
}
