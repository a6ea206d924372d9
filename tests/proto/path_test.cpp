// Paths on their own (RFC 5321 §4.1.2, §4.5.3.1.1-3), as the scenario checker
// uses them: syntax, literals, source routes, limits, canonical text.
#include "proto/path.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/command_support.hpp"

using namespace ehlo;
using namespace ehlo::proto;
using strings = std::vector<std::string>;

namespace {

struct parsed_path {
  std::error_code ec;
  std::size_t taken = 0;
  path p;
  std::vector<test::seen> findings;
};

parsed_path parse(std::string_view in, path_options opt = {}) {
  parsed_path r;
  finding_log log;
  r.taken = parse_path(in, r.p, r.ec, opt, &log, 100);
  r.findings = test::findings_of(log);
  return r;
}

}  // namespace

TEST_CASE("path: valid paths, their parts as written") {
  struct row {
    const char* in;
    const char* local;
    const char* domain;
    domain_kind kind;
  };
  const row rows[] = {
      {"<a@b>", "a", "b", domain_kind::name},
      {"<me@mydomain.com>", "me", "mydomain.com", domain_kind::name},
      {"<first.last+tag@sub-domain.example.org>", "first.last+tag", "sub-domain.example.org", domain_kind::name},
      {"<!#$%&'*+-/=?^_`{|}~@x1.example>", "!#$%&'*+-/=?^_`{|}~", "x1.example", domain_kind::name},
      {"<\"john doe\"@example.com>", "\"john doe\"", "example.com", domain_kind::name},
      {"<\"a\\\"b\\\\c\"@example.com>", "\"a\\\"b\\\\c\"", "example.com", domain_kind::name},
      {"<\"\"@example.com>", "\"\"", "example.com", domain_kind::name},
      {"<user@[192.0.2.1]>", "user", "[192.0.2.1]", domain_kind::ipv4},
      {"<user@[IPv6:2001:db8::1]>", "user", "[IPv6:2001:db8::1]", domain_kind::ipv6},
      {"<user@[ipv6:2001:DB8:0:0:0:0:0:1]>", "user", "[ipv6:2001:DB8:0:0:0:0:0:1]", domain_kind::ipv6},
      {"<user@[IPv6:::ffff:192.0.2.1]>", "user", "[IPv6:::ffff:192.0.2.1]", domain_kind::ipv6},
      {"<user@[IPv6:1:2:3:4:5:6:192.0.2.1]>", "user", "[IPv6:1:2:3:4:5:6:192.0.2.1]", domain_kind::ipv6},
      {"<user@[x-tag:any-thing.here]>", "user", "[x-tag:any-thing.here]", domain_kind::general},
      {"<1@2>", "1", "2", domain_kind::name},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string(r.in));
    const auto res = parse(r.in);
    REQUIRE_FALSE(res.ec);
    CHECK(res.taken == std::string_view(r.in).size());
    CHECK(res.p.text == r.in);
    CHECK(res.p.local_part == r.local);
    CHECK(res.p.domain == r.domain);
    CHECK(res.p.kind == r.kind);
    CHECK(res.findings.empty());
  }
}

TEST_CASE("path: the parse stops at the closing bracket; the rest is the caller's") {
  const auto r = parse("<a@b.example> SIZE=10");
  CHECK_FALSE(r.ec);
  CHECK(r.taken == 13);
}

TEST_CASE("path: syntax errors, each with its finding at its offset") {
  struct row {
    const char* in;
    path_error e;
    std::uint64_t at;
  };
  const row rows[] = {
      {"", path_error::missing_path, 100},
      {"a@b", path_error::missing_open_bracket, 100},
      {"<a@b", path_error::missing_close_bracket, 104},
      {"<a@b x>", path_error::missing_close_bracket, 104},
      {"<>", path_error::null_path, 100},  // with allow_null off below
      {"<.a@b>", path_error::bad_local_part, 101},
      {"<a.@b>", path_error::bad_local_part, 101},
      {"<a..b@c>", path_error::bad_local_part, 101},
      {"<a b@c>", path_error::missing_at, 102},
      {"<\"a@b>", path_error::bad_local_part, 101},
      {"<\"a\tb\"@c>", path_error::bad_local_part, 101},
      {"<a>", path_error::missing_at, 102},
      {"<Postmaster>", path_error::missing_at, 111},  // allow_postmaster off
      {"<a@>", path_error::bad_domain, 103},
      {"<a@-b>", path_error::bad_domain, 103},
      {"<a@b-.c>", path_error::bad_domain, 103},
      {"<a@b..c>", path_error::bad_domain, 103},
      {"<a@b_c>", path_error::missing_close_bracket, 104},
      {"<a@b.>", path_error::bad_domain, 103},
      {"<a@[1.2.3]>", path_error::bad_address_literal, 103},
      {"<a@[1.2.3.256]>", path_error::bad_address_literal, 103},
      {"<a@[1.2.3.4>", path_error::bad_address_literal, 103},
      {"<a@[IPv6:1::2::3]>", path_error::bad_address_literal, 103},
      {"<a@[IPv6:1:2:3:4:5:6:7::]>", path_error::bad_address_literal, 103},
      {"<a@[IPv6:1:2:3:4:5:6:7]>", path_error::bad_address_literal, 103},
      {"<a@[IPv6:12345::]>", path_error::bad_address_literal, 103},
      {"<a@[IPv6:garbage]>", path_error::bad_address_literal, 103},
      {"<a@[tag:]>", path_error::bad_address_literal, 103},
      {"<a@[tag-:x]>", path_error::bad_address_literal, 103},
      {"<a@[x:a\\b]>", path_error::bad_address_literal, 103},
      {"<@a b:c@d>", path_error::bad_source_route, 103},
      {"<@a,b:c@d>", path_error::bad_source_route, 104},
      {"<@[1.2.3.4]:c@d>", path_error::bad_source_route, 102},
      {"<caf\xc3\xa9@x>", path_error::bad_local_part, 104},  // UTF-8 without SMTPUTF8
      {"<a@b\xc3\xbc>", path_error::bad_domain, 104},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string(r.in));
    path_options opt;
    opt.allow_null = false;
    const auto res = parse(r.in, opt);
    CHECK(res.ec == r.e);
    CHECK(res.taken == 0);
    REQUIRE(res.findings.size() == 1);
    CHECK(res.findings[0].rule == "5321-4.1.2");
    CHECK(res.findings[0].what == make_error_code(r.e).message());
    CHECK(res.findings[0].offset == r.at);
  }
}

TEST_CASE("path: a failed path after a source route has both findings") {
  const auto r = parse("<@a:>");
  CHECK(r.ec == path_error::bad_local_part);
  CHECK(r.findings ==
        std::vector<test::seen>{{"5321-4.1.2", "a source route (deprecated; ignored)", 101},
                                {"5321-4.1.2", "a local part is neither a dot-string nor a quoted string", 104}});
}

TEST_CASE("path: the null path and Postmaster where they are allowed") {
  auto r = parse("<>");
  CHECK_FALSE(r.ec);
  CHECK(r.p.is_null);
  CHECK(to_string(r.p) == "<>");
  path_options rcpt;
  rcpt.allow_null = false;
  rcpt.allow_postmaster = true;
  r = parse("<postMaster>", rcpt);
  CHECK_FALSE(r.ec);
  CHECK(r.p.is_postmaster);
  CHECK(r.p.domain.empty());
  CHECK(to_string(r.p) == "<postMaster>");
  // A quoted "Postmaster" is not the special form.
  CHECK(parse("<\"Postmaster\">", rcpt).ec == path_error::missing_at);
  r = parse("<Postmaster@example.com>", rcpt);
  CHECK_FALSE(r.p.is_postmaster);
  CHECK(r.p.domain == "example.com");
}

TEST_CASE("path: a source route is accepted and ignored, with a finding") {
  const auto r = parse("<@a.example,@b.example:user@c.example>");
  CHECK_FALSE(r.ec);
  CHECK(r.p.source_route == "@a.example,@b.example");
  CHECK(r.p.local_part == "user");
  CHECK(r.p.domain == "c.example");
  CHECK(r.findings == std::vector<test::seen>{{"5321-4.1.2", "a source route (deprecated; ignored)", 101}});
}

TEST_CASE("path: the length limits of RFC 5321 §4.5.3.1.1-3 are findings") {
  const std::string l64(64, 'l'), l65(65, 'l');
  const std::string d255 = std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                           std::string(63, 'd');  // 255
  const std::string d256 = d255 + "e";
  CHECK(parse("<" + l64 + "@x>").findings.empty());
  CHECK(parse("<" + l65 + "@x>").findings ==
        std::vector<test::seen>{{"5321-4.5.3.1.1-3", "a local part over 64 octets", 101}});
  // 1 + 1 + 1 + 255 + 1 = 259 octets: the domain is fine, the path is not.
  CHECK(parse("<a@" + d255 + ">").findings ==
        std::vector<test::seen>{{"5321-4.5.3.1.1-3", "a path over 256 octets", 100}});
  CHECK(parse("<a@" + d256 + ">").findings ==
        std::vector<test::seen>{{"5321-4.5.3.1.1-3", "a domain over 255 octets", 103},
                                {"5321-4.5.3.1.1-3", "a path over 256 octets", 100}});
  // Exactly 256 with the brackets.
  const std::string d252 = d255.substr(0, 252);
  CHECK(parse("<a@" + d252 + ">").findings.empty());
  CHECK(parse("<ab@" + d252 + ">").findings ==
        std::vector<test::seen>{{"5321-4.5.3.1.1-3", "a path over 256 octets", 100}});
}

TEST_CASE("path: the bare mailbox of the loose forms") {
  path_options bare;
  bare.bracketed = false;
  auto r = parse("dude@example.com SIZE=1", bare);
  CHECK_FALSE(r.ec);
  CHECK(r.taken == 16);
  CHECK(to_string(r.p) == "<dude@example.com>");
  CHECK(parse("<a@b>", bare).ec == path_error::bad_local_part);
}

TEST_CASE("path: SMTPUTF8 local parts and domains") {
  path_options utf8;
  utf8.smtputf8 = true;
  auto r = parse("<j\xc3\xb6rg@b\xc3\xbc\x63her.example>", utf8);
  CHECK_FALSE(r.ec);
  CHECK(r.p.domain == "b\xc3\xbc\x63her.example");
  CHECK_FALSE(parse("<\"\xe2\x82\xac uro\"@x>", utf8).ec);
  // Overlong, surrogate and truncated sequences are not UTF-8.
  for (const char* bad : {"<\xc0\xaf@x>", "<\xed\xa0\x80@x>", "<\xe2\x82@x>", "<\xf5\x80\x80\x80@x>"}) {
    CAPTURE(std::string(bad));
    CHECK(parse(bad, utf8).ec == path_error::bad_local_part);
  }
}

TEST_CASE("path: parse_domain for HELO's argument") {
  domain_kind k;
  std::error_code ec;
  CHECK(parse_domain("mail.example.com", k, ec) == 16);
  CHECK(k == domain_kind::name);
  CHECK(parse_domain("localhost rest", k, ec) == 9);
  CHECK(parse_domain("[IPv6:::1]", k, ec) == 10);
  CHECK(k == domain_kind::ipv6);
  CHECK(parse_domain("_bad", k, ec) == 0);
  CHECK(ec == path_error::bad_domain);
  CHECK(parse_domain("", k, ec) == 0);
  CHECK(ec == path_error::bad_domain);
}

TEST_CASE("path: canonical text quotes a local part only when it must") {
  struct row {
    const char* in;
    const char* canonical;
  };
  const row rows[] = {
      {"<\"abc\"@x>", "<abc@x>"},         {"<\"a.b\"@x>", "<a.b@x>"},
      {"<\"a..b\"@x>", "<\"a..b\"@x>"},   {"<\"\\a\\b\"@x>", "<ab@x>"},
      {"<\"a b\"@x>", "<\"a b\"@x>"},     {"<\"a\\\"b\"@x>", "<\"a\\\"b\"@x>"},
      {"<\"\"@x>", "<\"\"@x>"},           {"<@r.example:a@x>", "<@r.example:a@x>"},
      {"<A@X.Example>", "<A@X.Example>"},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string(r.in));
    const auto first = parse(r.in);
    REQUIRE_FALSE(first.ec);
    const std::string text = to_string(first.p);
    CHECK(text == r.canonical);
    const auto again = parse(text);
    REQUIRE_FALSE(again.ec);
    CHECK(again.p == first.p);
  }
  CHECK(local_part_value("\"a\\\"b\\\\c\"") == "a\"b\\c");
  CHECK(local_part_value("plain") == "plain");
  CHECK(is_dot_string("a.b"));
  CHECK_FALSE(is_dot_string("a..b"));
  CHECK_FALSE(is_dot_string(""));
}

TEST_CASE("path: equality is by value") {
  const auto a = parse("<\"abc\"@x>");
  const auto b = parse("<abc@x>");
  const auto c = parse("<abd@x>");
  CHECK(a.p == b.p);
  CHECK_FALSE(a.p == c.p);
  CHECK_FALSE(parse("<abc@X>").p == b.p);
}
