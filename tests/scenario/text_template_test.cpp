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
  CHECK(expand("${repeat('250-A\r\n', '2')}250 B") == "250-A\r\n250-A\r\n250 B");
}

TEST_CASE("template: an address's halves, and repeat()") {
  const sc::variables vars{{"rcpt", "a@example.com"},
                           {"quoted", "\"a@b\"@example.org"},
                           {"bare", "postmaster"},
                           {"n", "3"},
                           {"big", "9999999"}};
  CHECK(expand("postmaster@${domain(rcpt)}", vars) == "postmaster@example.com");
  CHECK(expand("${local_part(rcpt)}%${domain('x@hughes.net')}", vars) == "a%hughes.net");
  // The last "@" splits: a quoted local part may hold one.
  CHECK(expand("${local_part(quoted)} at ${domain(quoted)}", vars) == "\"a@b\" at example.org");
  CHECK(expand("${domain(bare)}", vars) == "error: domain(): \"postmaster\" has no \"@\"");
  CHECK(expand("${local_part(bare)}", vars) == "error: local_part(): \"postmaster\" has no \"@\"");
  CHECK(expand("NOOP ${repeat('x', '5')}.", vars) == "NOOP xxxxx.");
  CHECK(expand("${repeat('ab', n)}|${repeat(rcpt, '0')}|${repeat('', '7')}", vars) == "ababab||");
  CHECK(expand("${repeat('x', '99995')}").size() == 99995);
  CHECK(expand("${repeat('x', n)}", {{"n", "-1"}}) == "error: repeat(): the count \"-1\" is not 1 to 8 decimal digits");
  // The output is bounded whatever the file says: 16 MiB.
  CHECK(expand("${repeat('xx', big)}", vars) ==
        "error: repeat(): 2 octets 9999999 times would make the text longer than 16 MiB");
  CHECK(expand("${repeat('x', '16777216')}").size() == 16777216);
  CHECK(expand("y${repeat('x', '16777216')}") ==
        "error: repeat(): 1 octets 16777216 times would make the text longer than 16 MiB");
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
  CHECK(parse_error("${domain('postmaster')}") == "2: domain('postmaster') has no \"@\"");
  CHECK(parse_error("${local_part('')}") == "2: local_part('') has no \"@\"");
  CHECK(parse_error("${repeat('x')}") == "2: repeat() takes 2 arguments, not 1");
  CHECK(parse_error("${repeat('x', '1e3')}") == "2: repeat(): the count \"1e3\" is not 1 to 8 decimal digits");
  CHECK(parse_error("${repeat('x', '123456789')}") ==
        "2: repeat(): the count \"123456789\" is not 1 to 8 decimal digits");
  CHECK(parse_error("${repeat('abc', '9000000')}") ==
        "2: repeat(): 3 octets 9000000 times would make the text longer than 16 MiB");
  CHECK(parse_error("${repeat(x, '9000000')}${domain(rcpt)}") == "ok");  // known when played
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
