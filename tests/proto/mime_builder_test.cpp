#include "proto/mime_builder.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "proto/encoded_word.hpp"
#include "proto/mime_error.hpp"
#include "proto/mime_header.hpp"

namespace mime = ehlo::proto::mime;

namespace {

mime::message hello() {
  mime::message m;
  m.from = {"Ehlo Test", "me@mydomain.com"};
  m.to = {{"", "friend@domain.com"}};
  m.subject = "The message";
  m.body = mime::text_part("This is my message.\r\n");
  return m;
}

std::string build(const mime::message& m, const mime::build_options& o = {}) {
  std::error_code ec;
  std::string out = mime::build(m, o, ec);
  REQUIRE_FALSE(ec);
  return out;
}

std::vector<std::string> lines_of(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < s.size();) {
    std::size_t eol = s.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = s.size();
    out.emplace_back(s.substr(pos, eol - pos));
    pos = eol + 2;
  }
  return out;
}

}  // namespace

TEST_CASE("mime build: a plain message, byte for byte") {
  CHECK(build(hello()) ==
        "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
        "From: Ehlo Test <me@mydomain.com>\r\n"
        "To: friend@domain.com\r\n"
        "Subject: The message\r\n"
        "Message-ID: <e220a8397b1dcdaf@ehlo.invalid>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n"
        "\r\n"
        "This is my message.\r\n");
}

TEST_CASE("mime build: deterministic for a seed; Date and Message-ID as the caller gives them") {
  mime::message m = hello();
  m.body = mime::multipart("mixed", {mime::text_part("a"), mime::attachment("b", "b.bin")});
  mime::build_options o;
  o.seed = 42;
  const std::string a = build(m, o);
  CHECK(build(m, o) == a);
  o.seed = 43;
  const std::string b = build(m, o);
  CHECK(b != a);
  CHECK(b.find("boundary=\"=_0.") != std::string::npos);

  m.date = "Sun, 24 Aug 2008 22:43:45 +0200";
  m.message_id = "<1@mydomain.com>";
  const std::string c = build(m, o);
  CHECK(c.substr(0, c.find("\r\n")) == "Date: Sun, 24 Aug 2008 22:43:45 +0200");
  CHECK(c.find("\r\nMessage-ID: <1@mydomain.com>\r\n") != std::string::npos);
  o.time = 1219617825;
  m.date.clear();
  CHECK(build(m, o).substr(0, 37) == "Date: Sun, 24 Aug 2008 22:43:45 +0000");
}

TEST_CASE("mime build: dates") {
  CHECK(mime::format_date(0) == "Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(mime::format_date(1219617825) == "Sun, 24 Aug 2008 22:43:45 +0000");
  CHECK(mime::format_date(1219617825, -360) == "Sun, 24 Aug 2008 16:43:45 -0600");
  CHECK(mime::format_date(1219617825, 330) == "Mon, 25 Aug 2008 04:13:45 +0530");
  CHECK(mime::format_date(-1) == "Wed, 31 Dec 1969 23:59:59 +0000");
  CHECK(mime::format_date(4102444800) == "Fri, 01 Jan 2100 00:00:00 +0000");
}

TEST_CASE("mime build: what each part is sent as") {
  struct row {
    const char* name;
    mime::part p;
    bool allow_8bit;
    const char* encoding;
  };
  mime::part json;
  json.type = "application/json";
  json.body = "{}";
  mime::part rfc822;
  rfc822.type = "message/rfc822";
  rfc822.body = "Subject: inner\r\n\r\nhi\r\n";
  const row rows[] = {
      {"ASCII text", mime::text_part("hello\r\nworld"), false, "7bit"},
      {"8-bit text", mime::text_part("caf\xc3\xa9"), false, "quoted-printable"},
      {"8-bit text, 8BITMIME", mime::text_part("caf\xc3\xa9"), true, "8bit"},
      {"a line of 999", mime::text_part(std::string(999, 'a')), true, "quoted-printable"},
      {"a line of 998", mime::text_part(std::string(998, 'a')), false, "7bit"},
      {"a bare LF", mime::text_part("a\nb"), true, "quoted-printable"},
      {"NUL", mime::text_part(std::string("a\0b", 3)), true, "quoted-printable"},
      {"not text", json, false, "base64"},
      {"an attachment", mime::attachment("text", "a.txt", "text/plain"), false, "base64"},
      {"message/rfc822", rfc822, false, "7bit"},
  };
  for (const auto& r : rows) {
    const std::string name = r.name;
    CAPTURE(name);
    mime::build_options o;
    o.allow_8bit = r.allow_8bit;
    std::error_code ec;
    const std::string out = mime::build_entity(r.p, o, ec);
    REQUIRE_FALSE(ec);
    std::string_view value;
    REQUIRE(mime::find_field(std::string_view(out).substr(0, out.find("\r\n\r\n") + 2), "Content-Transfer-Encoding",
                             value));
    CHECK(value == std::string(" ") + r.encoding);
  }
}

TEST_CASE("mime build: bad input is an error, never escaped into something else") {
  struct row {
    const char* name;
    mime::message m;
    mime::error want;
  };
  const auto with = [](auto&& change) {
    mime::message m = hello();
    change(m);
    return m;
  };
  mime::build_options deep;
  deep.max_depth = 2;
  const row rows[] = {
      {"field name with a colon", with([](auto& m) {
         m.fields = {{"X-A:B", "v"}};
       }),
       mime::error::bad_field_name},
      {"empty field name", with([](auto& m) {
         m.fields = {{"", "v"}};
       }),
       mime::error::bad_field_name},
      {"field name with a space", with([](auto& m) {
         m.fields = {{"X A", "v"}};
       }),
       mime::error::bad_field_name},
      {"field name of 77", with([](auto& m) {
         m.fields = {{std::string(77, 'X'), "v"}};
       }),
       mime::error::bad_field_name},
      {"part field name", with([](auto& m) {
         m.body.fields = {{"X\xc3\xa9", "v"}};
       }),
       mime::error::bad_field_name},
      {"address with a space", with([](auto& m) { m.from.address = "a b@c"; }), mime::error::bad_address},
      {"address with >", with([](auto& m) {
         m.to = {{"x", "a>@c"}};
       }),
       mime::error::bad_address},
      {"empty address in To", with([](auto& m) {
         m.to = {{"x", ""}};
       }),
       mime::error::bad_address},
      {"Date with CRLF", with([](auto& m) { m.date = "Mon\r\nBcc: x"; }), mime::error::bad_field_value},
      {"Message-ID with a tab", with([](auto& m) { m.message_id = "<a\t@b>"; }), mime::error::bad_field_value},
      {"type without subtype", with([](auto& m) { m.body.type = "text"; }), mime::error::bad_content_type},
      {"type with a space", with([](auto& m) { m.body.type = "text/pl ain"; }), mime::error::bad_content_type},
      {"charset not a token", with([](auto& m) { m.body.charset = "utf 8"; }), mime::error::bad_content_type},
      {"empty multipart", with([](auto& m) { m.body = mime::multipart("mixed", {}); }), mime::error::empty_multipart},
      {"parts on a leaf", with([](auto& m) { m.body.parts = {mime::text_part("x")}; }), mime::error::not_multipart},
      {"7bit with 8-bit bytes", with([](auto& m) {
         m.body.body = "caf\xc3\xa9";
         m.body.encoding = mime::transfer_encoding::seven_bit;
       }),
       mime::error::body_needs_encoding},
      {"8bit with NUL", with([](auto& m) {
         m.body.body = std::string("a\0", 2);
         m.body.encoding = mime::transfer_encoding::eight_bit;
       }),
       mime::error::body_needs_encoding},
      {"message/rfc822 as base64", with([](auto& m) {
         m.body.type = "message/rfc822";
         m.body.encoding = mime::transfer_encoding::base64;
       }),
       mime::error::body_needs_encoding},
      {"message/rfc822 that 7bit cannot carry", with([](auto& m) {
         m.body.type = "message/rfc822";
         m.body.body = "caf\xc3\xa9";
       }),
       mime::error::body_needs_encoding},
      {"three levels with max_depth 2", with([](auto& m) {
         m.body =
             mime::multipart("mixed", {mime::multipart("mixed", {mime::multipart("mixed", {mime::text_part("")})})});
       }),
       mime::error::too_deep},
  };
  for (const auto& r : rows) {
    const std::string name = r.name;
    CAPTURE(name);
    std::error_code ec;
    CHECK(mime::build(r.m, deep, ec).empty());
    CHECK(ec == r.want);
  }
}

TEST_CASE("mime build: header text is folded, encoded, and cannot inject a field") {
  mime::message m = hello();
  m.subject = "hi\r\nBcc: victim@example.com";
  m.from = {"Jos\xc3\xa9 \"Pepe\" M\xc3\xbcller", "jose@example.com"};
  m.to = {{"A, B", "a@b.c"}, {"Plain Name", "p@b.c"}, {std::string(80, 'n'), "long@b.c"}};
  m.fields = {{"X-Note", std::string(50, 'w') + " " + std::string(50, 'v')}};
  const std::string out = build(m);
  const auto lines = lines_of(out.substr(0, out.find("\r\n\r\n")));
  for (const auto& l : lines) {
    CAPTURE(l);
    CHECK(l.size() <= 78);
    CHECK(l.rfind("Bcc", 0) != 0);
  }
  std::string_view subject;
  REQUIRE(mime::find_field(out, "Subject", subject));
  CHECK(mime::decode_text(subject) == m.subject);
  std::string_view note;
  REQUIRE(mime::find_field(out, "X-Note", note));
  CHECK(note == " " + std::string(50, 'w') + "\r\n " + std::string(50, 'v'));
  std::string_view from;
  REQUIRE(mime::find_field(out, "From", from));
  CHECK(from.substr(from.size() - 19) == " <jose@example.com>");
  CHECK(mime::decode_text(from.substr(0, from.size() - 19)) == m.from.name);
  std::string_view to;
  REQUIRE(mime::find_field(out, "To", to));
  CHECK(to.substr(0, 35) == " \"A, B\" <a@b.c>, Plain Name <p@b.c>");
  CHECK(mime::decode_text(to.substr(to.find("=?"), to.find("<long") - to.find("=?"))) == std::string(80, 'n'));
}

TEST_CASE("mime build: attachment names, ASCII and not") {
  std::error_code ec;
  CHECK(mime::build_entity(mime::attachment("x", "say \"hi\".txt", "text/plain"), {}, ec) ==
        "Content-Type: text/plain; charset=UTF-8; name=\"say \\\"hi\\\".txt\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=\"say \\\"hi\\\".txt\"\r\n"
        "\r\n"
        "eA==\r\n");
  CHECK(mime::build_entity(mime::attachment("", "\xe2\x82\xac.pdf", "application/pdf"), {}, ec) ==
        "Content-Type: application/pdf; name*=UTF-8''%E2%82%AC.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC.pdf\r\n"
        "\r\n");
  const std::string long_name = std::string(30, 'x') + "\xc3\xa9" + std::string(60, 'y') + ".txt";
  const std::string out = mime::build_entity(mime::attachment("", long_name), {}, ec);
  CHECK(out.find("\r\n filename*0*=UTF-8''" + std::string(30, 'x') + "%C3%A9" + std::string(12, 'y') + ";\r\n") !=
        std::string::npos);
  CHECK(out.find("\r\n filename*1*=" + std::string(48, 'y') + ";\r\n filename*2*=.txt\r\n") != std::string::npos);
}
