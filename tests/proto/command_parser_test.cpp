// The command parser on the seed transcripts' client lines (000, 001, 003),
// the loose forms real clients send, framing errors and hostile input. Every
// stream is parsed whole and split at every byte (command_support.hpp).
#include "proto/command_parser.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "proto/command_support.hpp"

using namespace ehlo;
using namespace ehlo::proto;
using test::findings_of;
using strings = std::vector<std::string>;

namespace {

command_settings lenient_envelopes() {
  command_settings s;
  s.allow_colon_after_verb = true;
  s.allow_space_around_colon = true;
  s.allow_unbracketed_path = true;
  s.allow_display_name = true;
  return s;
}

}  // namespace

TEST_CASE("command: seed 000, the wp.pl and Yahoo clients") {
  // C: lines of examples 2 and 4; the SASL responses are read as such after AUTH LOGIN.
  const std::string in =
      "EHLO: mydomain.com\r\n"           // 0
      "AUTH LOGIN\r\n"                   // 20
      "Kioq\r\n"                         // 32
      "Kioq\r\n"                         // 38
      "MAIL FROM:<me@mydomain.com>\r\n"  // 44
      "RCPR TO:<friend@domain.com>\r\n"  // 73
      "DATA\r\n"                         // 102
      "QUIT\r\n"                         // 108
      "AUTH LOGIN\r\n"                   // 114
      "dG9t\r\n"                         // 126
      "bmVyb24xMg==\r\n";                // 132
  const auto s = test::parse_commands_every_split(in);
  CHECK_FALSE(s.end);
  REQUIRE(s.commands.size() == 11);
  const auto& c = s.commands;

  CHECK(c[0].verb == verb::ehlo);
  CHECK(c[0].verb_text == "EHLO");
  CHECK(c[0].domain == "mydomain.com");
  CHECK(c[0].syntax == command_error::colon_after_verb);
  CHECK(findings_of(c[0]) == strings{"[5321-4.1.1] @4: a colon after the verb"});

  CHECK(c[1].verb == verb::auth);
  CHECK(c[1].mechanism == "LOGIN");
  CHECK_FALSE(c[1].syntax);
  for (int i : {2, 3}) {
    CAPTURE(i);
    CHECK(c[i].kind == line_kind::sasl_response);
    CHECK(c[i].argument == "Kioq");
    CHECK_FALSE(c[i].syntax);
    CHECK(c[i].findings.empty());
  }

  CHECK(c[4].verb == verb::mail);
  CHECK(c[4].path == "<me@mydomain.com>");
  CHECK_FALSE(c[4].syntax);
  CHECK(c[4].findings.empty());

  // The misspelt verb is kept as written, with its argument.
  CHECK(c[5].verb == verb::unknown);
  CHECK(c[5].verb_text == "RCPR");
  CHECK(c[5].argument == "TO:<friend@domain.com>");
  CHECK(c[5].syntax == command_error::unknown_verb);
  CHECK(findings_of(c[5]) == strings{"[5321-4.5.1] @73: an unknown command verb"});

  CHECK(c[6].verb == verb::data);
  CHECK(c[7].verb == verb::quit);
  CHECK(c[9].argument == "dG9t");
  CHECK(c[10].argument == "bmVyb24xMg==");
  for (int i : {6, 7, 8, 9, 10}) {
    CAPTURE(i);
    CHECK_FALSE(c[i].syntax);
    CHECK(c[i].findings.empty());
  }
}

TEST_CASE("command: SASL responses read as commands are unknown verbs") {
  const auto s = test::parse_commands_every_split("Kioq\r\nbmVyb24xMg==\r\n", {}, 0);
  REQUIRE(s.commands.size() == 2);
  CHECK(s.commands[0].verb_text == "Kioq");
  CHECK(s.commands[1].verb_text == "bmVyb24xMg==");
  CHECK(s.commands[1].syntax == command_error::unknown_verb);
  CHECK(findings_of(s.commands[1]) == strings{"[5321-4.5.1] @6: an unknown command verb"});
}

TEST_CASE("command: seed 001, loose and strict conversations") {
  const std::string in =
      "Helo sender.host.name\r\n"                   // 0
      "Mail From:<sender@his.address>\r\n"          // 23
      "Rcpt To:<recipient@his.address>\r\n"         // 55
      "Data\r\n"                                    // 88
      "Quit\r\n"                                    // 94
      "EHLO machine1.commentcamarche.net\r\n"       // 100
      "MAIL FROM:<webmaster@kioskea.net>\r\n"       // 135
      "RCPT TO:<meandus@meandus.net>\r\n"           // 170
      "RCPT TO:<tittom@tittom.fr>\r\n"              // 201
      "HELO python.directsales.com\r\n"             // 229
      "MAIL FROM:manager@computersupply.com\r\n"    // 258
      "RCPT TO:james@directsales.com\r\n"           // 296
      "MAIL FROM: the dude <dude@example.com>\r\n"  // 327
      "MAIL FROM: dude@example.com\r\n"             // 367
      "user krissyj\r\n"                            // 396
      "AUTH LOGIN\r\n"                              // 410
      "d2VsZG9u\r\n"                                // 422
      "dzNsZDBu\r\n"                                // 432
      "HELO smtp.hughes.net\r\n"                    // 442
      "AUTH LOGIN\r\n"                              // 464
      "pxFuaWXlaAB4dQuyZBNub9V0\r\n"                // 476
      "K83NqwU9MA=a\r\n"                            // 502
      "MAIL FROM:<marysue@hughes.net>\r\n"          // 516
      "RCPT TO:<marysue@hughes.net>\r\n"            // 548
      "MAIL FROM:<jennys@hughes.net>\r\n"           // 578
      "RCPT TO:<jennys@hughes.net>\r\n";            // 609
  const auto s = test::parse_commands_every_split(in);
  CHECK_FALSE(s.end);
  REQUIRE(s.commands.size() == 26);
  const auto& c = s.commands;

  // Verbs in any case (RFC 5321 §2.4), with the spelling kept.
  CHECK(c[0].verb == verb::helo);
  CHECK(c[0].verb_text == "Helo");
  CHECK(c[0].domain == "sender.host.name");
  CHECK(c[1].verb == verb::mail);
  CHECK(c[1].path == "<sender@his.address>");
  CHECK(c[2].verb == verb::rcpt);
  CHECK(c[2].path == "<recipient@his.address>");
  CHECK(c[3].verb == verb::data);
  CHECK(c[3].verb_text == "Data");
  CHECK(c[4].verb == verb::quit);
  for (int i = 0; i <= 9; ++i) {
    CAPTURE(i);
    CHECK_FALSE(c[i].syntax);
    CHECK(c[i].findings.empty());
  }
  CHECK(c[8].path == "<tittom@tittom.fr>");

  // Postfix's strict_rfc821_envelopes examples: findings and, strictly, a verdict.
  CHECK(c[10].syntax == command_error::unbracketed_path);
  CHECK(c[10].path == "<manager@computersupply.com>");
  CHECK(findings_of(c[10]) == strings{"[5321-3.3] @268: a path not enclosed in <>"});
  CHECK(c[11].syntax == command_error::unbracketed_path);
  CHECK(c[11].path == "<james@directsales.com>");
  CHECK(c[12].syntax == command_error::space_around_colon);
  CHECK(c[12].path == "<dude@example.com>");
  CHECK(findings_of(c[12]) == strings{"[5321-3.3] @336: a space around the colon",
                                      "[5321-3.3] @338: an RFC 822 display name before the path"});
  CHECK(c[13].syntax == command_error::space_around_colon);
  CHECK(findings_of(c[13]) ==
        strings{"[5321-3.3] @376: a space around the colon", "[5321-3.3] @378: a path not enclosed in <>"});

  // POP3 in an SMTP stream.
  CHECK(c[14].verb_text == "user");
  CHECK(c[14].argument == "krissyj");
  CHECK(c[14].syntax == command_error::unknown_verb);

  CHECK(c[16].kind == line_kind::sasl_response);
  CHECK(c[17].argument == "dzNsZDBu");
  CHECK_FALSE(c[17].syntax);
  CHECK(c[18].domain == "smtp.hughes.net");
  CHECK_FALSE(c[20].syntax);
  // hostedemail's censored password: "=" inside base64 (RFC 4954 §4 says reject, 501 5.5.2).
  CHECK(c[21].kind == line_kind::sasl_response);
  CHECK(c[21].syntax == command_error::bad_sasl_response);
  CHECK(findings_of(c[21]) == strings{"[4954] @502: a SASL response not base64 or \"*\""});
  CHECK(c[23].path == "<marysue@hughes.net>");
  CHECK(c[25].path == "<jennys@hughes.net>");
  for (int i = 22; i <= 25; ++i) {
    CAPTURE(i);
    CHECK(c[i].kind == line_kind::command);
    CHECK_FALSE(c[i].syntax);
    CHECK(c[i].findings.empty());
  }
}

TEST_CASE("command: seed 001's loose forms parse cleanly under the named leniencies") {
  const std::string in =
      "EHLO: host.example\r\n"                    // 0
      "MAIL FROM: user@x.example\r\n"             // 20
      "MAIL FROM: the dude <dude@x.example>\r\n"  // 47
      "MAIL FROM: <a@b.example>\r\n"              // 85
      "RCPT TO:user@x.example SIZE=1\r\n";        // 111
  const auto s = test::parse_commands_every_split(in, lenient_envelopes());
  REQUIRE(s.commands.size() == 5);
  const auto& c = s.commands;
  CHECK_FALSE(c[0].syntax);
  CHECK(c[0].domain == "host.example");
  CHECK(findings_of(c[0]) == strings{"[5321-4.1.1] @4: a colon after the verb"});
  CHECK_FALSE(c[1].syntax);
  CHECK(c[1].path == "<user@x.example>");
  CHECK(findings_of(c[1]) ==
        strings{"[5321-3.3] @29: a space around the colon", "[5321-3.3] @31: a path not enclosed in <>"});
  CHECK_FALSE(c[2].syntax);
  CHECK(c[2].path == "<dude@x.example>");
  CHECK_FALSE(c[3].syntax);
  CHECK(c[3].path == "<a@b.example>");
  // Unbracketed, the address ends at the SP; what follows are parameters.
  CHECK(c[4].path == "<user@x.example>");
  CHECK(c[4].params == " SIZE=1");
  CHECK(findings_of(c[4]) ==
        strings{"[5321-3.3] @119: a path not enclosed in <>", "[1870-6] @134: a MAIL parameter on RCPT"});
  CHECK_FALSE(c[4].syntax);

  // Each leniency is its own: the others stay strict.
  command_settings only_colon;
  only_colon.allow_colon_after_verb = true;
  CHECK(test::parse_one("MAIL FROM: <a@b.example>\r\n", only_colon).syntax == command_error::space_around_colon);
  CHECK_FALSE(test::parse_one("EHLO: a.example\r\n", only_colon).syntax);
  command_settings only_space;
  only_space.allow_space_around_colon = true;
  CHECK_FALSE(test::parse_one("RCPT TO : <a@b.example>\r\n", only_space).syntax);
  CHECK(test::parse_one("MAIL FROM: a@b.example\r\n", only_space).syntax == command_error::unbracketed_path);
  command_settings only_unbracketed;
  only_unbracketed.allow_unbracketed_path = true;
  const auto bare = test::parse_one("MAIL FROM:a@b.example SIZE=5\r\n", only_unbracketed);
  CHECK_FALSE(bare.syntax);
  CHECK(bare.path == "<a@b.example>");
  CHECK(bare.values == " size=5");
  CHECK(findings_of(bare) == strings{"[5321-3.3] @10: a path not enclosed in <>"});
  CHECK(test::parse_one("MAIL FROM:x <a@b.example>\r\n", only_unbracketed).syntax == command_error::display_name);
  command_settings only_display;
  only_display.allow_display_name = true;
  CHECK_FALSE(test::parse_one("MAIL FROM:Joe Q. \"Public\" <a@b.example>\r\n", only_display).syntax);
  CHECK(test::parse_one("MAIL FROM:a@b.example\r\n", only_display).syntax == command_error::unbracketed_path);
}

TEST_CASE("command: seed 003, the command reference and the DSN example") {
  const std::string in =
      "HELO cisco.com\r\n"                                                               // 0
      "MAIL FROM:<mail@samlogic.com>\r\n"                                                // 16
      "RCPT TO:<john@mail.com>\r\n"                                                      // 47
      "RCPT TO:<peggy@mail.com>\r\n"                                                     // 72
      "DATA\r\n"                                                                         // 98
      "QUIT\r\n"                                                                         // 104
      "EHLO client.example.com\r\n"                                                      // 110
      "AUTH LOGIN\r\n"                                                                   // 135
      "adlxdkej\r\n"                                                                     // 147
      "lkujsefxlj\r\n"                                                                   // 157
      "STARTTLS\r\n"                                                                     // 169
      "EHLO client.example.com *\r\n"                                                    // 179
      "MAIL FROM:<mail@samlogic.com> SIZE=500000\r\n"                                    // 206
      "MAIL FROM:<user@cisco.com> RET=HDRS ENVID=124567\r\n"                             // 249
      "RCPT TO:<user1@cisco.com> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;user1@cisco.com\r\n"  // 299
      "RCPT TO:<user2@cisco.com> NOTIFY=FAILURE ORCPT=rfc822;user2@cisco.com\r\n"        // 376
      "RCPT TO:<user3@cisco.com> NOTIFY=NEVER\r\n"                                       // 447
      "VRFY user address\r\n"                                                            // 487
      "EXPN mailing list\r\n"                                                            // 506
      "HELP [SMTP command]\r\n"                                                          // 525
      "NOOP\r\n"                                                                         // 546
      "RSET\r\n"                                                                         // 552
      "TURN\r\n"                                                                         // 558
      "HELO client.example.com\r\n";                                                     // 564
  const auto s = test::parse_commands_every_split(in);
  CHECK_FALSE(s.end);
  REQUIRE(s.commands.size() == 24);
  const auto& c = s.commands;
  const verb verbs[] = {verb::helo, verb::mail, verb::rcpt,    verb::rcpt,    verb::data,     verb::quit,
                        verb::ehlo, verb::auth, verb::unknown, verb::unknown, verb::starttls, verb::ehlo,
                        verb::mail, verb::mail, verb::rcpt,    verb::rcpt,    verb::rcpt,     verb::vrfy,
                        verb::expn, verb::help, verb::noop,    verb::rset,    verb::turn,     verb::helo};
  for (std::size_t i = 0; i < c.size(); ++i) {
    CAPTURE(i);
    CHECK(c[i].verb == verbs[i]);
    if (i != 9 && i != 11) {
      CHECK_FALSE(c[i].syntax);
      CHECK(c[i].findings.empty());
    }
  }
  CHECK(c[3].path == "<peggy@mail.com>");
  CHECK(c[8].kind == line_kind::sasl_response);
  // "lkujsefxlj" is 10 characters: no whole base64 quantum.
  CHECK(c[9].syntax == command_error::bad_sasl_response);
  CHECK(findings_of(c[9]) == strings{"[4954] @157: a SASL response not base64 or \"*\""});
  // The "*" is the page's footnote mark, sent as written.
  CHECK(c[11].syntax == path_error::bad_domain);
  CHECK(c[11].domain == "client.example.com");
  CHECK(findings_of(c[11]) == strings{"[5321-4.1.2] @202: HELO or EHLO argument not a domain or address literal"});

  CHECK(c[12].path == "<mail@samlogic.com>");
  CHECK(c[12].params == " SIZE=500000");
  CHECK(c[12].values == " size=500000");
  CHECK(c[13].values == " ret=HDRS envid=124567");
  CHECK(c[14].path == "<user1@cisco.com>");
  CHECK(c[14].params == " NOTIFY=SUCCESS,DELAY ORCPT=rfc822;user1@cisco.com");
  CHECK(c[14].values == " notify=10 orcpt=rfc822;user1@cisco.com");
  CHECK(c[15].values == " notify=4 orcpt=rfc822;user2@cisco.com");
  CHECK(c[16].values == " notify=1");
  CHECK(c[17].argument == "user address");
  CHECK(c[19].argument == "[SMTP command]");
}

TEST_CASE("command: seed 003's DSN lines as the page prints them are syntax errors") {
  // The page obfuscates addresses and puts a space after ORCPT's ";".
  const auto a = test::parse_one("MAIL FROM:< [email protected]> RET=HDRS ENVID=124567\r\n");
  CHECK(a.syntax == path_error::bad_local_part);
  CHECK(findings_of(a) == strings{"[5321-4.1.2] @11: a local part is neither a dot-string nor a quoted string"});
  const auto b = test::parse_one("RCPT TO:<user1@cisco.com> NOTIFY=SUCCESS,DELAY ORCPT=rfc822; user1@cisco.com\r\n");
  CHECK(b.syntax == param_error::bad_keyword);
  CHECK(b.values == " notify=10 orcpt=rfc822;");
  CHECK(findings_of(b) == strings{"[5321-4.1.2-b] @61: not an esmtp-keyword"});
}

TEST_CASE("command: arguments where none belong, and missing ones") {
  struct row {
    const char* line;
    std::error_code syntax;
    strings findings;
  };
  const row rows[] = {
      {"DATA x\r\n", command_error::unexpected_argument, {"[5321-4.3.2] @5: an argument on a command that takes none"}},
      {"RSET now\r\n",
       command_error::unexpected_argument,
       {"[5321-4.3.2] @5: an argument on a command that takes none"}},
      {"QUIT bye\r\n",
       command_error::unexpected_argument,
       {"[5321-4.3.2] @5: an argument on a command that takes none"}},
      {"STARTTLS x\r\n",
       command_error::unexpected_argument,
       {"[5321-4.3.2] @9: an argument on a command that takes none"}},
      {"TURN x\r\n", command_error::unexpected_argument, {"[5321-4.3.2] @5: an argument on a command that takes none"}},
      {"QUIT \r\n", command_error::extra_spaces, {"[5321-4.1.1] @4: SP at the end of the line"}},
      {"HELO\r\n", command_error::missing_argument, {"[5321-4.1.1] @4: HELO or EHLO without a domain"}},
      {"EHLO \r\n",
       command_error::extra_spaces,
       {"[5321-4.1.1] @4: SP at the end of the line", "[5321-4.1.1] @5: HELO or EHLO without a domain"}},
      {"VRFY\r\n", command_error::missing_argument, {"[5321-4.1.1] @4: VRFY or EXPN without an argument"}},
      {"AUTH\r\n", command_error::missing_argument, {"[5321-4.1.1] @4: AUTH without a mechanism"}},
      {"BDAT\r\n", command_error::missing_argument, {"[3030] @4: BDAT without a chunk size"}},
      {"MAIL\r\n", command_error::missing_from_to, {"[5321-3.3] @4: MAIL without FROM:"}},
      {"RCPT FROM:<a@b>\r\n", command_error::missing_from_to, {"[5321-3.3] @5: RCPT without TO:"}},
      {"MAIL FROM:\r\n", path_error::missing_path, {"[5321-4.1.2] @10: no path"}},
      {"HELO  a.example\r\n", command_error::extra_spaces, {"[5321-4.1.1] @5: more than one SP after the verb"}},
      {"NOOP anything at all\r\n", {}, {}},
      {"HELP\r\n", {}, {}},
      {"\r\n", command_error::empty_line, {"[5321-4.5.1] @0: an empty command line"}},
      {" HELO a\r\n", command_error::unknown_verb, {"[5321-4.1.1] @0: a line that does not start with a verb"}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.line);
    const auto c = test::parse_one(r.line);
    CHECK(c.syntax == r.syntax);
    CHECK(findings_of(c) == r.findings);
  }
}

TEST_CASE("command: extra spaces pass under allow_extra_spaces, still found") {
  command_settings s;
  s.allow_extra_spaces = true;
  const auto c = test::parse_one("MAIL FROM:<a@b.example>  SIZE=10 \r\n", s);
  CHECK_FALSE(c.syntax);
  CHECK(c.values == " size=10");
  CHECK(findings_of(c) == strings{"[5321-4.1.1] @32: SP at the end of the line",
                                  "[5321-4.1.2-b] @24: more than one SP between parameters"});
}

TEST_CASE("command: AUTH and BDAT arguments") {
  const auto plain = test::parse_one("AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n");
  CHECK_FALSE(plain.syntax);
  CHECK(plain.mechanism == "PLAIN");
  CHECK(plain.initial_response == "dGVzdAB0ZXN0ADEyMzQ=");
  const auto external = test::parse_one("AUTH EXTERNAL =\r\n");
  CHECK_FALSE(external.syntax);
  CHECK(external.initial_response == "=");
  CHECK(test::parse_one("auth login\r\n").mechanism == "login");
  CHECK(test::parse_one("AUTH PLAIN dGVzd=B0\r\n").syntax == command_error::bad_initial_response);
  CHECK(test::parse_one("AUTH PLAIN a b\r\n").syntax == command_error::bad_initial_response);
  const auto long_mech = test::parse_one("AUTH ABCDEFGHIJKLMNOPQRSTU\r\n");
  CHECK(long_mech.syntax == command_error::bad_mechanism);
  CHECK(findings_of(long_mech) == strings{"[4954] @5: not a SASL mechanism name"});

  const auto last = test::parse_one("BDAT 100 LAST\r\n");
  CHECK_FALSE(last.syntax);
  CHECK(last.chunk_size == 100);
  CHECK(last.last);
  const auto big = test::parse_one("BDAT 18446744073709551615\r\n");
  CHECK_FALSE(big.syntax);
  CHECK(big.chunk_size == 18446744073709551615u);
  CHECK(test::parse_one("BDAT 18446744073709551616\r\n").syntax == command_error::bad_chunk_size);
  CHECK(test::parse_one("BDAT 1x\r\n").syntax == command_error::bad_chunk_size);
  const auto first = test::parse_one("BDAT 5 FIRST\r\n");
  CHECK(first.syntax == command_error::unexpected_argument);
  CHECK(findings_of(first) == strings{"[3030] @7: BDAT's second argument is not LAST"});
}

TEST_CASE("command: RCPT TO:<Postmaster>, the null path, source routes, literals") {
  const auto pm = test::parse_one("RCPT TO:<Postmaster>\r\n");
  CHECK_FALSE(pm.syntax);
  CHECK(pm.path == "<Postmaster>");
  CHECK(test::parse_one("RCPT TO:<postmaster@example.com>\r\n").path == "<postmaster@example.com>");
  CHECK(test::parse_one("MAIL FROM:<Postmaster>\r\n").syntax == path_error::missing_at);
  CHECK(test::parse_one("MAIL FROM:<>\r\n").path == "<>");
  CHECK(test::parse_one("RCPT TO:<>\r\n").syntax == path_error::null_path);
  const auto route = test::parse_one("RCPT TO:<@a.example,@b.example:user@c.example>\r\n");
  CHECK_FALSE(route.syntax);
  CHECK(route.path == "<@a.example,@b.example:user@c.example>");
  CHECK(findings_of(route) == strings{"[5321-4.1.2] @9: a source route (deprecated; ignored)"});
  const auto lit = test::parse_one("MAIL FROM:<a@[192.0.2.1]> AUTH=<> BODY=8BITMIME\r\n");
  CHECK_FALSE(lit.syntax);
  CHECK(lit.values == " body=2 auth=<>");
  CHECK_FALSE(test::parse_one("RCPT TO:<\"john doe\"@[IPv6:2001:db8::1]>\r\n").syntax);
  CHECK(test::parse_one("EHLO [192.0.2.1]\r\n").domain == "[192.0.2.1]");
  CHECK(test::parse_one("EHLO [IPv6:::1]\r\n").domain == "[IPv6:::1]");
  CHECK(test::parse_one("HELO [192.0.2.256]\r\n").syntax == path_error::bad_address_literal);
}

TEST_CASE("command: the RFC line length is a finding; AUTH= and SIZE= lengthen MAIL's") {
  const std::string local(64, 'a');
  const std::string domain = std::string(63, 'd') + "." + std::string(63, 'd') + ".example";  // path: 204 octets
  // 510 octets before the CRLF: exactly 512.
  std::string ok = "NOOP " + std::string(505, 'x') + "\r\n";
  CHECK(test::parse_one(ok).findings.empty());
  std::string over = "NOOP " + std::string(506, 'x') + "\r\n";
  CHECK(findings_of(test::parse_one(over)) == strings{"[5321-4.5.3.1.4] @0: a command line over the RFC's limit"});
  CHECK_FALSE(test::parse_one(over).syntax);

  const std::string auth(480, 'A');
  const std::string mail = "MAIL FROM:<" + local + "@" + domain + "> AUTH=" + auth + "\r\n";
  REQUIRE(mail.size() > 512);
  REQUIRE(mail.size() <= 1012);
  CHECK(test::parse_one(mail).findings.empty());
  const std::string rcpt = "RCPT TO:<" + local + "@" + domain + "> ORCPT=rfc822;" + auth + "\r\n";
  CHECK(findings_of(test::parse_one(rcpt)) == strings{"[5321-4.5.3.1.4] @0: a command line over the RFC's limit"});
}

TEST_CASE("command: framing, bare LF and bare CR are errors unless allowed") {
  // Strict: the stream stops at the bad octet, with its finding.
  auto s = test::parse_commands_every_split("NOOP\r\nNOOP\nQUIT\r\n");
  CHECK(s.commands.size() == 1);
  CHECK(s.end == command_error::bare_lf);
  CHECK(s.last_findings == std::vector<test::seen>{{"5321-2.3.8", "a bare LF", 10}});

  s = test::parse_commands_every_split("NOOP\rx\r\n");
  CHECK(s.commands.empty());
  CHECK(s.end == command_error::bare_cr);
  CHECK(s.last_findings == std::vector<test::seen>{{"5321-2.3.8", "a bare CR", 4}});

  // A CR at the end of the input waits for the next octet.
  s = test::parse_commands_every_split("NOOP\r");
  CHECK(s.commands.empty());
  CHECK(is_need_more(s.end));

  command_settings lenient;
  lenient.allow_bare_lf = true;
  lenient.allow_bare_cr = true;
  s = test::parse_commands_every_split("NOOP\nNOOP a\rb\r\nQUIT\r\n", lenient);
  CHECK_FALSE(s.end);
  REQUIRE(s.commands.size() == 3);
  CHECK(findings_of(s.commands[0]) == strings{"[5321-2.3.8] @4: a bare LF"});
  CHECK(s.commands[1].argument == "a\rb");
  CHECK(findings_of(s.commands[1]) == strings{"[5321-2.3.8] @11: a bare CR"});
  CHECK(s.commands[2].verb == verb::quit);
  CHECK(s.commands[2].findings.empty());
}

TEST_CASE("command: NUL is an error unless allowed; other controls and 8-bit octets are findings") {
  using namespace std::string_literals;
  auto s = test::parse_commands_every_split("NOOP a\0b\r\n"s);
  CHECK(s.commands.empty());
  CHECK(s.end == command_error::nul);
  CHECK(s.last_findings == std::vector<test::seen>{{"5321-2.4", "a NUL", 6}});

  command_settings allow;
  allow.allow_nul = true;
  const auto c = test::parse_one("NOOP a\0b\x01\x02\r\n"s, allow);
  CHECK_FALSE(c.syntax);
  CHECK(findings_of(c) == strings{"[5321-2.4] @6: a NUL", "[5321-2.4] @8: a control character"});

  const auto eight = test::parse_one("NOOP caf\xc3\xa9\r\n");
  CHECK(findings_of(eight) == strings{"[5321-2.4] @8: an 8-bit octet without SMTPUTF8"});
  CHECK(test::parse_one("MAIL FROM:<caf\xc3\xa9@x.example>\r\n").syntax == path_error::bad_local_part);
}

TEST_CASE("command: SMTPUTF8 lets UTF-8 into paths (RFC 6531)") {
  // A MAIL that carries SMTPUTF8 allows it for its own path.
  const auto mail = test::parse_one("MAIL FROM:<caf\xc3\xa9@b\xc3\xbc\x63her.example> SMTPUTF8\r\n");
  CHECK_FALSE(mail.syntax);
  CHECK(mail.values == " smtputf8");
  CHECK(mail.findings.empty());
  // RCPT needs the setting, as a session sets it after such a MAIL.
  CHECK(test::parse_one("RCPT TO:<caf\xc3\xa9@x.example>\r\n").syntax == path_error::bad_local_part);
  command_settings utf8;
  utf8.smtputf8 = true;
  const auto rcpt = test::parse_one("RCPT TO:<caf\xc3\xa9@x.example>\r\n", utf8);
  CHECK_FALSE(rcpt.syntax);
  CHECK(rcpt.findings.empty());
  // Not well-formed UTF-8 stays an error.
  CHECK(test::parse_one("RCPT TO:<caf\xc3@x.example>\r\n", utf8).syntax == path_error::bad_local_part);
}

TEST_CASE("command: pipelined commands come one per put(), with stream offsets") {
  command_parser p;
  const std::string in = "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n";
  std::error_code ec;
  std::size_t at = 0;
  const verb want[] = {verb::mail, verb::rcpt, verb::data};
  for (const verb v : want) {
    const std::size_t n = p.put(std::string_view(in).substr(at), ec);
    REQUIRE_FALSE(ec);
    CHECK(p.get().verb == v);
    at += n;
    CHECK(p.offset() == at);
  }
  CHECK(at == in.size());
  CHECK(p.put("", ec) == 0);
  CHECK(is_need_more(ec));
}

TEST_CASE("command: a partial line is not rescanned, and errors are sticky until reset") {
  command_settings s;
  s.max_line_length = 64;
  command_parser p(s);
  std::error_code ec;
  std::string buf = "NOOP ";
  CHECK(p.put(buf, ec) == 0);
  CHECK(is_need_more(ec));
  buf += std::string(70, 'x');
  CHECK(p.put(buf, ec) == 0);
  CHECK(ec == command_error::line_too_long);
  CHECK(p.put("QUIT\r\n", ec) == 0);
  CHECK(ec == command_error::line_too_long);
  p.reset();
  CHECK(p.put("QUIT\r\n", ec) == 6);
  CHECK_FALSE(ec);
  CHECK(p.offset() == 6);
}

TEST_CASE("command: max_line_length counts the CRLF") {
  command_settings s;
  s.max_line_length = 8;
  CHECK_FALSE(test::parse_commands_every_split("NOOP x\r\n", s).end);
  const auto over = test::parse_commands_every_split("NOOP xy\r\n", s);
  CHECK(over.end == command_error::line_too_long);
  CHECK(over.last_findings.empty());  // 8 octets are within the RFC's 512: only the error
}

TEST_CASE("command: hostile input ends in an error, in bounded time and memory") {
  SUBCASE("a 100 MB line, fed in 64 KiB reads") {
    command_parser p;  // default limit
    std::error_code ec;
    const std::string chunk(65536, 'A');
    std::string buf;
    std::size_t fed = 0;
    while (fed < 100u * 1000 * 1000) {
      buf += chunk;
      fed += chunk.size();
      p.put(buf, ec);
      if (ec != make_error_code(error::need_more)) break;
    }
    CHECK(ec == command_error::line_too_long);
    CHECK(fed <= p.settings().max_line_length + chunk.size());
    CHECK(test::findings_of(p.findings()) ==
          std::vector<test::seen>{{"5321-4.5.3.1.4", "a line past the parser's limit", 0}});
  }
  SUBCASE("200,000 lines") {
    command_parser p;
    std::string in;
    for (int i = 0; i < 1000; ++i) in += "NOOP\r\n";
    std::size_t lines = 0;
    for (int round = 0; round < 200; ++round) {
      std::string_view rest = in;
      std::error_code ec;
      while (!rest.empty()) {
        const std::size_t n = p.put(rest, ec);
        REQUIRE_FALSE(ec);
        rest.remove_prefix(n);
        ++lines;
      }
    }
    CHECK(lines == 200000);
    CHECK(p.offset() == 1200000);
  }
  SUBCASE("many parameters") {
    command_settings s;
    s.max_params = 4;
    std::string line = "MAIL FROM:<a@b.example>";
    for (int i = 0; i < 1000; ++i) line += " X" + std::to_string(i);
    const auto c = test::parse_one(line + "\r\n", s);
    CHECK(c.syntax == param_error::too_many);
    CHECK(c.params == " X0 X1 X2 X3");
  }
  SUBCASE("a source route 2,500 hops deep and a quoted local part of 10,000 quoted-pairs") {
    std::string route = "RCPT TO:<";
    for (int i = 0; i < 2500; ++i) route += i ? ",@h.example" : "@h.example";
    route += ":u@d.example>\r\n";
    command_parser p;
    std::error_code ec;
    CHECK(p.put(route, ec) == route.size());
    CHECK_FALSE(p.get().syntax);
    CHECK(p.findings().items().size() == 3);  // the route, the path's length, the line's
    std::string quoted = "RCPT TO:<\"";
    for (int i = 0; i < 10000; ++i) quoted += "\\\"";
    quoted += "\"@d.example>\r\n";
    CHECK(p.put(quoted, ec) == quoted.size());
    CHECK_FALSE(p.get().syntax);
    CHECK(local_part_value(p.get().path.local_part) == std::string(10000, '"'));
  }
  SUBCASE("random bytes") {
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
      std::string in(512, '\0');
      for (auto& ch : in) ch = static_cast<char>(rng());
      if (round % 2) {  // mostly lines
        for (auto& ch : in)
          if (static_cast<unsigned char>(ch) % 16 == 0) ch = '\n';
      }
      command_settings s;
      s.allow_bare_lf = s.allow_bare_cr = s.allow_nul = round % 4 == 1;
      s.max_line_length = 128;
      command_parser p(s);
      std::string_view rest = in;
      std::error_code ec;
      while (!rest.empty()) {
        const std::size_t n = p.put(rest, ec);
        if (ec) break;
        CHECK(n > 0);
        rest.remove_prefix(n);
      }
      CHECK(p.offset() <= in.size());
    }
  }
}

TEST_CASE("command: format_command writes the canonical line, which parses to the same command") {
  const char* lines[] = {
      "Helo sender.host.name\r\n",
      "mail from:<\"a\"@B.example> size=10 body=8bitmime x-foo=bar\r\n",
      "RCPT TO:<Postmaster>\r\n",
      "RCPT TO:<@a.example:\"x y\\\"z\"@[IPv6:2001:db8::1]> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a+2Bb@c\r\n",
      "auth PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n",
      "bdat 0010 last\r\n",
      "Vrfy Smith\r\n",
      "QUIT\r\n",
  };
  const char* canonical[] = {
      "HELO sender.host.name\r\n",
      "MAIL FROM:<a@B.example> SIZE=10 BODY=8bitmime X-FOO=bar\r\n",
      "RCPT TO:<Postmaster>\r\n",
      "RCPT TO:<@a.example:\"x y\\\"z\"@[IPv6:2001:db8::1]> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a+2Bb@c\r\n",
      "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=\r\n",
      "BDAT 10 LAST\r\n",
      "VRFY Smith\r\n",
      "QUIT\r\n",
  };
  for (std::size_t i = 0; i < std::size(lines); ++i) {
    CAPTURE(lines[i]);
    command_parser p;
    std::error_code ec;
    p.put(lines[i], ec);
    REQUIRE_FALSE(ec);
    REQUIRE_FALSE(p.get().syntax);
    const std::string text = to_string(p.get());
    CHECK(text == canonical[i]);
    const test::seen_command first = test::copy_command(p);
    command_parser q;
    q.put(text, ec);
    REQUIRE_FALSE(ec);
    test::seen_command again = test::copy_command(q);
    // The verb as written and the raw argument change; the value does not.
    again.verb_text = first.verb_text;
    again.argument = first.argument;
    again.findings = first.findings;
    CHECK(again == first);
  }
}

TEST_CASE("command: error_end is the octets decided on, the offending one last, however the line was split") {
  struct row {
    std::string input;
    command_error e;
    std::size_t end;
  };
  const row rows[] = {
      {"MAIL FROM:<a@b>\nRCPT", command_error::bare_lf, 16},
      {"NOOP\rX\r\n", command_error::bare_cr, 5},
      {std::string("HELO a\0b\r\n", 10), command_error::nul, 7},
      {"NOOP " + std::string(40, 'x') + "\r\n", command_error::line_too_long, 31},
  };
  command_settings s;
  s.max_line_length = 32;
  for (const auto& r : rows) {
    CAPTURE(r.input);
    const auto got = test::parse_every_split(r.input, [&](const test::chunks& c) {
      command_parser p(s);
      std::string buf;
      for (const auto chunk : c) {
        buf.append(chunk);
        std::error_code ec;
        p.put(buf, ec);
        if (!ec) buf.clear();  // not in these rows: each breaks its first line
        if (ec && !is_need_more(ec)) return std::make_pair(ec.message(), buf.substr(0, p.error_end()));
      }
      return std::make_pair(std::string("no error"), std::string());
    });
    CHECK(got.first == make_error_code(r.e).message());
    CHECK(got.second == r.input.substr(0, r.end));
  }
}

TEST_CASE("command: LMTP's LHLO is EHLO where the protocol is LMTP, HELO and EHLO a finding there") {
  proto::command_settings lmtp;
  lmtp.lmtp = true;
  const auto s =
      test::parse_commands_every_split("LHLO mx.example.com\r\nlhlo client\r\nEHLO client\r\nHELO client\r\n", lmtp, 0);
  REQUIRE(s.commands.size() == 4);
  CHECK(s.commands[0].verb == verb::ehlo);
  CHECK(s.commands[0].verb_text == "LHLO");
  CHECK(s.commands[0].domain == "mx.example.com");
  CHECK_FALSE(s.commands[0].syntax);
  CHECK(s.commands[0].findings.empty());
  CHECK(s.commands[1].verb == verb::ehlo);
  CHECK(s.commands[2].verb == verb::ehlo);
  CHECK(findings_of(s.commands[2]) == strings{"[2033-4] @34: HELO or EHLO in LMTP, where LHLO is due"});
  CHECK(s.commands[3].verb == verb::helo);
  CHECK(findings_of(s.commands[3]) == strings{"[2033-4] @47: HELO or EHLO in LMTP, where LHLO is due"});

  // In SMTP, LHLO is a verb like any unknown one.
  const auto smtp = test::parse_commands_every_split("LHLO mx.example.com\r\n", {}, 0);
  REQUIRE(smtp.commands.size() == 1);
  CHECK(smtp.commands[0].verb == verb::unknown);
  CHECK(smtp.commands[0].syntax == command_error::unknown_verb);

  // Formatted back as written: LHLO, not EHLO.
  proto::command c;
  c.verb = verb::ehlo;
  c.verb_text = "lhlo";
  c.domain = "mx.example.com";
  CHECK(proto::to_string(c) == "LHLO mx.example.com\r\n");
}

TEST_CASE("command: XCLIENT and XFORWARD attributes, names each command defines and xtext values") {
  const auto s = test::parse_commands_every_split(
      "XCLIENT NAME=client.example.org ADDR=192.0.2.77 LOGIN=[UNAVAILABLE]\r\n"
      "XFORWARD NAME=x IDENT=abc+2B SOURCE=REMOTE\r\n"
      "XCLIENT IDENT=abc\r\n"
      "XFORWARD ADDR=a+zz\r\n"
      "xclient\r\n",
      {}, 0);
  REQUIRE(s.commands.size() == 5);
  CHECK(s.commands[0].verb == verb::xclient);
  CHECK(s.commands[0].findings.empty());
  CHECK(s.commands[1].verb == verb::xforward);
  CHECK(s.commands[1].findings.empty());
  CHECK(findings_of(s.commands[2]) == strings{"[postfix-xclient] @121: an attribute XCLIENT does not define"});
  CHECK(findings_of(s.commands[3]) == strings{"[postfix-xclient] @146: an attribute value that is not xtext"});
  CHECK(s.commands[4].verb == verb::xclient);
  CHECK(s.commands[4].syntax == command_error::missing_argument);
}
