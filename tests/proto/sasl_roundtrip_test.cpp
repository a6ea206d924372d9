// Client against server, for every mechanism: random users and passwords,
// non-ASCII and empty ones, with and without initial responses. Whatever the
// client agrees to send, the server takes and hands back unchanged.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "proto/sasl_client.hpp"
#include "proto/sasl_server.hpp"
#include "proto/sasl_support.hpp"

using namespace ehlo::proto::sasl;
using namespace ehlo::test;

namespace {

/// Random UTF-8 of 0 to max_len code points, from ASCII to four-byte forms.
std::string random_utf8(std::mt19937& rng, std::size_t max_len) {
  std::string s;
  const std::size_t n = rng() % (max_len + 1);
  for (std::size_t i = 0; i < n; ++i) {
    switch (rng() % 4) {
      case 0:
        s += static_cast<char>(0x20 + rng() % 0x5f);
        break;
      case 1: {  // U+0080..U+07FF
        const unsigned cp = 0x80 + rng() % 0x780;
        s += static_cast<char>(0xc0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3f));
        break;
      }
      case 2: {  // U+0800..U+FFFF without the surrogates
        unsigned cp = 0x800 + rng() % 0xf800;
        if (cp >= 0xd800 && cp <= 0xdfff) cp -= 0x800;
        s += static_cast<char>(0xe0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        s += static_cast<char>(0x80 | (cp & 0x3f));
        break;
      }
      default: {  // U+10000..U+10FFFF
        const unsigned cp = 0x10000 + rng() % 0x100000;
        s += static_cast<char>(0xf0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        s += static_cast<char>(0x80 | (cp & 0x3f));
        break;
      }
    }
  }
  return s;
}

std::string random_token(std::mt19937& rng) {
  const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/";
  std::string t;
  const std::size_t n = 1 + rng() % 200;
  for (std::size_t i = 0; i < n; ++i) t += chars[rng() % chars.size()];
  t.append(rng() % 3, '=');
  return t;
}

}  // namespace

TEST_CASE("sasl round trip: every mechanism, random credentials, with and without initial responses") {
  std::mt19937 rng(4616);
  int accepted = 0;
  for (int round = 0; round < 400; ++round) {
    const auto m = static_cast<mechanism>(round % 4);
    const bool initial = (round / 4) % 2 == 0;
    credentials c;
    c.authcid = random_utf8(rng, 12);
    if (c.authcid.empty()) c.authcid = "u";
    if (m == mechanism::plain && rng() % 2 == 0) c.authzid = random_utf8(rng, 12);
    // One password in eight is empty; now and then long enough to push PLAIN out of the AUTH line.
    c.password = rng() % 8 == 0 ? std::string() : random_utf8(rng, rng() % 10 == 0 ? 200 : 16);
    if (m == mechanism::xoauth2) c.token = random_token(rng);
    CAPTURE(m);
    CAPTURE(initial);
    CAPTURE(c);

    client cl(m, c, {.initial_response = initial});
    server_settings st;
    st.nonce = std::to_string(round);
    st.timestamp = 1700000000;
    server sv(m, st);
    const exchange_result r = exchange(cl, sv);
    CAPTURE(r.wire.size());
    if (m == mechanism::plain && c.password.empty()) {
      // RFC 4616: passwd = 1*SAFE. The client refuses what the server would.
      CHECK(r.client_ec == error::unsendable_credentials);
      CHECK(r.wire.size() == 1);
      continue;
    }
    REQUIRE(r.server_state == status::done);
    CHECK(r.client_state == status::done);
    CHECK(sv.creds().authzid == c.authzid);
    CHECK(sv.creds().authcid == c.authcid);
    switch (m) {
      case mechanism::plain:
      case mechanism::login:
        CHECK(sv.creds().password == c.password);
        break;
      case mechanism::cram_md5:
        CHECK(sv.creds().digest.size() == 32);
        break;
      case mechanism::xoauth2:
        CHECK(sv.creds().token == c.token);
        break;
    }
    const std::string& secret = m == mechanism::xoauth2 ? c.token : c.password;
    CHECK(sv.verify(secret));
    CHECK_FALSE(sv.verify(secret + "x"));
    CHECK(findings_of(sv.findings()).empty());
    CHECK(findings_of(cl.findings()).empty());
    ++accepted;
  }
  CHECK(accepted > 300);
}

TEST_CASE("sasl round trip: the wire of each mechanism, as a transcript shows it") {
  struct row {
    mechanism m;
    credentials c;
    std::vector<std::string> wire;
  };
  const row rows[] = {
      {mechanism::login,
       {.authcid = "tom", .password = "neron12"},
       {"C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: dG9t", "S: 334 UGFzc3dvcmQ6", "C: bmVyb24xMg=="}},
      {mechanism::plain,
       {.authcid = "tim", .password = "tanstaaftanstaaf"},
       {"C: AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm"}},
      {mechanism::cram_md5,
       {.authcid = "tim", .password = "tanstaaftanstaaf"},
       {"C: AUTH CRAM-MD5", "S: 334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+",
        "C: dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"}},
      {mechanism::xoauth2,
       {.authcid = "a@b", .token = "tok"},
       {"C: AUTH XOAUTH2 dXNlcj1hQGIBYXV0aD1CZWFyZXIgdG9rAQE="}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.m);
    client c(r.m, r.c);
    server_settings st;
    st.nonce = "1896";
    st.timestamp = 697170952;
    st.hostname = "postoffice.reston.mci.net";
    server s(r.m, st);
    const exchange_result x = exchange(c, s);
    CHECK(x.wire == r.wire);
    CHECK(x.server_state == status::done);
  }
}

TEST_CASE("sasl round trip: a cancel and a rejected XOAUTH2 token, both sides agreeing") {
  SUBCASE("the client cancels a third LOGIN prompt; the server's cancel maps to 501") {
    client c(mechanism::login, {.authcid = "tom", .password = "neron12"});
    server s(mechanism::login);
    c.start();
    c.on_challenge(s.start(std::nullopt).line);
    c.on_challenge(s.on_response("dG9t").line);
    const step cancel = c.on_challenge("VXNlcm5hbWU6");
    REQUIRE(cancel.send);
    server fresh(mechanism::login);
    fresh.start(std::nullopt);
    const step st = fresh.on_response(cancel.line);
    CHECK(st.state == status::cancelled);
    CHECK(to_string(reply_for(st)) == "501 5.7.0 Authentication cancelled");
  }
  SUBCASE("XOAUTH2: error challenge, empty answer, 535") {
    client c(mechanism::xoauth2, {.authcid = "a@b", .token = "expired"});
    server s(mechanism::xoauth2);
    const step cs = c.start();
    REQUIRE(s.start(std::string_view(cs.line).substr(13)).state == status::done);
    CHECK_FALSE(s.verify("fresh"));
    const step challenge = s.reject();
    const step answer = c.on_challenge(challenge.line);
    CHECK(owned_step(answer) == owned_step(status::failed, true, "", error::token_rejected));
    CHECK(c.server_error() == R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})");
    const step end = s.on_response(answer.line);
    CHECK(owned_step(end) == failed(error::credentials_rejected));
    CHECK(to_string(reply_for(end)) == "535 5.7.8 Authentication credentials invalid");
  }
}
