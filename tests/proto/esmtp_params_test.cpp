// MAIL and RCPT parameters on their own (RFC 5321 §4.1.2 and the extensions).
#include "proto/esmtp_params.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/command_support.hpp"

using namespace ehlo;
using namespace ehlo::proto;

namespace {

struct parsed_params {
  std::error_code verdict;
  std::vector<esmtp_param> params;
  esmtp_values values;
  std::vector<test::seen> findings;
};

parsed_params parse(std::string_view in, param_target target = param_target::mail, param_options opt = {}) {
  parsed_params r;
  finding_log log;
  opt.target = target;
  r.verdict = parse_esmtp_params(in, r.params, r.values, opt, &log, 1000);
  r.findings = test::findings_of(log);
  return r;
}

}  // namespace

TEST_CASE("esmtp params: the seed 003 MAIL and DSN parameters") {
  auto r = parse(" SIZE=500000");
  CHECK_FALSE(r.verdict);
  CHECK(r.values.has_size);
  CHECK(r.values.size == 500000);
  REQUIRE(r.params.size() == 1);
  CHECK(r.params[0].keyword == "SIZE");
  CHECK(r.params[0].value == "500000");
  CHECK(r.params[0].kind == param_keyword::size);

  r = parse(" RET=HDRS ENVID=124567");
  CHECK_FALSE(r.verdict);
  CHECK(r.values.ret == ret_type::hdrs);
  CHECK(r.values.has_envid);
  CHECK(r.values.envid == "124567");
  CHECK(r.findings.empty());

  r = parse(" NOTIFY=SUCCESS,DELAY ORCPT=rfc822;user1@cisco.com", param_target::rcpt);
  CHECK_FALSE(r.verdict);
  CHECK(r.values.notify == (notify_success | notify_delay));
  CHECK(r.values.orcpt_type == "rfc822");
  CHECK(r.values.orcpt == "user1@cisco.com");
  CHECK(parse(" NOTIFY=NEVER", param_target::rcpt).values.notify == notify_never);
  CHECK(parse(" notify=failure", param_target::rcpt).values.notify == notify_failure);
}

TEST_CASE("esmtp params: every known keyword, good and bad") {
  struct row {
    const char* in;
    param_target target;
    std::error_code verdict;
    const char* rule;  // of the finding, "" for none
    std::uint64_t at;
  };
  const auto mail = param_target::mail;
  const auto rcpt = param_target::rcpt;
  const row rows[] = {
      {" SIZE=0", mail, {}, "", 0},
      {" SIZE=99999999999999999999", mail, {}, "", 0},
      {" SIZE=999999999999999999999", mail, param_error::bad_size, "1870-6", 1006},
      {" SIZE=1k", mail, param_error::bad_size, "1870-6", 1006},
      {" SIZE", mail, param_error::bad_size, "1870-6", 1001},
      {" SIZE=", mail, param_error::bad_value, "5321-4.1.2-b", 1006},
      {" BODY=7BIT", mail, {}, "", 0},
      {" BODY=8bitmime", mail, {}, "", 0},
      {" BODY=BINARYMIME", mail, {}, "", 0},
      {" BODY=8BIT", mail, param_error::bad_body, "6152", 1006},
      {" RET=FULL", mail, {}, "", 0},
      {" RET=ALL", mail, param_error::bad_ret, "3461-4.3", 1005},
      {" ENVID=QQ+2B+3Dx", mail, {}, "", 0},
      {" ENVID=a+2b", mail, param_error::bad_envid, "3461-4.4", 1007},
      {" ENVID=a+", mail, param_error::bad_envid, "3461-4.4", 1007},
      {" ENVID", mail, param_error::bad_envid, "3461-4.4", 1001},
      {" NOTIFY=NEVER,SUCCESS", rcpt, param_error::bad_notify, "3461-4.1", 1008},
      {" NOTIFY=SUCCESS,,DELAY", rcpt, param_error::bad_notify, "3461-4.1", 1008},
      {" NOTIFY=", rcpt, param_error::bad_value, "5321-4.1.2-b", 1008},
      {" ORCPT=rfc822;", rcpt, {}, "", 0},
      {" ORCPT=rfc822", rcpt, param_error::bad_orcpt, "3461-4.2", 1007},
      {" ORCPT=;a@b", rcpt, param_error::bad_orcpt, "3461-4.2", 1007},
      {" ORCPT=rfc822;a+ZZ", rcpt, param_error::bad_orcpt, "3461-4.2", 1007},
      {" AUTH=<>", mail, {}, "", 0},
      {" AUTH=e+3Dmc2@example.com", mail, {}, "", 0},
      {" AUTH=a+3d", mail, param_error::bad_auth, "4954-5", 1006},
      {" SMTPUTF8", mail, {}, "", 0},
      {" SMTPUTF8=yes", mail, param_error::unexpected_value, "6531-3.4", 1010},
      {" REQUIRETLS", mail, {}, "", 0},
      {" REQUIRETLS=1", mail, param_error::unexpected_value, "8689-4", 1012},
      {" X-UNKNOWN=whatever", mail, {}, "", 0},
      {" X-FLAG", rcpt, {}, "", 0},
      {" -X=1", mail, param_error::bad_keyword, "5321-4.1.2-b", 1001},
      {" X_Y=1", mail, param_error::bad_keyword, "5321-4.1.2-b", 1001},
      {" X=a=b", mail, param_error::bad_value, "5321-4.1.2-b", 1003},
      {" X=a\x01", mail, param_error::bad_value, "5321-4.1.2-b", 1003},
      {" X=caf\xc3\xa9", mail, param_error::bad_value, "5321-4.1.2-b", 1003},
      {"SIZE=1", mail, param_error::missing_space, "5321-4.1.2-b", 1000},
      {" SIZE=1  BODY=7BIT", mail, param_error::extra_spaces, "5321-4.1.2-b", 1008},
      {" SIZE=1 ", mail, param_error::extra_spaces, "5321-4.1.2-b", 1008},
      // A parameter on the wrong command: a finding, not a syntax error (the server answers 555).
      {" NOTIFY=NEVER", mail, {}, "3461-4.1", 1001},
      {" SIZE=10", rcpt, {}, "1870-6", 1001},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string(r.in));
    const auto res = parse(r.in, r.target);
    CHECK(res.verdict == r.verdict);
    if (*r.rule == 0) {
      CHECK(res.findings.empty());
    } else {
      REQUIRE(res.findings.size() == 1);
      CHECK(res.findings[0].rule == r.rule);
      CHECK(res.findings[0].offset == r.at);
    }
  }
}

TEST_CASE("esmtp params: saturating SIZE, UTF-8 values with SMTPUTF8, parameters on the wrong command") {
  CHECK(parse(" SIZE=99999999999999999999").values.size == UINT64_MAX);
  param_options utf8;
  utf8.smtputf8 = true;
  CHECK_FALSE(parse(" X=caf\xc3\xa9", param_target::mail, utf8).verdict);
  const auto wrong = parse(" NOTIFY=NEVER", param_target::mail);
  CHECK(wrong.values.notify == 0);
  REQUIRE(wrong.params.size() == 1);
  CHECK(wrong.params[0].kind == param_keyword::notify);
  CHECK(wrong.findings[0].what == "a RCPT parameter on MAIL");
}

TEST_CASE("esmtp params: every parameter is kept, in order, even after a bad one") {
  const auto r = parse(" X=1 BODY=BAD SIZE=7 y-z");
  CHECK(r.verdict == param_error::bad_body);
  REQUIRE(r.params.size() == 4);
  CHECK(r.params[0].keyword == "X");
  CHECK(r.params[3].keyword == "y-z");
  CHECK_FALSE(r.params[3].has_value);
  CHECK(r.values.has_size);
  std::string text;
  format_esmtp_params(r.params, text);
  CHECK(text == " X=1 BODY=BAD SIZE=7 Y-Z");
}

TEST_CASE("esmtp params: max_params bounds the list") {
  param_options opt;
  opt.max_params = 2;
  const auto r = parse(" A B C D", param_target::mail, opt);
  CHECK(r.verdict == param_error::too_many);
  CHECK(r.params.size() == 2);
  CHECK(r.findings == std::vector<test::seen>{{"5321-4.1.2-b", "too many parameters", 1005}});
}

TEST_CASE("esmtp params: allow_extra_spaces lets doubled SP pass, still found") {
  param_options opt;
  opt.allow_extra_spaces = true;
  const auto r = parse(" A  B", param_target::mail, opt);
  CHECK_FALSE(r.verdict);
  CHECK(r.params.size() == 2);
  CHECK(r.findings == std::vector<test::seen>{{"5321-4.1.2-b", "more than one SP between parameters", 1003}});
}

TEST_CASE("esmtp params: keywords are found in any case; equality ignores keyword case") {
  CHECK(find_param_keyword("size") == param_keyword::size);
  CHECK(find_param_keyword("RequireTLS") == param_keyword::requiretls);
  CHECK(find_param_keyword("SIZES") == param_keyword::unknown);
  CHECK(to_string(param_keyword::smtputf8) == "SMTPUTF8");
  const esmtp_param a{"size", "1", true, param_keyword::size};
  const esmtp_param b{"SIZE", "1", true, param_keyword::size};
  const esmtp_param c{"SIZE", "2", true, param_keyword::size};
  CHECK(a == b);
  CHECK_FALSE(a == c);
}
