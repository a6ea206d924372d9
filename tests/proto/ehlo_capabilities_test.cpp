// The EHLO capability decoder on the seeds' real EHLO replies (read by the
// reply parser at every split), every known keyword, and broken keyword lines.
#include "proto/ehlo_capabilities.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "proto/reply_parser.hpp"
#include "support/replies.hpp"

namespace {

using namespace ehlo::proto;
using ehlo::test::chunks;
using ehlo::test::finding_at;
using ehlo::test::ids;
using strings = std::vector<std::string>;

/// What a decoded set says, owned and comparable.
struct decoded {
  bool ok = false;
  std::string domain;
  std::string greeting;
  strings names;   ///< keyword names as written
  strings params;  ///< their parameters
  strings mechanisms;
  std::optional<std::uint64_t> size;
  std::vector<finding_at> findings;

  friend bool operator==(const decoded&, const decoded&) = default;
};

std::ostream& operator<<(std::ostream& os, const decoded& d) {
  os << "{ok " << d.ok << " domain " << d.domain << " greeting '" << d.greeting << "' [";
  for (std::size_t i = 0; i < d.names.size(); ++i) os << d.names[i] << "(" << d.params[i] << ") ";
  os << "] auth [";
  for (const auto& m : d.mechanisms) os << m << " ";
  os << "] size " << (d.size ? std::to_string(*d.size) : "none") << " findings";
  for (const auto& [id, at] : d.findings) os << " " << id << "@" << at;
  return os << "}";
}

decoded describe(const ehlo_capabilities& caps, bool ok, const finding_log& log) {
  decoded d;
  d.ok = ok;
  d.domain = caps.domain();
  d.greeting = caps.greeting();
  for (const auto& c : caps.all()) {
    d.names.emplace_back(c.name);
    d.params.emplace_back(c.params);
  }
  for (const auto m : caps.auth_mechanisms()) d.mechanisms.emplace_back(m);
  d.size = caps.size();
  d.findings = ids(log.items());
  return d;
}

/// Reads the one reply of `input` with the reply parser (split as given) and decodes it.
decoded decode_chunks(const chunks& input) {
  reply_parser parser;
  ehlo_capabilities caps;
  finding_log log;
  std::optional<decoded> d;
  const auto ec = ehlo::test::drive(parser, input, [&](reply_parser& p) {
    const bool ok = caps.decode(p.get(), log);
    d = describe(caps, ok, log);
  });
  REQUIRE_FALSE(ec);
  REQUIRE(d);
  return *d;
}

decoded decode_every_split(std::string_view input) { return ehlo::test::parse_every_split(input, decode_chunks); }

/// Decodes one reply and keeps the set, for the lookup tests.
struct parsed {
  reply_parser parser;
  ehlo_capabilities caps;
  finding_log log;
  explicit parsed(std::string_view input) {
    std::error_code ec;
    REQUIRE(parser.put(input, ec) == input.size());
    caps.decode(parser.get(), log);
  }
};

const std::string wp_pl =
    "250-smtp.wp.pl\r\n250-PIPELINING\r\n250-AUTH=LOGIN PLAIN\r\n250-AUTH LOGIN PLAIN\r\n250-STARTTLS\r\n"
    "250-SIZE\r\n250-X-RCPTLIMIT 100\r\n250 8BITMIME\r\n";
const std::string gmail =
    "250-mx.google.com at your service [xxx.xxx.xxx.xxx],\r\n250-SIZE 28311552\r\n250-8BITMIME\r\n"
    "250-STARTTLS\r\n250 ENHANCEDSTATUSCODES\r\n";
const std::string yahoo =
    "250-smtp103.biz.mail.re2.yahoo.com\r\n250-AUTH LOGIN PLAIN XYMCOOKIE\r\n250-PIPELINING\r\n250 8BITMIME\r\n";

}  // namespace

TEST_CASE("ehlo: wp.pl (seed 000) offers AUTH in both forms and a bare SIZE") {
  const auto d = decode_every_split(wp_pl);
  CHECK(d.ok);
  CHECK(d.domain == "smtp.wp.pl");
  CHECK(d.greeting.empty());
  CHECK(d.names == strings{"PIPELINING", "AUTH", "AUTH", "STARTTLS", "SIZE", "X-RCPTLIMIT", "8BITMIME"});
  CHECK(d.params == strings{"", "LOGIN PLAIN", "LOGIN PLAIN", "", "", "100", ""});
  CHECK(d.mechanisms == strings{"LOGIN", "PLAIN"});
  CHECK_FALSE(d.size);  // bare SIZE: no limit announced
  // The AUTH= line (offset 32) is not ehlo-keyword syntax.
  CHECK(d.findings == std::vector<finding_at>{{"5321-4.1.1.1", 36}});

  parsed p(wp_pl);
  CHECK(p.caps.has(keyword::pipelining));
  CHECK(p.caps.has(keyword::starttls));
  CHECK(p.caps.has(keyword::size));
  CHECK(p.caps.has(keyword::eightbitmime));
  CHECK(p.caps.has(keyword::auth));
  CHECK_FALSE(p.caps.has(keyword::enhancedstatuscodes));
  CHECK_FALSE(p.caps.has(keyword::chunking));
  REQUIRE(p.caps.find("x-rcptlimit") != nullptr);
  CHECK(p.caps.find("x-rcptlimit")->params == "100");
  CHECK(p.caps.find("X-RCPTLIMIT")->key == keyword::unknown);
}

TEST_CASE("ehlo: Gmail (seed 000) announces SIZE and ENHANCEDSTATUSCODES, no AUTH before STARTTLS") {
  const auto d = decode_every_split(gmail);
  CHECK(d.domain == "mx.google.com");
  CHECK(d.greeting == "at your service [xxx.xxx.xxx.xxx],");
  CHECK(d.names == strings{"SIZE", "8BITMIME", "STARTTLS", "ENHANCEDSTATUSCODES"});
  CHECK(d.size == 28311552u);
  CHECK(d.mechanisms.empty());
  CHECK(d.findings.empty());

  parsed p(gmail);
  CHECK(p.caps.has(keyword::enhancedstatuscodes));
  CHECK_FALSE(p.caps.has(keyword::auth));
  CHECK(p.caps.size() == 28311552u);
}

TEST_CASE("ehlo: Yahoo (seed 000) offers an unknown mechanism, XYMCOOKIE") {
  const auto d = decode_every_split(yahoo);
  CHECK(d.domain == "smtp103.biz.mail.re2.yahoo.com");
  CHECK(d.names == strings{"AUTH", "PIPELINING", "8BITMIME"});
  CHECK(d.mechanisms == strings{"LOGIN", "PLAIN", "XYMCOOKIE"});
  CHECK(d.findings.empty());
}

TEST_CASE("ehlo: the seed 003 replies") {
  auto d =
      decode_every_split("250-smtp.cisco.com greets cisco.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n");
  CHECK(d.domain == "smtp.cisco.com");
  CHECK(d.greeting == "greets cisco.com");
  CHECK(d.names == strings{"8BITMIME", "SIZE", "DSN", "HELP"});
  CHECK_FALSE(d.size);
  d = decode_every_split(
      "250-smtp.server.com Hello client.example.com\r\n250-SIZE 1000000\r\n250-AUTH LOGIN PLAIN CRAM-MD5\r\n"
      "250-STARTTLS\r\n250 HELP\r\n");
  CHECK(d.size == 1000000u);
  CHECK(d.mechanisms == strings{"LOGIN", "PLAIN", "CRAM-MD5"});
  CHECK(d.findings.empty());
}

TEST_CASE("ehlo: every known keyword, in any case") {
  parsed p(
      "250-mail.example.org\r\n250-size 0\r\n250-Auth plain login\r\n250-pipelining\r\n250-StartTLS\r\n"
      "250-8bitmime\r\n250-SMTPUTF8\r\n250-dsn\r\n250-CHUNKING\r\n250-binarymime\r\n250-EnhancedStatusCodes\r\n"
      "250 requiretls\r\n");
  for (const keyword k :
       {keyword::size, keyword::auth, keyword::pipelining, keyword::starttls, keyword::eightbitmime, keyword::smtputf8,
        keyword::dsn, keyword::chunking, keyword::binarymime, keyword::enhancedstatuscodes, keyword::requiretls}) {
    CAPTURE(keyword_name(k));
    CHECK(p.caps.has(k));
    CHECK(keyword_of(keyword_name(k)) == k);
    CHECK(p.caps.find(k)->key == k);
    CHECK(p.caps.has(keyword_name(k)));  // by name, in another case than written
  }
  CHECK(p.caps.size() == 0u);  // SIZE 0: no fixed maximum
  CHECK(std::vector<std::string_view>(p.caps.auth_mechanisms().begin(), p.caps.auth_mechanisms().end()) ==
        std::vector<std::string_view>{"plain", "login"});
  CHECK(p.log.empty());
  CHECK(keyword_of("8BITMIMES") == keyword::unknown);
  CHECK(keyword_name(keyword::unknown).empty());
}

TEST_CASE("ehlo: keyword lines that break RFC 5321 §4.1.1.1") {
  struct row {
    const char* input;
    std::vector<finding_at> findings;
  };
  const row rows[] = {
      {"250-x\r\n250-_FOO\r\n250 -BAR\r\n", {{"5321-4.1.1.1", 11}, {"5321-4.1.1.1", 21}}},
      {"250-x\r\n250 X.Y 1\r\n", {{"5321-4.1.1.1", 11}}},
      {"250-x\r\n250-\r\n250 OK\r\n", {{"5321-4.1.1.1", 11}}},           // an empty line
      {"250-x\r\n250 AUTH  LOGIN\r\n", {{"5321-4.1.1.1", 16}}},          // an empty parameter
      {"250-x\r\n250 AUTH LOGIN \r\n", {{"5321-4.1.1.1", 16}}},          // a trailing SP
      {"250-x\r\n250 X-FOO a\tb\r\n", {{"5321-4.1.1.1", 17}}},           // HT in a parameter
      {"250-x\r\n250 SIZE 12k\r\n", {{"1870-4", 16}}},                   // not a number
      {"250-x\r\n250 SIZE 99999999999999999999\r\n", {{"1870-4", 16}}},  // 20 digits
      {"250-x\r\n250-AUTH=PLAIN\r\n250 auth=login cram-md5\r\n", {{"5321-4.1.1.1", 11}, {"5321-4.1.1.1", 27}}},
  };
  for (const auto& [input, findings] : rows) {
    CAPTURE(input);
    const auto d = decode_every_split(input);
    CHECK(d.ok);
    CHECK(d.findings == findings);
  }
  const auto d = decode_every_split("250-x\r\n250-AUTH=PLAIN\r\n250 auth=login cram-md5\r\n");
  CHECK(d.names == strings{"AUTH", "auth"});
  CHECK(d.mechanisms == strings{"PLAIN", "login", "cram-md5"});
  CHECK(decode_every_split("250-x\r\n250 SIZE 12k\r\n").size == std::nullopt);
  CHECK(decode_every_split("250-x\r\n250 SIZE 9999999999999999999\r\n").size == 9999999999999999999u);
}

TEST_CASE("ehlo: only a 250 reply offers capabilities") {
  auto d = decode_every_split("250 mail.example.com\r\n");  // a server with no extensions
  CHECK(d.ok);
  CHECK(d.domain == "mail.example.com");
  CHECK(d.names.empty());
  d = decode_every_split("502 5.5.1 EHLO not implemented\r\n");
  CHECK_FALSE(d.ok);
  CHECK(d.domain.empty());
  CHECK(d.names.empty());
  d = decode_every_split("554-no\r\n554 STARTTLS\r\n");
  CHECK_FALSE(d.ok);
  CHECK(d.names.empty());
}

TEST_CASE("ehlo: a set outlives the parser's buffer, copied and moved") {
  ehlo_capabilities kept;
  {
    parsed p("250-a.b\r\n250 AUTH X\r\n");  // short: the copy lives in the string's own storage
    ehlo_capabilities copy = p.caps;
    kept = std::move(copy);
  }
  CHECK(kept.domain() == "a.b");
  CHECK(kept.has(keyword::auth));
  REQUIRE(kept.auth_mechanisms().size() == 1);
  CHECK(kept.auth_mechanisms()[0] == "X");
  const ehlo_capabilities again(std::move(kept));
  CHECK(again.domain() == "a.b");
  CHECK(again.find(keyword::auth)->params == "X");
  CHECK(kept.all().empty());  // NOLINT(bugprone-use-after-move): a moved-from set is empty
  ehlo_capabilities third;
  third = again;
  CHECK(third.greeting().empty());
  CHECK(third.all()[0].name == "AUTH");
  third.clear();
  CHECK_FALSE(third.has(keyword::auth));
}

TEST_CASE("ehlo: hostile replies decode in linear time, keeping at most max_mechanisms") {
  // 20,000 AUTH and SIZE lines of distinct mechanisms: without the bounds,
  // deduplication and the first-SIZE rule would be quadratic.
  std::string input = "250-x\r\n";
  for (int i = 0; i < 10'000; ++i)
    input += "250-AUTH M" + std::to_string(i) + " N" + std::to_string(i) + "\r\n250-SIZE 1\r\n";
  input += "250 SIZE 2\r\n";
  reply_settings s;
  s.max_lines = 30'000;
  s.max_reply_bytes = 1 << 20;
  reply_parser parser(s);
  std::error_code ec;
  REQUIRE(parser.put(input, ec) == input.size());
  ehlo_capabilities caps;
  finding_log log;
  CHECK(caps.decode(parser.get(), log));
  CHECK(caps.all().size() == 20'001);
  CHECK(caps.auth_mechanisms().size() == ehlo_capabilities::max_mechanisms);
  CHECK(caps.auth_mechanisms()[0] == "M0");
  CHECK(caps.auth_mechanisms()[1] == "N0");
  CHECK(caps.size() == 1u);  // the first SIZE line counts
  CHECK(log.empty());
}
