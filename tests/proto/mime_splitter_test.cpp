#include "proto/mime_splitter.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "proto/mime_scan.hpp"
#include "proto/rules.hpp"

namespace {

namespace mime = ehlo::proto::mime;
namespace rules = ehlo::proto::rules;
using ehlo::proto::finding;
using ehlo::test::mime_scan;
using ehlo::test::scan_every_split;
using mime::span;

std::uint64_t at(std::string_view s, std::string_view needle, std::size_t nth = 0) {
  std::size_t p = s.find(needle);
  while (nth-- > 0 && p != std::string_view::npos) p = s.find(needle, p + 1);
  REQUIRE(p != std::string_view::npos);
  return p;
}

std::string text(std::string_view msg, span s) { return std::string(mime::view(msg, s)); }

std::string read_file(const std::string& name) {
  std::ifstream in(std::string(EHLO_SOURCE_DIR) + "/tests/data/" + name, std::ios::binary);
  REQUIRE(in);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::string simple =
    "Content-Type: multipart/mixed; boundary=b\r\n"
    "MIME-Version: 1.0\r\n"
    "\r\n"
    "preamble\r\n"
    "--b\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "one\r\n"
    "--b\r\n"
    "\r\n"
    "two\r\n"
    "--b--\r\n"
    "epilogue\r\n";

}  // namespace

TEST_CASE("mime split: two parts with preamble and epilogue, at every split") {
  const mime_scan r = scan_every_split(simple);
  CHECK_FALSE(r.error);
  CHECK(r.findings.empty());
  REQUIRE(r.entities.size() == 3);
  const auto& m = r.entities[0];
  CHECK(m.depth == 0);
  CHECK(m.parent == mime::entity::none);
  CHECK(text(simple, m.header) == "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n");
  CHECK(m.body == span{at(simple, "preamble"), simple.size()});
  CHECK(m.multipart);
  CHECK(m.closed);
  CHECK(m.parts == 2);
  CHECK(text(simple, m.preamble) == "preamble");
  CHECK(text(simple, m.epilogue) == "epilogue\r\n");

  const auto& one = r.entities[1];
  CHECK(one.depth == 1);
  CHECK(one.parent == 0);
  CHECK(text(simple, one.header) == "Content-Type: text/plain\r\n");
  CHECK(text(simple, one.body) == "one");
  CHECK_FALSE(one.multipart);

  const auto& two = r.entities[2];
  CHECK(two.parent == 0);
  CHECK(two.header == span{at(simple, "\r\ntwo"), at(simple, "\r\ntwo")});  // no fields; the empty line follows
  CHECK(text(simple, two.body) == "two");
}

TEST_CASE("mime split: the CRLF before a delimiter belongs to the delimiter") {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n"
      "--b\r\n\r\nline\r\n\r\n--b\r\n\r\n\r\n--b--";
  const auto r = scan_every_split(msg);
  CHECK_FALSE(r.error);
  CHECK(r.findings.empty());
  REQUIRE(r.entities.size() == 3);
  CHECK(text(msg, r.entities[1].body) == "line\r\n");  // the second CRLF starts the delimiter
  CHECK(text(msg, r.entities[2].body) == "");          // the blank line's CRLF, then the delimiter's own
  CHECK(r.entities[0].preamble == span{at(msg, "--b"), at(msg, "--b")});
  // The close delimiter ends the input without a CRLF: that is allowed.
  CHECK(r.entities[0].closed);
  CHECK(r.entities[0].epilogue == span{msg.size(), msg.size()});
}

TEST_CASE("mime split: transport padding, and text after the boundary (RFC 2046 compares the line's start)") {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n"
      "--b \t \r\n\r\none\r\n--b--  \r\n";
  auto r = scan_every_split(msg);
  CHECK_FALSE(r.error);
  CHECK(r.findings.empty());
  REQUIRE(r.entities.size() == 2);
  CHECK(text(msg, r.entities[1].body) == "one");
  CHECK(r.entities[0].closed);

  const std::string junk =
      "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n"
      "--bogus\r\n\r\none\r\n--b--x\r\n";
  r = scan_every_split(junk);
  CHECK_FALSE(r.error);
  REQUIRE(r.entities.size() == 2);
  CHECK(text(junk, r.entities[1].body) == "one");
  CHECK(r.entities[0].closed);
  CHECK(r.findings ==
        std::vector<finding>{
            {&rules::mime_multipart, "text after the boundary on a delimiter line", at(junk, "--bogus")},
            {&rules::mime_multipart, "text after the boundary on a delimiter line", at(junk, "\r\n--b--")},
        });
}

TEST_CASE("mime split: a missing close delimiter is a finding (2046-5.1)") {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n"
      "--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n";
  const auto r = scan_every_split(msg);
  CHECK_FALSE(r.error);
  REQUIRE(r.entities.size() == 3);
  CHECK_FALSE(r.entities[0].closed);
  CHECK(r.entities[0].parts == 2);
  CHECK(r.entities[0].epilogue == span{msg.size(), msg.size()});
  CHECK(text(msg, r.entities[2].body) == "two\r\n");
  CHECK(r.findings ==
        std::vector<finding>{{&rules::mime_multipart, "multipart ends without its close delimiter", msg.size()}});

  // A multipart that never gets a delimiter at all.
  const std::string none = "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\njust text\r\n";
  const auto n = scan_every_split(none);
  REQUIRE(n.entities.size() == 1);
  CHECK(text(none, n.entities[0].preamble) == "just text\r\n");
  CHECK(n.findings == std::vector<finding>{
                          {&rules::mime_multipart, "multipart ends without its close delimiter", none.size()},
                          {&rules::mime_multipart, "multipart without body parts", none.size()},
                      });
}

TEST_CASE("mime split: nested multiparts, and an enclosing delimiter ends the inner ones") {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=outer\r\nMIME-Version: 1.0\r\n\r\n"
      "--outer\r\n"
      "Content-Type: multipart/alternative; boundary=\"in ner\"\r\n\r\n"
      "inner preamble\r\n"
      "--in ner\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
      "--in ner\r\nContent-Type: text/html\r\n\r\n<p>html</p>\r\n"
      "--in ner--\r\ninner epilogue\r\n"
      "--outer\r\nContent-Type: application/octet-stream\r\n\r\nQUJD\r\n"
      "--outer--\r\n";
  const auto r = scan_every_split(msg);
  CHECK_FALSE(r.error);
  CHECK(r.findings.empty());
  REQUIRE(r.entities.size() == 5);
  CHECK(r.entities[0].parts == 2);
  const auto& alt = r.entities[1];
  CHECK(alt.depth == 1);
  CHECK(alt.multipart);
  CHECK(alt.closed);
  CHECK(alt.parts == 2);
  CHECK(text(msg, alt.preamble) == "inner preamble");
  CHECK(text(msg, alt.epilogue) == "inner epilogue");
  CHECK(text(msg, alt.body).substr(0, 14) == "inner preamble");
  CHECK(r.entities[2].depth == 2);
  CHECK(r.entities[2].parent == 1);
  CHECK(text(msg, r.entities[2].body) == "plain");
  CHECK(r.entities[3].parent == 1);
  CHECK(text(msg, r.entities[3].body) == "<p>html</p>");
  CHECK(r.entities[4].depth == 1);
  CHECK(r.entities[4].parent == 0);
  CHECK(text(msg, r.entities[4].body) == "QUJD");

  // The inner multipart loses its close delimiter: the outer one ends it.
  const std::string open =
      "Content-Type: multipart/mixed; boundary=outer\r\nMIME-Version: 1.0\r\n\r\n"
      "--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
      "--inner\r\n\r\nplain\r\n"
      "--outer\r\n\r\nlast\r\n--outer--\r\n";
  const auto o = scan_every_split(open);
  CHECK_FALSE(o.error);
  REQUIRE(o.entities.size() == 4);
  CHECK_FALSE(o.entities[1].closed);
  CHECK(text(open, o.entities[1].body) == "--inner\r\n\r\nplain");
  CHECK(text(open, o.entities[2].body) == "plain");
  CHECK(o.entities[3].parent == 0);
  CHECK(text(open, o.entities[3].body) == "last");
  CHECK(o.findings == std::vector<finding>{{&rules::mime_multipart, "multipart ends without its close delimiter",
                                            at(open, "\r\n--outer\r\n\r\nlast")}});
}

TEST_CASE("mime split: the innermost boundary wins when boundaries share a prefix") {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=a\r\nMIME-Version: 1.0\r\n\r\n"
      "--a\r\nContent-Type: multipart/mixed; boundary=ab\r\n\r\n"
      "--ab\r\n\r\nx\r\n--ab--\r\n"
      "--a--\r\n";
  const auto r = scan_every_split(msg);
  CHECK_FALSE(r.error);
  REQUIRE(r.entities.size() == 3);
  CHECK(r.entities[1].closed);
  CHECK(r.entities[0].closed);
  CHECK(text(msg, r.entities[2].body) == "x");
  CHECK(r.findings ==
        std::vector<finding>{{&rules::mime_boundary, "boundary begins with an enclosing boundary, or it with this one",
                              at(msg, " multipart/mixed; boundary=ab")}});
}

TEST_CASE("mime split: boundaries that cannot be used, and Content-Type syntax") {
  struct row {
    const char* content_type;
    const char* boundary;  // on the delimiter lines of the body
    bool split;
    const ehlo::proto::rule* rule;
    const char* what;
  };
  const std::string long_boundary(71, 'x');
  const std::string long_type = "multipart/mixed; boundary=" + long_boundary;
  const row rows[] = {
      {"multipart/mixed", "b", false, &rules::mime_boundary, "multipart without a boundary: read as a leaf"},
      {"multipart/mixed; boundary=\"\"", "b", false, &rules::mime_boundary, "empty boundary: read as a leaf"},
      {long_type.c_str(), "b", false, &rules::mime_boundary, "boundary longer than 70 characters: read as a leaf"},
      {"multipart/mixed; boundary=\"b \"", "b ", true, &rules::mime_boundary,
       "boundary with a character outside bchars, or ending in a space"},
      {"multipart/mixed; boundary=\"b#\"", "b#", true, &rules::mime_boundary,
       "boundary with a character outside bchars, or ending in a space"},
      {"multipart/mixed; boundary=b;", "b", true, &rules::content_type, "malformed Content-Type parameter"},
      {"multipart/mixed; boundary=b; x", "b", true, &rules::content_type, "malformed Content-Type parameter"},
      {"multipart/mixed; x; boundary=b", "b", false, &rules::content_type, "malformed Content-Type parameter"},
      {"multipart", "b", false, &rules::content_type, "malformed Content-Type: read as text/plain"},
      {"(comment) MULTIPART / Mixed (more) ; BOUNDARY = b", "b", true, nullptr, ""},
      {"multipart/mixed;\r\n boundary=\"\\b\"", "b", true, nullptr, ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.content_type);
    const std::string b = row.boundary;
    const std::string msg = std::string("MIME-Version: 1.0\r\nContent-Type: ") + row.content_type + "\r\n\r\n--" + b +
                            "\r\n\r\none\r\n--" + b + "--\r\n";
    const auto r = scan_every_split(msg);
    CHECK_FALSE(r.error);
    CHECK(r.entities.size() == (row.split ? 2u : 1u));
    CHECK(r.entities[0].multipart == row.split);
    if (row.rule) {
      REQUIRE_FALSE(r.findings.empty());
      CHECK(r.findings[0] == finding{row.rule, row.what, at(msg, std::string(" ") + row.content_type)});
    } else {
      CHECK(r.findings.empty());
    }
  }
}

TEST_CASE("mime split: part headers are strict; a delimiter ends any header") {
  // A line that is no field in a part header.
  const std::string bad =
      "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\nno colon here\r\n\r\nbody\r\n--b--\r\n";
  auto r = scan_every_split(bad);
  CHECK(r.error == mime::error::bad_header_line);
  CHECK(r.findings ==
        std::vector<finding>{{&rules::header_field, "a header line that is no field", at(bad, "no colon")}});
  CHECK(r.entities.size() == 2);

  // A part whose header runs into the next delimiter: split there, with a finding.
  const std::string cut =
      "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n--b\r\n--b--\r\n";
  r = scan_every_split(cut);
  CHECK_FALSE(r.error);
  REQUIRE(r.entities.size() == 3);
  CHECK(text(cut, r.entities[1].header) == "Content-Type: text/plain\r\n");
  CHECK(r.entities[1].body == span{at(cut, "--b", 1), at(cut, "--b", 1)});
  CHECK(r.entities[2].header.size() == 0);
  CHECK(r.entities[2].body.size() == 0);
  CHECK(r.findings ==
        std::vector<finding>{
            {&rules::header_separator, "no empty line after the header: a delimiter line ends it", at(cut, "--b", 1)},
            {&rules::header_separator, "no empty line after the header: a delimiter line ends it", at(cut, "--b--")},
        });

  // Folded fields, a second Content-Type, bare LF, and the obsolete space before the colon.
  const std::string fields =
      "Content-Type: multipart/mixed;\r\n\tboundary=b\r\nMIME-Version : 1.0\r\nContent-Type: text/plain\r\n"
      "X-Bare: a\nb\r\n\r\n--b\r\n\r\n--b--\r\n";
  r = scan_every_split(fields);
  CHECK_FALSE(r.error);
  CHECK(r.entities.size() == 2);
  CHECK(r.findings == std::vector<finding>{
                          {&rules::header_field, "second Content-Type field ignored", at(fields, "Content-Type: text")},
                          {&rules::line_ending, "bare CR or LF in a header line", at(fields, "\nb")},
                      });
}

TEST_CASE("mime split: MIME-Version is checked on the message header only") {
  const std::string msg =
      "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n--b--";
  const auto r = scan_every_split(msg);
  CHECK(r.findings == std::vector<finding>{{&rules::mime_version, "MIME message without a MIME-Version field", 0}});
  // A message without a Content-Type is not MIME: no finding, one leaf.
  const auto plain = scan_every_split("Subject: hi\r\n\r\n--b\r\n");
  CHECK(plain.findings.empty());
  REQUIRE(plain.entities.size() == 1);
  CHECK(plain.entities[0].body == span{15, 20});
}

TEST_CASE("mime split: a message that ends inside its header") {
  const std::string msg = "Subject: hi\r\nX-Last: no CRLF";
  const auto r = scan_every_split(msg);
  CHECK_FALSE(r.error);
  REQUIRE(r.entities.size() == 1);
  CHECK(r.entities[0].header == span{0, msg.size()});
  CHECK(r.entities[0].body == span{msg.size(), msg.size()});
  CHECK(r.findings ==
        std::vector<finding>{{&rules::line_ending, "header line without CRLF at the end of input", msg.size()}});
  const auto empty = scan_every_split("");
  REQUIRE(empty.entities.size() == 1);
  CHECK(empty.entities[0] == mime::entity{});
}

TEST_CASE("mime split: the wp.pl seed (no empty lines, `MIME Version 1.0`) splits into its three parts when lenient") {
  const std::string msg = read_file("wp_pl_multipart.eml");
  mime::settings lenient;
  lenient.allow_missing_blank_line = true;
  lenient.allow_malformed_header_lines = true;
  const auto r = scan_every_split(msg, lenient);
  CHECK_FALSE(r.error);
  REQUIRE(r.entities.size() == 4);
  CHECK(r.entities[0].multipart);
  CHECK(r.entities[0].closed);
  CHECK(r.entities[0].parts == 3);
  CHECK(text(msg, r.entities[1].header) ==
        "Content-type: text/plain; charset=US-ASCII\r\nContent-Transfer-Encoding: 7bit\r\n");
  CHECK(text(msg, r.entities[1].body) == "This is my message.");
  CHECK(text(msg, r.entities[2].body).substr(0, 16) == "TVqQAAMAAAAEAAAA");
  CHECK(text(msg, r.entities[2].body).find("(...)\r\nSU5H") != std::string::npos);
  CHECK(text(msg, r.entities[3].body).substr(0, 16) == "/9j/4Sv+RXhpZgAA");
  CHECK(text(msg, r.entities[3].body).substr(text(msg, r.entities[3].body).size() - 4) == "2Q==");
  for (std::size_t i = 1; i < 4; ++i) CHECK(r.entities[i].parent == 0);
  const std::string d = "--__MESSAGE__ID__54yg6f6h6y456345";
  CHECK(r.findings == std::vector<finding>{
                          {&rules::header_field, "a line that is no header field was skipped", at(msg, "MIME Version")},
                          {&rules::header_separator, "no empty line after the header", at(msg, d)},
                          {&rules::mime_version, "MIME message without a MIME-Version field", 0},
                          {&rules::header_separator, "no empty line after the header", at(msg, "This is my")},
                          {&rules::header_separator, "no empty line after the header", at(msg, "TVqQ")},
                          {&rules::header_separator, "no empty line after the header", at(msg, "/9j/")},
                      });

  // Strict, the broken header line is an error; with only one leniency the
  // header ends early and the message is one leaf.
  const auto strict = scan_every_split(msg);
  CHECK(strict.error == mime::error::bad_header_line);
  CHECK(strict.findings ==
        std::vector<finding>{{&rules::header_field, "a header line that is no field", at(msg, "MIME Version")}});
  mime::settings half;
  half.allow_missing_blank_line = true;
  const auto h = scan_every_split(msg, half);
  CHECK_FALSE(h.error);
  REQUIRE(h.entities.size() == 1);
  CHECK(h.entities[0].body.begin == at(msg, "MIME Version"));
  mime::settings other;
  other.allow_malformed_header_lines = true;
  CHECK(scan_every_split(msg, other).error == mime::error::bad_header_line);  // "--__MESSAGE..." then a field: skipped
}

TEST_CASE("mime split: the lenient look at the next line gives the same answer wherever the input is cut") {
  // Found by fuzz_mime: cut inside the space, the name scan used to resume
  // and take "/" (ftext) for more of the name, and the colon after it.
  mime::settings s;
  s.allow_malformed_header_lines = true;
  const std::string not_field = "Subject: x\r\nbroken line\r\nContent-typtte  /:x\r\n\r\nbody";
  auto r = scan_every_split(not_field, s);
  CHECK(r.error == mime::error::bad_header_line);
  CHECK(r.findings ==
        std::vector<finding>{{&rules::header_field, "a header line that is no field", at(not_field, "broken")}});
  const std::string field = "Subject: x\r\nbroken line\r\nX-Obsolete  :x\r\n\r\nbody";
  r = scan_every_split(field, s);
  CHECK_FALSE(r.error);
  CHECK(r.findings == std::vector<finding>{
                          {&rules::header_field, "a line that is no header field was skipped", at(field, "broken")}});
  CHECK(text(field, r.entities[0].body) == "body");
}

TEST_CASE("mime split: the course page's multipart example (seed 004)") {
  const std::string msg = read_file("ugto_multipart.eml");
  const auto strict = scan_every_split(msg);
  // Its message header also runs into the first boundary.
  CHECK(strict.error == mime::error::bad_header_line);
  mime::settings lenient;
  lenient.allow_missing_blank_line = true;
  const auto r = scan_every_split(msg, lenient);
  CHECK_FALSE(r.error);
  REQUIRE(r.entities.size() == 3);
  CHECK(r.entities[0].closed);
  CHECK(text(msg, r.entities[1].body) == "<html>Let's get together on the <b>weekend</b> to celebrate!</html>\r\n");
  CHECK(text(msg, r.entities[2].header) ==
        "Content-type: image/gif;\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"john.gif\";\r\n");
  CHECK(text(msg, r.entities[2].body) == "Image data in Base 64\r\n");
  CHECK(r.findings == std::vector<finding>{
                          {&rules::header_separator, "no empty line after the header", at(msg, "--XYZ")},
                          {&rules::content_type, "malformed Content-Type parameter", at(msg, " image/gif;")},
                      });
}

TEST_CASE("mime split: limits, each with its own error") {
  SUBCASE("header size: exactly the limit passes, one more byte fails") {
    mime::settings s;
    s.max_header_bytes = 32;
    const std::string fits = "X: " + std::string(25, 'a') + "\r\n\r\n";  // 32 bytes with its empty line
    REQUIRE(fits.size() == 32);
    CHECK_FALSE(scan_every_split(fits + "body", s).error);
    const std::string over = "X: " + std::string(26, 'a') + "\r\n\r\n";
    CHECK(scan_every_split(over + "body", s).error == mime::error::header_too_large);
    CHECK(scan_every_split(std::string(100, 'x'), s).error == mime::error::header_too_large);
    // Found by fuzz_mime: a block of exactly the limit that the end of input
    // closes is within it, also when put() saw all of it before finish().
    const std::string at_limit = "X: " + std::string(27, 'a') + "\r\n";
    REQUIRE(at_limit.size() == 32);
    const auto r = scan_every_split(at_limit, s);
    CHECK_FALSE(r.error);
    CHECK(r.entities[0].header == span{0, 32});
    CHECK(scan_every_split(at_limit + "\r", s).error == mime::error::header_too_large);
  }
  SUBCASE("parts per multipart") {
    mime::settings s;
    s.max_parts = 3;
    std::string msg = "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n";
    for (int i = 0; i < 3; ++i) msg += "--b\r\n\r\nx\r\n";
    CHECK_FALSE(scan_every_split(msg + "--b--\r\n", s).error);
    const auto r = scan_every_split(msg + "--b\r\n\r\nx\r\n--b--\r\n", s);
    CHECK(r.error == mime::error::too_many_parts);
    CHECK(r.entities.size() == 4);
  }
  SUBCASE("depth") {
    mime::settings s;
    s.max_depth = 2;
    std::string two = "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n";
    two += "--b0\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n--b1\r\n\r\nx\r\n--b1--\r\n--b0--\r\n";
    CHECK_FALSE(scan_every_split(two, s).error);
    s.max_depth = 1;
    const auto r = scan_every_split(two, s);
    CHECK(r.error == mime::error::too_deep);
    CHECK(r.entities.size() == 2);
  }
  SUBCASE("delimiter line tail") {
    mime::settings s;
    s.max_delimiter_tail = 8;
    const std::string head = "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n";
    CHECK_FALSE(scan_every_split(head + "--b" + std::string(8, ' ') + "\r\n\r\nx\r\n--b--", s).error);
    CHECK(scan_every_split(head + "--b" + std::string(9, ' ') + "\r\n\r\nx\r\n--b--", s).error ==
          mime::error::delimiter_line_too_long);
    CHECK(scan_every_split(head + "--b--" + std::string(9, '-'), s).error == mime::error::delimiter_line_too_long);
  }
}

TEST_CASE("mime split: MIME nested 10,000 deep ends in the depth error, in bounded time") {
  constexpr int deep = 10000;
  std::string msg = "MIME-Version: 1.0\r\n";
  for (int i = 0; i < deep; ++i)
    msg += "Content-Type: multipart/mixed; boundary=\"=_" + std::to_string(i) + "\"\r\n\r\n--=_" + std::to_string(i) +
           "\r\n";
  msg += "\r\nleaf\r\n";
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = ehlo::test::to_scan(mime::split(msg));
  CHECK(r.error == mime::error::too_deep);
  CHECK(r.entities.size() == 33);  // the message and 32 levels of parts
  // The same one byte at a time.
  ehlo::test::chunks bytes;
  for (std::size_t i = 0; i < msg.size(); ++i) bytes.push_back(std::string_view(msg).substr(i, 1));
  CHECK(ehlo::test::scan_chunks(bytes) == r);

  // With the limit raised past it, the whole tree comes out: every level
  // misses its close delimiter, and the finding log stays bounded.
  mime::settings s;
  s.max_depth = deep + 1;
  const auto all = ehlo::test::to_scan(mime::split(msg, s));
  CHECK_FALSE(all.error);
  REQUIRE(all.entities.size() == deep + 1);
  CHECK(all.entities.back().depth == deep);
  CHECK(text(msg, all.entities.back().body) == "leaf\r\n");
  CHECK(all.findings.size() == ehlo::proto::finding_log::default_capacity);
  // Every level misses its close; and "=_1" begins "=_10": 9,990 boundaries begin with an enclosing one.
  CHECK(all.findings.size() + all.dropped == deep + (deep - 10));
  ehlo::test::chunks pieces;  // as a socket reader would see them
  for (std::size_t i = 0; i < msg.size(); i += 4096) pieces.push_back(std::string_view(msg).substr(i, 4096));
  CHECK(ehlo::test::scan_chunks(pieces, s) == all);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(20));
}

TEST_CASE("mime split: a huge body and hostile lengths stay bounded") {
  const std::string head = "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n--b\r\n\r\n";
  std::string body;
  body.reserve(8 << 20);
  std::mt19937 rng(7);
  while (body.size() < (8u << 20)) {
    body += "--";  // lines that begin like a delimiter but are not one
    for (int i = 0; i < 74; ++i) body += static_cast<char>('c' + rng() % 24);  // never "--b"
    body += "\r\n";
  }
  const std::string msg = head + body + "\r\n--b--\r\n";
  const auto whole = ehlo::test::to_scan(mime::split(msg));
  CHECK_FALSE(whole.error);
  REQUIRE(whole.entities.size() == 2);
  CHECK(whole.entities[1].body == span{head.size(), head.size() + body.size()});
  ehlo::test::chunks pieces;
  for (std::size_t i = 0; i < msg.size(); i += 65536) pieces.push_back(std::string_view(msg).substr(i, 65536));
  CHECK(ehlo::test::scan_chunks(pieces) == whole);

  // A 16 MiB header line, and transport padding as long, end in their errors.
  const std::string line(16 << 20, 'a');
  CHECK(mime::split("X: " + line).error == mime::error::header_too_large);
  CHECK(mime::split(head.substr(0, head.size() - 7) + "--b" + std::string(16 << 20, ' ')).error ==
        mime::error::delimiter_line_too_long);
}

TEST_CASE("mime split: random bytes keep the outline consistent at every split") {
  std::mt19937 rng(2046);
  const std::string alphabet = "--\r\n\r\nb:;= \tx";
  for (int round = 0; round < 60; ++round) {
    std::string msg = "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n\r\n";
    const std::size_t n = rng() % 60;
    for (std::size_t i = 0; i < n; ++i) msg += alphabet[rng() % alphabet.size()];
    if (rng() % 2) msg += "\r\n--b\r\nContent-Type: multipart/digest; boundary=\"b b\"\r\n\r\n--b b\r\n\r\n";
    for (std::size_t i = 0; i < n; ++i) msg += alphabet[rng() % alphabet.size()];
    CAPTURE(msg);
    mime::settings s;
    s.max_parts = 4;
    s.max_header_bytes = 200;
    s.allow_missing_blank_line = round % 3 == 0;
    s.allow_malformed_header_lines = round % 2 == 0;
    const auto r = scan_every_split(msg, s);
    for (std::size_t i = 0; i < r.entities.size(); ++i) {
      const auto& e = r.entities[i];
      CHECK(e.header.begin <= e.header.end);
      CHECK(e.header.end <= e.body.begin);
      CHECK(e.body.begin <= e.body.end);
      CHECK(e.body.end <= msg.size());
      CHECK(e.header.size() <= s.max_header_bytes);
      if (i > 0) {
        const auto& p = r.entities[e.parent];
        CHECK(e.parent < i);
        CHECK(e.depth == p.depth + 1);
        CHECK(p.body.begin <= e.header.begin);
        CHECK(e.body.end <= p.body.end);
        CHECK(p.parts <= s.max_parts);
      }
    }
  }
}

TEST_CASE("mime split: the scanner reports its segments, and reset() starts over") {
  mime::scanner sc;
  std::error_code ec;
  std::string_view in = simple;
  std::vector<mime::segment> kinds;
  std::vector<std::size_t> depths;
  while (!sc.done()) {
    const std::size_t n = sc.finish(in, ec);
    REQUIRE_FALSE(ec);
    kinds.push_back(sc.kind());
    depths.push_back(sc.depth());
    if (sc.kind() == mime::segment::header && sc.depth() == 0) {
      CHECK(sc.multipart());
      CHECK(sc.boundary() == "b");
    }
    in.remove_prefix(n);
  }
  using mime::segment;
  CHECK(kinds == std::vector<segment>{segment::header, segment::preamble, segment::delimiter, segment::header,
                                      segment::body, segment::delimiter, segment::header, segment::body,
                                      segment::close_delimiter, segment::epilogue, segment::end});
  CHECK(depths == std::vector<std::size_t>{0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0});
  CHECK(sc.consumed() == simple.size());
  // put() before a whole header block consumes nothing.
  sc.reset();
  CHECK(sc.put(std::string_view(simple).substr(0, 50), ec) == 0);
  CHECK(ehlo::proto::is_need_more(ec));
  CHECK(sc.put(simple, ec) == at(simple, "preamble"));
  CHECK(sc.kind() == mime::segment::header);
  CHECK(sc.fields() == "Content-Type: multipart/mixed; boundary=b\r\nMIME-Version: 1.0\r\n");
  // A sticky error stays until reset().
  mime::settings tiny;
  tiny.max_header_bytes = 4;
  mime::scanner small(tiny);
  small.put("Subject: x\r\n\r\n", ec);
  CHECK(ec == mime::error::header_too_large);
  CHECK(small.put("\r\n", ec) == 0);
  CHECK(ec == mime::error::header_too_large);
  small.reset();
  CHECK(small.put("\r\nbody", ec) == 2);
  CHECK_FALSE(ec);
}
