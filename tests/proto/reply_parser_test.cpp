// The reply parser on well-formed replies, the seeds' real replies, enhanced
// status codes, each strict error and each leniency. Every input is parsed
// whole and split at every byte (replies_of).
#include "proto/reply_parser.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "proto/error.hpp"
#include "support/replies.hpp"

namespace {

using namespace ehlo::proto;
using ehlo::test::finding_at;
using ehlo::test::ids;
using ehlo::test::replies_of;
using lines = std::vector<std::string>;

/// The one reply `input` must hold, with nothing left over.
ehlo::test::owned_reply only_reply(std::string_view input, const reply_settings& s = {}) {
  const auto out = replies_of(input, s);
  CHECK_FALSE(out.ec);
  REQUIRE(out.replies.size() == 1);
  CHECK(out.replies[0].raw == input);
  return out.replies[0];
}

}  // namespace

TEST_CASE("reply: single-line, bare code and multi-line replies") {
  auto r = only_reply("250 OK\r\n");
  CHECK(r.code == 250);
  CHECK(r.lines == lines{"OK"});
  CHECK(r.findings.empty());

  r = only_reply("221\r\n");  // RFC 5321 §4.2: the text is optional
  CHECK(r.code == 221);
  CHECK(r.lines == lines{""});
  CHECK(r.findings.empty());

  r = only_reply(
      "220-SMTP.SERVER.DOM Simple Mail Transfer Service Ready\r\n"
      "220-That's an exaple of milti-line reply\r\n"
      "220 Ready to rock!\r\n");  // seed 002
  CHECK(r.code == 220);
  CHECK(r.lines == lines{"SMTP.SERVER.DOM Simple Mail Transfer Service Ready", "That's an exaple of milti-line reply",
                         "Ready to rock!"});
  CHECK(r.findings.empty());

  r = only_reply("250-\r\n250 last\r\n");  // a continuation line may have no text
  CHECK(r.lines == lines{"", "last"});
  CHECK(r.findings.empty());
}

TEST_CASE("reply: a bare code ends a multi-line reply (the CVE-2020-8794 shape)") {
  // OpenSMTPD read past such a last line; it is valid and must end the reply.
  const auto out = replies_of("250-a\r\n250\r\n354 go ahead\r\n");
  CHECK_FALSE(out.ec);
  REQUIRE(out.replies.size() == 2);
  CHECK(out.replies[0].code == 250);
  CHECK(out.replies[0].lines == lines{"a", ""});
  CHECK(out.replies[0].raw == "250-a\r\n250\r\n");
  CHECK(out.replies[1].code == 354);
  CHECK(out.replies[1].offset == 12);
}

TEST_CASE("reply: the seeds' EHLO replies, written with their last line's SP") {
  struct row {
    const char* name;
    std::string input;
    lines want;
  };
  const row rows[] = {
      {"wp.pl (seed 000)",
       "250-smtp.wp.pl\r\n250-PIPELINING\r\n250-AUTH=LOGIN PLAIN\r\n250-AUTH LOGIN PLAIN\r\n250-STARTTLS\r\n"
       "250-SIZE\r\n250-X-RCPTLIMIT 100\r\n250 8BITMIME\r\n",
       {"smtp.wp.pl", "PIPELINING", "AUTH=LOGIN PLAIN", "AUTH LOGIN PLAIN", "STARTTLS", "SIZE", "X-RCPTLIMIT 100",
        "8BITMIME"}},
      {"Gmail (seed 000)",
       "250-mx.google.com at your service [xxx.xxx.xxx.xxx],\r\n250-SIZE 28311552\r\n250-8BITMIME\r\n"
       "250-STARTTLS\r\n250 ENHANCEDSTATUSCODES\r\n",
       {"mx.google.com at your service [xxx.xxx.xxx.xxx],", "SIZE 28311552", "8BITMIME", "STARTTLS",
        "ENHANCEDSTATUSCODES"}},
      {"Yahoo (seed 000)",
       "250-smtp103.biz.mail.re2.yahoo.com\r\n250-AUTH LOGIN PLAIN XYMCOOKIE\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
       {"smtp103.biz.mail.re2.yahoo.com", "AUTH LOGIN PLAIN XYMCOOKIE", "PIPELINING", "8BITMIME"}},
      {"Cisco (seed 003)",
       "250-smtp.cisco.com greets cisco.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
       {"smtp.cisco.com greets cisco.com", "8BITMIME", "SIZE", "DSN", "HELP"}},
      {"SamLogic (seed 003)",
       "250-smtp.server.com Hello client.example.com\r\n250-SIZE 1000000\r\n250-AUTH LOGIN PLAIN CRAM-MD5\r\n"
       "250-STARTTLS\r\n250 HELP\r\n",
       {"smtp.server.com Hello client.example.com", "SIZE 1000000", "AUTH LOGIN PLAIN CRAM-MD5", "STARTTLS", "HELP"}},
  };
  for (const auto& [name, input, want] : rows) {
    CAPTURE(name);
    const auto r = only_reply(input);
    CHECK(r.code == 250);
    CHECK(r.lines == want);
    CHECK_FALSE(r.enhanced);
    CHECK(r.findings.empty());
  }
}

TEST_CASE("reply: a seed conversation's replies, pipelined in one stream") {
  // Seed 000, wp.pl example 2, server side; the transcript's one-line replies.
  const std::string stream =
      "220 smtp.wp.pl ESMTP\r\n"
      "334 VXNlcm5hbWU6\r\n"
      "334 UGFzc3dvcmQ6\r\n"
      "235 go ahead\r\n"
      "250 ok\r\n"
      "234 go ahead\r\n"  // the seed's odd reply to DATA: a valid code all the same
      "250 ok xxx qp xxx\r\n"
      "221 smtp.wp.pl\r\n";
  const auto out = replies_of(stream);
  CHECK_FALSE(out.ec);
  REQUIRE(out.replies.size() == 8);
  const unsigned codes[] = {220, 334, 334, 235, 250, 234, 250, 221};
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    CAPTURE(i);
    CHECK(out.replies[i].code == codes[i]);
    CHECK(out.replies[i].offset == offset);
    CHECK_FALSE(out.replies[i].lines.empty());
    offset += out.replies[i].raw.size();
  }
  CHECK(offset == stream.size());
  CHECK(out.replies[1].lines == lines{"VXNlcm5hbWU6"});
}

TEST_CASE("reply: enhanced status codes (RFC 3463) from the first line") {
  auto r = only_reply("530 5.7.0 Must issue a STARTTLS command first. w28sm1561195uge.4\r\n");  // Gmail, seed 000
  REQUIRE(r.enhanced);
  CHECK(*r.enhanced == enhanced_status{5, 7, 0});
  CHECK(r.lines == lines{"5.7.0 Must issue a STARTTLS command first. w28sm1561195uge.4"});
  CHECK(r.findings.empty());

  r = only_reply("550-5.7.1 [1.2.3.4] Our system has detected\r\n550-5.7.1 an unusual rate of\r\n550 5.7.1 mail\r\n");
  CHECK(*r.enhanced == enhanced_status{5, 7, 1});
  CHECK(r.findings.empty());

  r = only_reply("250 2.1.5\r\n");  // the code alone is the whole text
  CHECK(*r.enhanced == enhanced_status{2, 1, 5});
  r = only_reply("452 4.5.3 Too many recipients\r\n");
  CHECK(*r.enhanced == enhanced_status{4, 5, 3});
  r = only_reply("250 2.999.100 wide\r\n");
  CHECK(*r.enhanced == enhanced_status{2, 999, 100});

  // Not an enhanced code: too many digits, no separator, too few parts, a letter.
  for (const char* text : {"250 2.0.0000 x\r\n", "250 2.0.0x\r\n", "250 2.1\r\n", "250 2.a.0 x\r\n", "250 22.1.0 x\r\n",
                           "250 2.1.0\tx\r\n", "250 .2.1.0\r\n", "250 2..0 x\r\n"}) {
    CAPTURE(text);
    r = only_reply(text);
    CHECK_FALSE(r.enhanced);
    CHECK(r.findings.empty());
  }
}

TEST_CASE("reply: enhanced status code findings") {
  struct row {
    const char* input;
    std::optional<enhanced_status> enhanced;
    std::vector<finding_at> findings;
  };
  const row rows[] = {
      // class other than the code's first digit
      {"250 5.0.0 x\r\n", enhanced_status{5, 0, 0}, {{"3463", 4}}},
      {"550 2.0.0 x\r\n", enhanced_status{2, 0, 0}, {{"3463", 4}}},
      // class outside 2/4/5
      {"250 1.2.3 x\r\n", enhanced_status{1, 2, 3}, {{"3463", 4}}},
      // never on 3xx
      {"354 2.0.0 go ahead\r\n", enhanced_status{2, 0, 0}, {{"3463", 4}}},
      {"334 3.0.0 x\r\n", enhanced_status{3, 0, 0}, {{"3463", 4}}},
      // different between the lines of one reply, or missing from a later line
      {"550-5.7.1 a\r\n550 5.7.2 b\r\n", enhanced_status{5, 7, 1}, {{"3463", 17}}},
      {"550-5.7.1 a\r\n550 b\r\n", enhanced_status{5, 7, 1}, {{"3463", 17}}},
      {"550-a\r\n550-5.7.1 b\r\n550 c\r\n", std::nullopt, {{"3463", 11}}},
  };
  for (const auto& [input, enhanced, findings] : rows) {
    CAPTURE(input);
    const auto r = only_reply(input);
    CHECK(r.enhanced == enhanced);
    CHECK(ids(r.findings) == findings);
  }
}

TEST_CASE("reply: strict by default, each broken rule an error") {
  struct row {
    const char* input;
    reply_error error;
  };
  const row rows[] = {
      {"250 ok\n", reply_error::bare_lf},
      {"250-a\r\n250 b\n", reply_error::bare_lf},
      {"250-a\r\n251 b\r\n", reply_error::mixed_codes},
      {"250-a\r\n550 b\r\n", reply_error::mixed_codes},
      {"250ok\r\n", reply_error::bad_separator},
      {"250-a\r\n250ok\r\n", reply_error::bad_separator},
      {"250\tok\r\n", reply_error::bad_separator},
      {"2500 ok\r\n", reply_error::bad_separator},
      {"199 x\r\n", reply_error::code_out_of_range},
      {"099 x\r\n", reply_error::code_out_of_range},
      {"600 x\r\n", reply_error::code_out_of_range},
      {"260 x\r\n", reply_error::code_out_of_range},
      {"25\r\n", reply_error::not_a_code},
      {"\r\n", reply_error::not_a_code},
      {"2a0 x\r\n", reply_error::not_a_code},
      {" 250 x\r\n", reply_error::not_a_code},
      {"HTTP/1.1 400 Bad Request\r\n", reply_error::not_a_code},
      {"250 a\rb\r\n", reply_error::bare_cr},
      {"250 a\r\r\n", reply_error::bare_cr},
  };
  for (const auto& [input, error] : rows) {
    CAPTURE(input);
    const auto out = replies_of(input);
    CHECK(out.replies.empty());
    CHECK(out.ec == error);
  }
}

TEST_CASE("reply: the edges of the code ABNF %x32-35 %x30-35 %x30-39") {
  for (const char* input : {"200 x\r\n", "209 x\r\n", "259 x\r\n", "300 x\r\n", "459 x\r\n", "559 x\r\n"}) {
    CAPTURE(input);
    const auto r = only_reply(input);
    CHECK(r.findings.empty());
  }
  for (const char* input :
       {"160 x\r\n", "190 x\r\n", "260 x\r\n", "290 x\r\n", "560 x\r\n", "600 x\r\n", "000 x\r\n"}) {
    CAPTURE(input);
    CHECK(replies_of(input).ec == reply_error::code_out_of_range);
  }
}

TEST_CASE("reply: findings that do not stop a strict parser") {
  struct row {
    std::string input;
    std::vector<finding_at> findings;
  };
  const std::string long_text(600, 'x');
  const row rows[] = {
      {"250 \r\n", {{"5321-4.2-b", 3}}},  // SP but no textstring
      {"334 \r\n", {}},                   // RFC 4954 §4: an empty AUTH challenge is "334" SP and nothing
      {"250 za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87\r\n", {{"5321-4.2-b", 6}}},  // UTF-8 text: one finding per line
      {std::string("250 a\0b\r\n", 9), {{"5321-4.2-b", 5}}},                // NUL
      {"250-a\x7f\r\n250 b\x01\r\n", {{"5321-4.2-b", 5}, {"5321-4.2-b", 13}}},
      {"250 a\tb\r\n", {}},  // HT is textstring
      {"250 " + long_text + "\r\n", {{"5321-4.5.3.1.5", 0}}},
      {"250-a\r\n250 " + std::string(506, 'y') + "\r\n", {}},  // 512 octets with CRLF: the limit itself
      {"250-a\r\n250 " + std::string(507, 'y') + "\r\n", {{"5321-4.5.3.1.5", 7}}},
  };
  for (const auto& [input, findings] : rows) {
    CAPTURE(input);
    const auto r = only_reply(input);
    CHECK(ids(r.findings) == findings);
  }
}

TEST_CASE("reply: allow_bare_lf reads LF-ended lines, with a finding each") {
  reply_settings s;
  s.allow_bare_lf = true;
  const auto out = replies_of("250-a\n250-b\r\n250 c\n354 go\n", s);
  CHECK_FALSE(out.ec);
  REQUIRE(out.replies.size() == 2);
  CHECK(out.replies[0].lines == lines{"a", "b", "c"});
  CHECK(ids(out.replies[0].findings) == std::vector<finding_at>{{"5321-2.3.8", 5}, {"5321-2.3.8", 18}});
  CHECK(out.replies[1].code == 354);
  CHECK(ids(out.replies[1].findings) == std::vector<finding_at>{{"5321-2.3.8", 25}});
  // Only bare LF: the other rules stay strict.
  CHECK(replies_of("250-a\n251 b\n", s).ec == reply_error::mixed_codes);
  CHECK(replies_of("250 a\rb\n", s).ec == reply_error::bare_cr);
}

TEST_CASE("reply: allow_bare_cr keeps a lone CR as text, with a finding each") {
  reply_settings s;
  s.allow_bare_cr = true;
  const auto r = only_reply("250 a\rb\r\r\n", s);
  CHECK(r.lines == lines{"a\rb\r"});
  CHECK(ids(r.findings) == std::vector<finding_at>{{"5321-2.3.8", 5}, {"5321-2.3.8", 7}});
  CHECK(replies_of("250 a\n", s).ec == reply_error::bare_lf);
}

TEST_CASE("reply: allow_mixed_codes takes the last line's code, as Postfix and curl do") {
  reply_settings s;
  s.allow_mixed_codes = true;
  const auto r = only_reply("250-a\r\n450-b\r\n550 c\r\n", s);
  CHECK(r.code == 550);
  CHECK(r.lines == lines{"a", "b", "c"});
  CHECK(ids(r.findings) == std::vector<finding_at>{{"5321-4.2.1", 7}, {"5321-4.2.1", 14}});
  CHECK(replies_of("250ok\r\n", s).ec == reply_error::bad_separator);
}

TEST_CASE("reply: allow_missing_separator ends the reply at \"250ok\", and shows why it is dangerous") {
  reply_settings s;
  s.allow_missing_separator = true;
  auto r = only_reply("250ok\r\n", s);
  CHECK(r.code == 250);
  CHECK(r.lines == lines{"ok"});
  CHECK(ids(r.findings) == std::vector<finding_at>{{"5321-4.2-a", 3}});

  // A server that meant "250ok" as a continuation: the rest becomes another reply.
  const auto out = replies_of("250-a\r\n250ok\r\n250 b\r\n", s);
  CHECK_FALSE(out.ec);
  REQUIRE(out.replies.size() == 2);
  CHECK(out.replies[0].lines == lines{"a", "ok"});
  CHECK(out.replies[1].lines == lines{"b"});
  CHECK(replies_of("250 a\n", s).ec == reply_error::bare_lf);
}

TEST_CASE("reply: allow_code_outside_abnf takes any three digits") {
  reply_settings s;
  s.allow_code_outside_abnf = true;
  auto r = only_reply("199 x\r\n", s);
  CHECK(r.code == 199);
  CHECK(ids(r.findings) == std::vector<finding_at>{{"5321-4.2", 0}});
  r = only_reply("999-a\r\n999 b\r\n", s);
  CHECK(r.code == 999);
  CHECK(ids(r.findings) == std::vector<finding_at>{{"5321-4.2", 0}, {"5321-4.2", 7}});
  r = only_reply("000\r\n", s);
  CHECK(r.code == 0);
  CHECK(replies_of("2x0 x\r\n", s).ec == reply_error::not_a_code);  // three digits, still
}

TEST_CASE("reply: put() consumes nothing until the whole reply is there, then exactly the reply") {
  reply_parser p;
  std::error_code ec;
  CHECK(p.put("", ec) == 0);
  CHECK(is_need_more(ec));
  CHECK(p.put("250-a\r\n25", ec) == 0);
  CHECK(is_need_more(ec));
  CHECK(p.put("250-a\r\n250 b\r", ec) == 0);  // a CR at the end: CRLF or bare CR?
  CHECK(is_need_more(ec));
  CHECK(p.put("250-a\r\n250 b\r\n221 bye\r\n", ec) == 14);
  CHECK_FALSE(ec);
  CHECK(p.get().code == 250);
  CHECK(p.get().multiline());
  CHECK(p.get().raw == "250-a\r\n250 b\r\n");
  CHECK(p.offset() == 14);
  // Ready for the next reply at once.
  CHECK(p.put("221 bye\r\n", ec) == 9);
  CHECK_FALSE(ec);
  CHECK(p.get().code == 221);
  CHECK_FALSE(p.get().multiline());
  CHECK(p.get().offset == 14);
  CHECK(p.offset() == 23);
}

TEST_CASE("reply: errors are sticky until reset(), which also restarts the stream offset") {
  reply_parser p;
  std::error_code ec;
  CHECK(p.put("250 a\r\n", ec) == 7);
  CHECK(p.put("250 a\n", ec) == 0);
  CHECK(ec == reply_error::bare_lf);
  CHECK(p.put("250 fine\r\n", ec) == 0);
  CHECK(ec == reply_error::bare_lf);
  CHECK(ec.message() == "a reply line ends in a bare LF");
  CHECK(std::string(ec.category().name()) == "ehlo.reply");
  p.reset();
  CHECK(p.offset() == 0);
  CHECK(p.put("250 fine\r\n", ec) == 10);
  CHECK_FALSE(ec);
  CHECK(p.get().offset == 0);
}

TEST_CASE("reply: findings belong to one reply; a new reply starts with none") {
  reply_parser p;
  std::error_code ec;
  CHECK(p.put("250 \r\n", ec) == 6);
  CHECK(ids(p.findings().items()) == std::vector<finding_at>{{"5321-4.2-b", 3}});
  CHECK(p.put("250 ok\r\n", ec) == 8);
  CHECK(p.findings().empty());
}

TEST_CASE("reply: storage is reused from one reply to the next") {
  reply_parser p;
  std::error_code ec;
  const std::string big = "250-a\r\n250-b\r\n250-c\r\n250 d\r\n";
  REQUIRE(p.put(big, ec) == big.size());
  const auto* lines_storage = p.get().lines.data();
  for (int i = 0; i < 100; ++i) {
    REQUIRE(p.put(i % 2 ? "250 x\r\n" : big, ec) > 0);
    CHECK(p.get().lines.data() == lines_storage);
  }
}

TEST_CASE("reply: a buffer shorter than what was scanned starts the reply over") {
  // put()'s contract is broken here; the parser must still not read out of bounds.
  reply_parser p;
  std::error_code ec;
  CHECK(p.put("250-aaaaaaaa\r\n250-bbbb", ec) == 0);
  CHECK(p.put("250 c\r\n", ec) == 7);
  CHECK_FALSE(ec);
  CHECK(p.get().lines.size() == 1);
}

TEST_CASE("reply: parse_enhanced_status reports the length it spans") {
  std::size_t n = 0;
  CHECK(parse_enhanced_status("5.7.1 denied", n) == enhanced_status{5, 7, 1});
  CHECK(n == 5);
  CHECK(parse_enhanced_status("4.123.456", n) == enhanced_status{4, 123, 456});
  CHECK(n == 9);
  CHECK_FALSE(parse_enhanced_status("4.1234.5", n));
  CHECK(n == 0);
  std::ostringstream os;
  os << enhanced_status{5, 7, 1};
  CHECK(os.str() == "5.7.1");
}

namespace {

/// Where the reply parser placed an error: the offending line and the end.
struct error_place {
  std::error_code ec;
  std::string line;  ///< [error_line, error_end) of the unit
  std::size_t end = 0;

  friend bool operator==(const error_place&, const error_place&) = default;
  friend std::ostream& operator<<(std::ostream& os, const error_place& e) {
    return os << e.ec.message() << " at " << e.end << ": " << e.line;
  }
};

error_place error_of(const ehlo::test::chunks& c, const reply_settings& s) {
  reply_parser p(s);
  std::string buf;
  for (const auto chunk : c) {
    buf.append(chunk);
    for (;;) {
      std::error_code ec;
      const std::size_t n = p.put(buf, ec);
      if (is_need_more(ec)) break;
      if (!ec) {
        buf.erase(0, n);  // a reply before the broken one
        continue;
      }
      REQUIRE(p.error_line() <= p.error_end());
      REQUIRE(p.error_end() <= buf.size());
      return {ec, buf.substr(p.error_line(), p.error_end() - p.error_line()), p.error_end()};
    }
  }
  return {};
}

}  // namespace

TEST_CASE("reply: error_line and error_end place the line that broke the reply, however it was split") {
  reply_settings s;
  s.max_line_length = 16;
  s.max_lines = 3;
  s.max_reply_bytes = 40;
  struct row {
    std::string input;
    error_place want;  // positions in the broken reply's own bytes
  };
  const row rows[] = {
      {"2x0 hello\r\nmore", {reply_error::not_a_code, "2x0 hello\r\n", 11}},
      {"250 ok\r\n250-a\r\n251 b\r\n250 c\r\n", {reply_error::mixed_codes, "251 b\r\n", 14}},
      {"220-a\r\n220 b\n", {reply_error::bare_lf, "220 b\n", 13}},
      {"220-a\r\n220 b\rc\r\n", {reply_error::bare_cr, "220 b\rc\r\n", 16}},
      {"220x\r\n", {reply_error::bad_separator, "220x\r\n", 6}},
      {"220-a\r\n220-b\r\n220-c\r\n220 d\r\n", {reply_error::too_many_lines, "220-c\r\n", 21}},
      {"220-aaaaaaaaaaaaaaaaaaaa\r\n", {reply_error::line_too_long, "220-aaaaaaaaaaaa", 16}},
      {"220-aaaaaaaaaa\r\n220-bbbbbbbbbb\r\n220 cccccccccc\r\n", {reply_error::reply_too_large, "220 cccc", 40}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.input);
    CHECK(ehlo::test::parse_every_split(r.input, [&](const auto& c) { return error_of(c, s); }) == r.want);
  }
}
