#include "proto/mime_header.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace mime = ehlo::proto::mime;

TEST_CASE("mime header: what starts a header field") {
  using mime::line_kind;
  const std::pair<const char*, line_kind> rows[] = {
      {"Subject: hi", line_kind::field},   {"Subject:", line_kind::field},
      {"Subject :x", line_kind::field},  // RFC 5322 §4.5 obsolete syntax: readers accept it
      {"--b: x", line_kind::field},        {"MIME Version 1.0", line_kind::not_field},
      {": x", line_kind::not_field},       {" folded", line_kind::not_field},
      {"", line_kind::undecided},          {"Subject", line_kind::undecided},
      {"Subject  ", line_kind::undecided}, {"Sub\xc3\xa9:", line_kind::not_field},
  };
  for (const auto& [line, want] : rows) {
    CAPTURE(line);
    CHECK(mime::classify_line(line) == want);
  }
}

TEST_CASE("mime header: fields of a block, folded and broken") {
  const std::string block =
      "Subject: one\r\n two\r\n"
      "no colon\r\n  its continuation\r\n"
      "x-empty:\r\n"
      "Content-TYPE :text/plain\r\n";
  mime::field_reader r(block);
  mime::header_field f;
  std::vector<std::string> seen;
  while (r.next(f)) seen.push_back(std::string(f.name) + "|" + std::string(f.value) + "|" + std::to_string(f.offset));
  CHECK(seen == std::vector<std::string>{"Subject| one\r\n two|0", "x-empty||50", "Content-TYPE|text/plain|60"});
  std::string_view v;
  CHECK(mime::find_field(block, "content-type", v));
  CHECK(v == "text/plain");
  CHECK_FALSE(mime::find_field(block, "no colon", v));
  CHECK(mime::unfold(" one\r\n two\r\n\tthree\r\nx") == " one two\tthree\r\nx");
  CHECK(mime::iequals("Content-Type", "cONTENT-tYPE"));
  CHECK_FALSE(mime::iequals("Content-Type", "Content-Typ"));
}

TEST_CASE("mime header: Content-Type and its parameters") {
  struct row {
    const char* value;
    mime::content_type_status status;
    const char* type;
    const char* subtype;
    const char* boundary;  // unquoted; nullptr: none found
  };
  using s = mime::content_type_status;
  const row rows[] = {
      {"multipart/mixed; boundary=abc", s::ok, "multipart", "mixed", "abc"},
      {" Multipart/Mixed ;\r\n\tBoundary=\"a b\\\"c\"", s::ok, "Multipart", "Mixed", "a b\"c"},
      {"multipart/mixed; charset=x; BOUNDARY=\"=_0.1\" (a comment (nested\\)))", s::ok, "multipart", "mixed", "=_0.1"},
      {"multipart/mixed; boundary=\"fold\r\n ed\"", s::ok, "multipart", "mixed", "fold ed"},
      {"(c) text / plain (c)", s::ok, "text", "plain", nullptr},
      {"text/plain;", s::bad_parameter, "text", "plain", nullptr},
      {"multipart/mixed; boundary=a;", s::bad_parameter, "multipart", "mixed", "a"},
      {"multipart/mixed; boundary=\"unterminated", s::bad_parameter, "multipart", "mixed", nullptr},
      {"multipart/mixed; boundary=a b", s::bad_parameter, "multipart", "mixed", "a"},
      {"multipart/mixed; boundary=", s::bad_parameter, "multipart", "mixed", nullptr},
      {"multipart/mixed; =x", s::bad_parameter, "multipart", "mixed", nullptr},
      {"multipart/mixed (unterminated", s::bad_parameter, "multipart", "mixed", nullptr},
      {"multipart/mixed; boundary=\"a\nb\"", s::bad_parameter, "multipart", "mixed", nullptr},
      {"multipart", s::bad_type, "", "", nullptr},
      {"multipart/", s::bad_type, "", "", nullptr},
      {"/mixed", s::bad_type, "", "", nullptr},
      {"", s::bad_type, "", "", nullptr},
      {"(unterminated multipart/mixed", s::bad_type, "", "", nullptr},
  };
  for (const auto& r : rows) {
    CAPTURE(r.value);
    mime::content_type ct;
    CHECK(mime::parse_content_type(r.value, ct) == r.status);
    CHECK(ct.type == r.type);
    CHECK(ct.subtype == r.subtype);
    mime::parameter p;
    const bool found = mime::find_parameter(ct.parameters, "boundary", p);
    CHECK(found == (r.boundary != nullptr));
    if (found) {
      std::string b;
      mime::unquote(p, b);
      CHECK(b == r.boundary);
    }
  }
  mime::content_type ct;
  REQUIRE(mime::parse_content_type("MULTIPART/x; a=1; b=\"2\"", ct) == s::ok);
  CHECK(ct.is_multipart());
  mime::parameter_reader reader(ct.parameters);
  mime::parameter p;
  REQUIRE(reader.next(p));
  CHECK((p.name == "a" && p.value == "1" && !p.quoted));
  REQUIRE(reader.next(p));
  CHECK((p.name == "b" && p.value == "2" && p.quoted));
  CHECK_FALSE(reader.next(p));
  CHECK_FALSE(reader.bad());
}

TEST_CASE("mime header: character classes") {
  CHECK(mime::is_token_char('a'));
  CHECK(mime::is_token_char('*'));
  for (const char c : std::string("()<>@,;:\\\"/[]?= \t\x7f")) CHECK_FALSE(mime::is_token_char(c));
  for (const char c : std::string("'()+_,-./:=?09azAZ")) CHECK(mime::is_bchar_nospace(c));
  for (const char c : std::string(" #\"*<\x80")) CHECK_FALSE(mime::is_bchar_nospace(c));
}
