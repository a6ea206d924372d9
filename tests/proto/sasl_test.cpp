// The shared SASL pieces: errors, names, replies, redaction, and the message
// formats of PLAIN, LOGIN, CRAM-MD5 and XOAUTH2.
#include "proto/sasl.hpp"

#include <doctest/doctest.h>

#include <array>
#include <sstream>
#include <string>

#include "proto/sasl_cram_md5.hpp"
#include "proto/sasl_messages.hpp"

using namespace ehlo::proto;
using namespace ehlo::proto::sasl;
using namespace std::string_literals;

TEST_CASE("sasl: every error has its own message in the ehlo.sasl category") {
  for (int e = 1; e <= static_cast<int>(error::unknown_mechanism); ++e) {
    CAPTURE(e);
    const std::error_code ec = make_error_code(static_cast<error>(e));
    CHECK(std::string(ec.category().name()) == "ehlo.sasl");
    CHECK(ec.message().rfind("unknown", 0) != 0);
  }
  CHECK(make_error_code(error::cancelled).message() == "the client cancelled the exchange with \"*\"");
  CHECK(make_error_code(static_cast<error>(99)).message() == "unknown ehlo.sasl error 99");
}

TEST_CASE("sasl: mechanism names, matched in any case") {
  const std::pair<std::string_view, mechanism> rows[] = {
      {"PLAIN", mechanism::plain},
      {"login", mechanism::login},
      {"Cram-Md5", mechanism::cram_md5},
      {"XOAUTH2", mechanism::xoauth2},
  };
  for (auto [text, m] : rows) {
    CAPTURE(text);
    CHECK(parse_mechanism(text) == m);
  }
  CHECK(name(mechanism::cram_md5) == "CRAM-MD5");
  for (std::string_view bad : {"", "PLAI", "PLAINX", "CRAM_MD5", "DIGEST-MD5", "XOAUTH", "GSSAPI"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_mechanism(bad));
  }
}

TEST_CASE("sasl: the reply for every outcome (RFC 4954 §4, §6)") {
  CHECK(to_string(reply_for(std::error_code{})) == "235 2.7.0 Authentication successful");
  CHECK(to_string(reply_for(error::cancelled)) == "501 5.7.0 Authentication cancelled");
  CHECK(to_string(reply_for(error::bad_base64)) == "501 5.5.2 Cannot decode the response");
  CHECK(to_string(reply_for(error::line_too_long)) == "500 5.5.6 Authentication exchange line is too long");
  CHECK(to_string(reply_for(error::initial_response_not_allowed)) ==
        "501 5.7.0 Client initiated authentication exchange");
  CHECK(to_string(reply_for(error::unknown_mechanism)) == "504 5.5.4 Unrecognized authentication type");
  CHECK(to_string(reply_for(error::hmac_unavailable)) == "454 4.7.0 Temporary authentication failure");
  for (const error e :
       {error::plain_too_few_fields, error::plain_too_many_fields, error::plain_empty_field, error::plain_not_utf8,
        error::login_malformed, error::cram_md5_malformed, error::cram_md5_bad_digest,
        error::cram_md5_upper_case_digest, error::xoauth2_malformed, error::credentials_rejected}) {
    CAPTURE(e);
    CHECK(to_string(reply_for(e)) == "535 5.7.8 Authentication credentials invalid");
  }
  // An error of another component is the server's own trouble: try later.
  CHECK(&reply_for(std::make_error_code(std::errc::io_error)) == &replies::temporary_failure);
  CHECK(to_string(replies::challenge) == "334");

  CHECK(&reply_for(step{status::more, true, "", {}}) == &replies::challenge);
  CHECK(&reply_for(step{status::done, false, {}, {}}) == &replies::authenticated);
  CHECK(&reply_for(step{status::cancelled, false, {}, error::cancelled}) == &replies::cancelled);
  CHECK(&reply_for(step{status::failed, false, {}, error::bad_base64}) == &replies::cannot_decode);
  CHECK(&reply_for(step{status::failed, false, {}, {}}) == &replies::invalid_credentials);
}

TEST_CASE("sasl: redacted() hides every secret a line can carry") {
  const std::pair<std::string_view, std::string_view> rows[] = {
      {"", ""},
      {"*", "*"},
      {"AUTH LOGIN", "AUTH LOGIN"},
      {"AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm", "AUTH PLAIN [redacted]"},
      {"auth xoauth2 dXNlcj1h", "auth xoauth2 [redacted]"},
      {"AUTH PLAIN =", "AUTH PLAIN [redacted]"},
      {"dG9t", "[redacted]"},
      {"=", "[redacted]"},
      {"AUTHX", "[redacted]"},
  };
  for (auto [line, want] : rows) {
    CAPTURE(line);
    CHECK(redacted(line) == want);
  }
}

TEST_CASE("sasl: credentials and steps print no secret") {
  const credentials c{"ursel", "kurt", "xipj3plmq", "", "tok"};
  std::ostringstream os;
  os << c;
  CHECK(os.str() == "{authzid \"ursel\", authcid \"kurt\", password 9 bytes, digest 0 bytes, token 3 bytes}");
  std::ostringstream st;
  st << step{status::done, true, "AUTH PLAIN VXJzZWwAS3VydAB4aXBqM3BsbXE=", {}};
  CHECK(st.str() == "{done send \"AUTH PLAIN [redacted]\"}");
  std::ostringstream sf;
  sf << step{status::failed, true, "*", error::unexpected_challenge};
  CHECK(sf.str() == "{failed send \"*\" (a challenge the mechanism has no answer for)}");

  credentials w = c;
  w.wipe();
  CHECK(w == credentials{});
}

TEST_CASE("sasl: PLAIN messages (RFC 4616 §2, the §4 examples)") {
  // The fields are views into the message: keep it alive.
  const std::string tim = "\0tim\0tanstaaftanstaaf"s;
  plain_fields f;
  CHECK(parse_plain(tim, f).accepted());
  CHECK(f.authzid.empty());
  CHECK(f.authcid == "tim");
  CHECK(f.password == "tanstaaftanstaaf");
  const std::string ursel = "Ursel\0Kurt\0xipj3plmq"s;
  const verdict v = parse_plain(ursel, f);
  CHECK(v.accepted());
  CHECK(v.broken == nullptr);
  CHECK(f.authzid == "Ursel");
  CHECK(f.authcid == "Kurt");
  CHECK(f.password == "xipj3plmq");
  CHECK(make_plain("Ursel", "Kurt", "xipj3plmq") == ursel);
  // Non-ASCII UTF-8 is what the mechanism is for.
  const std::string juergen = "\0J\xc3\xbcrgen\0p\xe2\x82\xac\xf0\x9f\x94\x91"s;
  CHECK(parse_plain(juergen, f).accepted());
  CHECK(f.authcid == "J\xc3\xbcrgen");
}

TEST_CASE("sasl: PLAIN messages a server refuses") {
  struct row {
    std::string message;
    error want;
    std::string_view what;
  };
  const row rows[] = {
      {"", error::plain_too_few_fields, "no NUL in the message"},
      {"timtanstaaf", error::plain_too_few_fields, "no NUL in the message"},
      {"tim\0tanstaaf"s, error::plain_too_few_fields, "one NUL in the message"},
      {"\0tim\0tan\0staaf"s, error::plain_too_many_fields, "more than two NULs in the message"},
      {"a\0b\0c\0"s, error::plain_too_many_fields, "more than two NULs in the message"},
      {"\0\0tanstaaf"s, error::plain_empty_field, "an empty authcid"},
      {"\0\0"s, error::plain_empty_field, "an empty authcid"},
      {"\0tim\0"s, error::plain_empty_field, "an empty password"},
      {"\0tim\0\xff"s, error::plain_not_utf8, "a message that is not UTF-8"},
      {"\xc0\xaf\0tim\0pw"s, error::plain_not_utf8, "a message that is not UTF-8"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.message);
    plain_fields f{"x", "y", "z"};
    const verdict v = parse_plain(r.message, f);
    CHECK(v.ec == r.want);
    CHECK(v.broken == &rules::sasl_plain);
    CHECK(v.what == r.what);
    CHECK(f.authcid == "y");  // untouched on refusal
  }
}

TEST_CASE("sasl: allow_non_utf8 accepts the bytes and still reports the rule") {
  plain_fields f;
  const std::string message = "\0tim\0\xff\xfe"s;
  const verdict v = parse_plain(message, f, {.allow_non_utf8 = true});
  CHECK(v.accepted());
  CHECK(v.broken == &rules::sasl_plain);
  CHECK(v.what == "a message that is not UTF-8");
  CHECK(f.password == "\xff\xfe");
  // The leniency does not reach the structure.
  CHECK(parse_plain("\0\xff\0"s, f, {.allow_non_utf8 = true}).ec == error::plain_empty_field);
}

TEST_CASE("sasl: UTF-8 validation (RFC 3629 §4)") {
  const std::pair<std::string, bool> rows[] = {
      {"", true},
      {"ascii", true},
      {"\xc2\x80", true},                   // U+0080
      {"\xdf\xbf", true},                   // U+07FF
      {"\xe0\xa0\x80", true},               // U+0800
      {"\xed\x9f\xbf", true},               // U+D7FF
      {"\xee\x80\x80", true},               // U+E000
      {"\xef\xbf\xbf", true},               // U+FFFF
      {"\xf0\x90\x80\x80", true},           // U+10000
      {"\xf4\x8f\xbf\xbf", true},           // U+10FFFF
      {"\x80", false},                      // a lone continuation
      {"\xc0\x80", false},                  // overlong NUL
      {"\xc1\xbf", false},                  // overlong
      {"\xe0\x9f\xbf", false},              // overlong
      {"\xed\xa0\x80", false},              // U+D800, a surrogate
      {"\xf0\x8f\xbf\xbf", false},          // overlong
      {"\xf4\x90\x80\x80", false},          // U+110000
      {"\xf5\x80\x80\x80", false},          // no such lead byte
      {"\xc3", false},                      // truncated
      {"\xe2\x82", false},                  // truncated
      {"\xe2\x28\xa1", false},              // a bad continuation
      {"\xf0\x9f\x94\x91\xf0\x9f", false},  // good, then truncated
  };
  for (const auto& [s, want] : rows) {
    CAPTURE(s);
    CHECK(is_utf8(s) == want);
  }
}

TEST_CASE("sasl: LOGIN answers") {
  CHECK(check_login_user("tom").accepted());
  CHECK(check_login_user("i\xd9qvG\xa3").accepted());  // seed 003's answer: any bytes but NUL
  CHECK(check_login_password("").accepted());
  CHECK(check_login_password("neron12").accepted());
  const std::pair<verdict, std::string_view> bad[] = {
      {check_login_user(""), "an empty user name"},
      {check_login_user("to\0m"s), "a NUL in the user name"},
      {check_login_password("neron\0"s), "a NUL in the password"},
  };
  for (const auto& [v, what] : bad) {
    CAPTURE(what);
    CHECK(v.ec == error::login_malformed);
    CHECK(v.broken == &rules::sasl_login);
    CHECK(v.what == what);
  }
}

TEST_CASE("sasl: XOAUTH2 messages (Google's example)") {
  const std::string google =
      "user=someuser@example.com\x01"
      "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01";
  xoauth2_fields f;
  CHECK(parse_xoauth2(google, f).accepted());
  CHECK(f.user == "someuser@example.com");
  CHECK(f.token == "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg");
  CHECK(make_xoauth2(f.user, f.token) == google);
  const std::string padded =
      "user=a\x01"
      "auth=Bearer t0k-._~+/==\x01\x01";
  CHECK(parse_xoauth2(padded, f).accepted());
  CHECK(f.token == "t0k-._~+/==");
}

TEST_CASE("sasl: XOAUTH2 messages a server refuses") {
  const std::pair<std::string, std::string_view> rows[] = {
      {"", "no user= at the start"},
      {"User=a\x01"
       "auth=Bearer t\x01\x01",
       "no user= at the start"},
      {"user=a", "no ^A after the user"},
      {"user=\x01"
       "auth=Bearer t\x01\x01",
       "an empty user"},
      {"user=a\0b\x01"
       "auth=Bearer t\x01\x01"s,
       "a NUL in the user"},
      {"user=a\x01"
       "auth=bearer t\x01\x01",
       "no auth=Bearer after the user"},
      {"user=a\x01"
       "auth=Bearer  t\x01\x01",
       "a token that is not an RFC 6750 b64token"},
      {"user=a\x01"
       "Auth=Bearer t\x01\x01",
       "no auth=Bearer after the user"},
      {"user=a\x01"
       "auth=Bearer t",
       "no ^A^A at the end"},
      {"user=a\x01"
       "auth=Bearer t\x01",
       "more than ^A^A after the token"},
      {"user=a\x01"
       "auth=Bearer t\x01\x01\x01",
       "more than ^A^A after the token"},
      {"user=a\x01"
       "auth=Bearer t\x01host=x\x01\x01",
       "more than ^A^A after the token"},
      {"user=a\x01"
       "auth=Bearer \x01\x01",
       "an empty token"},
      {"user=a\x01"
       "auth=Bearer t=k\x01\x01",
       "a token that is not an RFC 6750 b64token"},
      {"user=a\x01"
       "auth=Bearer t k\x01\x01",
       "a token that is not an RFC 6750 b64token"},
      {"user=a\x01"
       "auth=Bearer ===\x01\x01",
       "a token that is not an RFC 6750 b64token"},
  };
  for (const auto& [message, what] : rows) {
    CAPTURE(message);
    xoauth2_fields f;
    const verdict v = parse_xoauth2(message, f);
    CHECK(v.ec == error::xoauth2_malformed);
    CHECK(v.broken == &rules::sasl_xoauth2);
    CHECK(v.what == what);
  }
}

TEST_CASE("sasl: RFC 6750 bearer tokens") {
  for (std::string_view good : {"a", "A9", "ya29.x-y_z~+/", "abc=", "abc==="}) {
    CAPTURE(good);
    CHECK(is_bearer_token(good));
  }
  for (std::string_view bad : {"", "=", "a=b", "a b", "a\x01", "\xc3\xa9", "a,b", "\"a\""}) {
    CAPTURE(bad);
    CHECK_FALSE(is_bearer_token(bad));
  }
}

TEST_CASE("sasl: secrets compare equal only when equal") {
  CHECK(secrets_equal("", ""));
  CHECK(secrets_equal("neron12", "neron12"));
  CHECK_FALSE(secrets_equal("neron12", "neron13"));
  CHECK_FALSE(secrets_equal("neron12", "neron1"));
  CHECK_FALSE(secrets_equal("", "x"));
  CHECK(secrets_equal("a\0b"s, "a\0b"s));
  CHECK_FALSE(secrets_equal("a\0b"s, "a\0c"s));
}

TEST_CASE("sasl: HMAC-MD5 (RFC 2104 appendix and RFC 2202 vectors) and RFC 2195's digest") {
  struct row {
    std::string key;
    std::string text;
    std::string_view want;
  };
  const row rows[] = {
      {std::string(16, '\x0b'), "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"},
      {"Jefe", "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738"},
      {std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
      {"tanstaaftanstaaf", "<1896.697170952@postoffice.reston.mci.net>", "b913a602c7eda7a495b4e6e7334d3890"},
      {"", "", "74e6f7298a9c2d168935f58c001bad88"},  // an empty password is an empty key
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    std::array<char, cram_md5_digest_size> out{};
    REQUIRE(cram_md5_digest(r.key, r.text, out));
    CHECK(std::string_view(out.data(), out.size()) == r.want);
  }
}

TEST_CASE("sasl: CRAM-MD5 challenges") {
  CHECK(make_cram_md5_challenge("1896", 697170952, "postoffice.reston.mci.net") ==
        "<1896.697170952@postoffice.reston.mci.net>");
  const std::string a = random_nonce();
  const std::string b = random_nonce();
  CHECK(a != b);
  CHECK(a.find_first_not_of("0123456789") == std::string::npos);
  CHECK(is_msg_id("<1896.697170952@postoffice.reston.mci.net>"));
  CHECK(is_msg_id("<a@b>"));
  for (std::string_view bad : {"", "<>", "<@>", "<a@>", "<@b>", "<ab>", "a@b", "<a@b", "a@b>", "Rubbish"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_msg_id(bad));
  }
}

TEST_CASE("sasl: CRAM-MD5 responses (RFC 2195 §2)") {
  cram_md5_fields f;
  CHECK(parse_cram_md5("tim b913a602c7eda7a495b4e6e7334d3890", f).accepted());
  CHECK(f.user == "tim");
  CHECK(f.digest == "b913a602c7eda7a495b4e6e7334d3890");
  // A user name may hold spaces: the digest follows the last one.
  CHECK(parse_cram_md5("tim smith b913a602c7eda7a495b4e6e7334d3890", f).accepted());
  CHECK(f.user == "tim smith");
  CHECK(make_cram_md5("tim", "b913a602c7eda7a495b4e6e7334d3890") == "tim b913a602c7eda7a495b4e6e7334d3890");

  struct row {
    std::string message;
    error want;
    std::string_view what;
  };
  const row rows[] = {
      {"", error::cram_md5_malformed, "no space before the digest"},
      {"timb913a602c7eda7a495b4e6e7334d3890", error::cram_md5_malformed, "no space before the digest"},
      {" b913a602c7eda7a495b4e6e7334d3890", error::cram_md5_malformed, "an empty user name"},
      {"t\0m b913a602c7eda7a495b4e6e7334d3890"s, error::cram_md5_malformed, "a NUL in the user name"},
      {"tim ", error::cram_md5_bad_digest, "a digest that is not 32 hex digits"},
      {"tim b913a602c7eda7a495b4e6e7334d389", error::cram_md5_bad_digest, "a digest that is not 32 hex digits"},
      {"tim b913a602c7eda7a495b4e6e7334d38900", error::cram_md5_bad_digest, "a digest that is not 32 hex digits"},
      {"tim g913a602c7eda7a495b4e6e7334d3890", error::cram_md5_bad_digest, "a digest that is not 32 hex digits"},
      {"tim b913a602c7eda7a495b4e6e7334d3890 ", error::cram_md5_bad_digest, "a digest that is not 32 hex digits"},
      {"tim B913A602C7EDA7A495B4E6E7334D3890", error::cram_md5_upper_case_digest, "a digest in upper-case hex"},
      {"tim b913a602c7eda7a495b4e6e7334d389F", error::cram_md5_upper_case_digest, "a digest in upper-case hex"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.message);
    const verdict v = parse_cram_md5(r.message, f);
    CHECK(v.ec == r.want);
    CHECK(v.broken == &rules::sasl_cram_md5);
    CHECK(v.what == r.what);
  }
  const verdict lenient = parse_cram_md5("tim B913A602C7EDA7A495B4E6E7334D3890", f, {.allow_upper_case_digest = true});
  CHECK(lenient.accepted());
  CHECK(lenient.broken == &rules::sasl_cram_md5);
  CHECK(f.digest == "B913A602C7EDA7A495B4E6E7334D3890");
}
