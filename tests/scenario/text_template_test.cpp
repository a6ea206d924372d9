#include "scenario/text_template.hpp"

#include <doctest/doctest.h>

#include "proto/base64.hpp"

namespace sc = ehlo::scenario;

namespace {

std::string expand(std::string_view text, const sc::variables& vars = {}) {
  sc::expansion_env env;
  env.vars = &vars;
  env.now = [] { return std::int64_t{1219617825}; };
  env.unique_token = [] { return std::string("f00d"); };
  std::string out, error;
  if (!sc::expand(text, env, out, error)) return "error: " + error;
  return out;
}

std::string parse_error(std::string_view text) {
  sc::template_error err;
  sc::parse_template(text, err);
  return err ? std::to_string(err.offset) + ": " + err.what : "ok";
}

}  // namespace

TEST_CASE("template: variables, $$ and a lone $") {
  const sc::variables vars{{"user", "alice"}, {"n", "3"}};
  CHECK(expand("MAIL FROM:<${user}@example.org>", vars) == "MAIL FROM:<alice@example.org>");
  CHECK(expand("${ user }${n}", vars) == "alice3");
  CHECK(expand("cost $5, $$ and $${user}", vars) == "cost $5, $ and ${user}");
  CHECK(expand("${who}", vars) == "error: variable \"who\" is not set");
}

TEST_CASE("template: functions") {
  const sc::variables vars{{"user", "alice"},
                           {"password", "wonderland"},
                           {"token", "ya29.x"},
                           {"challenge", "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"}};
  CHECK(expand("${base64(user)}", vars) == "YWxpY2U=");
  CHECK(expand("${base64('')}", vars) == "");
  CHECK(expand("${auth_plain(user, password)}", vars) == "AGFsaWNlAHdvbmRlcmxhbmQ=");
  CHECK(expand("${auth_plain('admin', user, password)}", vars) == "YWRtaW4AYWxpY2UAd29uZGVybGFuZA==");
  CHECK(expand("${xoauth2(user, token)}", vars) == ehlo::proto::base64::encode("user=alice\x01"
                                                                               "auth=Bearer ya29.x\x01\x01"));
  // RFC 2195 §2's example: tim / tanstaaftanstaaf answers this challenge with this digest.
  CHECK(expand("${cram_md5('tim', 'tanstaaftanstaaf', challenge)}", vars) ==
        ehlo::proto::base64::encode("tim b913a602c7eda7a495b4e6e7334d3890"));
  CHECK(expand("${cram_md5(user, password, user)}", vars) ==
        "error: cram_md5(): the challenge \"alice\" is not base64");
  CHECK(expand("a${hex('0d 0a 00 ff')}b") == std::string("a\r\n\0\xff"
                                                         "b",
                                                         6));
  CHECK(expand("${message_id()}") == "<f00d.1219617825@ehlo.invalid>");
  CHECK(expand("${message_id('example.org')}") == "<f00d.1219617825@example.org>");
  // RFC 2195's challenge: the same unique <token.time@host>, in base64.
  CHECK(expand("${cram_md5_challenge('mx.example')}") == "PGYwMGQuMTIxOTYxNzgyNUBteC5leGFtcGxlPg==");
  CHECK(expand("${date()}") == "Sun, 24 Aug 2008 22:43:45 +0000");
  CHECK(expand("250 ${repeat('x', '3')}.") == "250 xxx.");
  CHECK(expand("${repeat('250-A\r\n', '2')}250 B") == "250-A\r\n250-A\r\n250 B");
  CHECK(expand("${repeat('', '1048576')}${repeat('ab', '0')}") == "");
  CHECK(expand("${repeat('x', '1048576')}").size() == 1048576);
  // A count from a variable is checked when the text is expanded.
  CHECK(expand("${repeat(user, n)}", {{"user", "ab"}, {"n", "2"}}) == "abab");
  CHECK(expand("${repeat(user, n)}", {{"user", "ab"}, {"n", "two"}}) ==
        "error: repeat(): the count \"two\" is not a number from 0 to 1048576");
  CHECK(expand("${repeat(user, n)}", {{"user", "ab"}, {"n", "600000"}}) == "error: repeat(): more than 1048576 bytes");
}

TEST_CASE("template: what parse_template refuses") {
  CHECK(parse_error("plain") == "ok");
  CHECK(parse_error("${") == "0: \"${\" must be followed by a variable or function name (write \"$$\" for a \"$\")");
  CHECK(parse_error("x${user") == "1: \"${\" is not closed by \"}\"");
  CHECK(parse_error("${nope()}") == "2: unknown function nope()");
  CHECK(parse_error("${base64()}") == "2: base64() takes 1 argument, not 0");
  CHECK(parse_error("${auth_plain(a)}") == "2: auth_plain() takes 2 or 3 arguments, not 1");
  CHECK(parse_error("${date(a)}") == "2: date() takes 0 arguments, not 1");
  CHECK(parse_error("${base64('x)}") == "9: a 'quoted' argument is not closed");
  CHECK(parse_error("${base64(1)}") == "9: an argument of base64() must be a variable name or a 'quoted' literal");
  CHECK(parse_error("${base64(a b)}") == "11: expected ',' or ')' in the arguments of base64()");
  CHECK(parse_error("${hex('abc')}") == "2: hex('abc') is not pairs of hex digits");
  CHECK(parse_error("${hex('a b')}") == "2: hex('a b') is not pairs of hex digits");
  CHECK(parse_error("${repeat('x')}") == "2: repeat() takes 2 arguments, not 1");
  CHECK(parse_error("${repeat('x', '-1')}") == "2: repeat(): the count '-1' is not a number from 0 to 1048576");
  CHECK(parse_error("${repeat('x', '1048577')}") ==
        "2: repeat(): the count '1048577' is not a number from 0 to 1048576");
  CHECK(parse_error("${repeat('xy', '600000')}") == "2: repeat(): more than 1048576 bytes");
}

TEST_CASE("template: the variables a text reads") {
  sc::template_error err;
  const auto parts = sc::parse_template("${a}-${base64(b)}-${cram_md5(a, 'lit', c)}", err);
  CHECK_FALSE(err);
  CHECK(sc::variables_read(parts) == std::vector<std::string>{"a", "b", "a", "c"});
}

TEST_CASE("template: escape_template expands back to the same bytes") {
  const std::string cases[] = {"",
                               "EHLO x",
                               "$",
                               "${user}",
                               "$$",
                               "a\xff\xfe"
                               "b",
                               "é€",
                               std::string("\0\r\n", 3),
                               "\xC3"};
  for (const auto& bytes : cases) {
    CAPTURE(bytes);
    CHECK(expand(sc::escape_template(bytes)) == bytes);
  }
  CHECK(sc::escape_template("cost $5\xff") == "cost $$5${hex('ff')}");
}
