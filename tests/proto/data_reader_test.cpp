// data::reader: the end of data, unstuffing, and every finding, with every
// input read whole and split at every byte.
#include "proto/data_reader.hpp"

#include <doctest/doctest.h>

#include <string>

#include "proto/data_support.hpp"

namespace proto = ehlo::proto;
namespace data = ehlo::proto::data;
namespace rules = ehlo::proto::rules;
using namespace ehlo::test;
using namespace std::string_literals;

namespace {

constexpr std::string_view eod = "5321-4.1.1.4";
constexpr std::string_view eol = "5321-2.3.8";
constexpr std::string_view stuffing = "5321-4.5.2";
constexpr std::string_view length = "5321-4.5.3.1.6";

seen bare_cr(std::uint64_t at) { return {eol, "bare CR in message data", at}; }
seen bare_lf(std::uint64_t at) { return {eol, "bare LF in message data", at}; }
seen look(std::string what, std::uint64_t at) { return {eod, std::move(what), at}; }
seen lone_dot(std::uint64_t at) { return {stuffing, "line begins with a '.' that is not doubled", at}; }
seen too_long(std::uint64_t at) { return {length, "message text line too long", at}; }

data_read ended(std::string content, std::uint64_t consumed, std::vector<seen> findings = {}) {
  return {std::move(content), std::move(findings), true, consumed, {}};
}

}  // namespace

TEST_CASE("data reader: the end of data is CRLF \".\" CRLF, the DATA command's CRLF counting as the first") {
  CHECK(read_every_split(".\r\n") == ended("", 3));
  CHECK(read_every_split("Hello\r\n.\r\n") == ended("Hello\r\n", 10));
  CHECK(read_every_split("a\r\nb\r\n\r\n.\r\n") == ended("a\r\nb\r\n\r\n", 11));
  // What follows the end of data is the next command's: not consumed.
  CHECK(read_every_split("Hi\r\n.\r\nQUIT\r\n") == ended("Hi\r\n", 7));
  CHECK(read_every_split(".\r\n.\r\n") == ended("", 3));
  // No end yet.
  CHECK(read_every_split("Hello\r\n") == data_read{"Hello\r\n", {}, false, 7, {}});
  CHECK(read_every_split("Hello\r\n.") == data_read{"Hello\r\n", {}, false, 8, {}});
  CHECK(read_every_split("Hello\r\n.\r") == data_read{"Hello\r\n", {}, false, 8, {}});  // ".\r" waits for its LF
}

TEST_CASE("data reader: a '.' that begins a line is removed") {
  CHECK(read_every_split("..\r\n.\r\n") == ended(".\r\n", 7));
  CHECK(read_every_split("...\r\n.\r\n") == ended("..\r\n", 8));
  CHECK(read_every_split("a\r\n..b\r\n..\r\n.\r\n") == ended("a\r\n.b\r\n.\r\n", 15));
  // One not doubled is removed too (RFC 5321 §4.5.2), and the client is at fault.
  CHECK(read_every_split("a\r\n.b\r\n.\r\n") == ended("a\r\nb\r\n", 10, {lone_dot(3)}));
  CHECK(read_every_split(".b\r\n.\r\n") == ended("b\r\n", 7, {lone_dot(0)}));
  CHECK(read_every_split(".\0b\r\n.\r\n"s) == ended("\0b\r\n"s, 8, {lone_dot(0)}));
  CHECK(read_every_split(".\0.\r\n.\r\n"s) == ended("\0.\r\n"s, 8, {lone_dot(0)}));
  // A dot that does not begin a line stays.
  CHECK(read_every_split("a.\r\nb..\r\n.\r\n") == ended("a.\r\nb..\r\n", 12));
}

TEST_CASE("data reader: every look-alike of the end of data, at the start, middle and end, split at every byte") {
  struct variant {
    std::string bytes;           // from the first line break to the last
    int removed;                 // index of a dot that begins a line (removed), or -1
    std::vector<seen> relative;  // findings, offsets relative to the variant
  };
  const variant variants[] = {
      {"\n.\n", -1, {bare_lf(0), look("LF \".\" LF", 1), bare_lf(2)}},
      {"\r.\r", -1, {bare_cr(0), look("CR \".\" CR", 1), bare_cr(2)}},
      {"\n.\r\n", -1, {bare_lf(0), look("LF \".\" CRLF", 1)}},
      {"\r\n.\n", 2, {look("CRLF \".\" LF", 2), bare_lf(3)}},
      {"\r.\r\n", -1, {bare_cr(0), look("CR \".\" CRLF", 1)}},
      {"\r\n.\r", 2, {look("CRLF \".\" CR", 2), bare_cr(3)}},
      {"\n.\r", -1, {bare_lf(0), look("LF \".\" CR", 1), bare_cr(2)}},
      {"\r.\n", -1, {bare_cr(0), look("CR \".\" LF", 1), bare_lf(2)}},
      {"\r\n\0.\r\n"s, -1, {look("CRLF \".\" CRLF with NUL", 3)}},
      {"\r\n.\0\r\n"s, 2, {look("CRLF \".\" CRLF with NUL", 2)}},
      {"\n\0.\n"s, -1, {bare_lf(0), look("LF \".\" LF with NUL", 2), bare_lf(3)}},
      {"\n.\0\n"s, -1, {bare_lf(0), look("LF \".\" LF with NUL", 1), bare_lf(3)}},
      {"\r.\0\r"s, -1, {bare_cr(0), look("CR \".\" CR with NUL", 1), bare_cr(3)}},
      {"\r\n.\0\n"s, 2, {look("CRLF \".\" LF with NUL", 2), bare_lf(4)}},
      {"\n\0.\0\r\n"s, -1, {bare_lf(0), look("LF \".\" CRLF with NUL", 2)}},
      {"\r\0.\r\n"s, -1, {bare_cr(0), look("CR \".\" CRLF with NUL", 2)}},
      {"\r\n\0\0.\0\0\r"s, -1, {look("CRLF \".\" CR with NUL", 4), bare_cr(7)}},
      {"\r\n.\0\0\r"s, 2, {look("CRLF \".\" CR with NUL", 2), bare_cr(5)}},
      {"\n\0\0.\0\r"s, -1, {bare_lf(0), look("LF \".\" CR with NUL", 3), bare_cr(5)}},
  };
  for (const auto& v : variants) {
    const bool ends_in_crlf = v.bytes.size() >= 2 && v.bytes.substr(v.bytes.size() - 2) == "\r\n";
    struct placement {
      const char* name;
      std::string prefix, suffix;
    };
    const placement placements[] = {
        {"start", "", "cd\r\n.\r\n"},
        {"middle", "Subject: x\r\n\r\nab", "cd\r\n.\r\n"},
        // Right before the real end; a look-alike ending in CRLF lends it its first CRLF.
        {"end", "ab", ends_in_crlf ? ".\r\n" : "\r\n.\r\n"},
    };
    for (const auto& [name, prefix, suffix] : placements) {
      const std::string message = prefix + v.bytes + suffix;
      CAPTURE(name);
      CAPTURE(message);
      std::string content = message.substr(0, message.size() - 3);
      if (v.removed >= 0) content.erase(prefix.size() + static_cast<std::size_t>(v.removed), 1);
      std::vector<seen> findings;
      for (auto f : v.relative) {
        f.offset += prefix.size();
        findings.push_back(f);
      }
      CHECK(read_every_split(message) == ended(content, message.size(), findings));
    }
  }
}

TEST_CASE("data reader: look-alikes right at the start of the data, after the DATA command's CRLF") {
  CHECK(read_every_split(".\nx\r\n.\r\n") == ended("\nx\r\n", 8, {look("CRLF \".\" LF", 0), bare_lf(1)}));
  CHECK(read_every_split(".\rx\r\n.\r\n") == ended("\rx\r\n", 8, {look("CRLF \".\" CR", 0), bare_cr(1)}));
  CHECK(read_every_split("\0.\r\n.\r\n"s) == ended("\0.\r\n"s, 7, {look("CRLF \".\" CRLF with NUL", 1)}));
  CHECK(read_every_split(".\0\r\n.\r\n"s) == ended("\0\r\n"s, 7, {look("CRLF \".\" CRLF with NUL", 0)}));
  CHECK(read_every_split(".\n.\r\n") ==
        data_read{"\n.\r\n", {look("CRLF \".\" LF", 0), bare_lf(1), look("LF \".\" CRLF", 2)}, false, 5, {}});
}

TEST_CASE("data reader: what is not a look-alike") {
  CHECK(read_every_split("a\r\n..\r\n.\r\n") == ended("a\r\n.\r\n", 10));            // stuffed
  CHECK(read_every_split("a\n.x\r\n.\r\n") == ended("a\n.x\r\n", 9, {bare_lf(1)}));  // no break after the dot
  CHECK(read_every_split("a\r\n\0x\r\n.\r\n"s) == ended("a\r\n\0x\r\n"s, 10));
  CHECK(read_every_split("a\r\nx.\r\n.\r\n") == ended("a\r\nx.\r\n", 10));
  CHECK(read_every_split("a\n\n\r\n.\r\n") == ended("a\n\n\r\n", 8, {bare_lf(1), bare_lf(2)}));
}

TEST_CASE("data reader: a look-alike never ends the data, however many there are") {
  std::string message;
  for (int i = 0; i < 12; ++i) message += "x\n.\nx\r.\rx\r\n.\nx\n.\r\n";  // 120 findings
  const auto r = read_every_split(message);
  CHECK_FALSE(r.done);
  CHECK(r.consumed == message.size());
  proto::data::reader rd;
  std::error_code ec;
  std::string out;
  CHECK(rd.put(message + "\r\n.\r\n", out, ec) == message.size() + 5);
  CHECK_FALSE(ec);
  CHECK(rd.done());
  CHECK(rd.findings().items().size() == proto::finding_log::default_capacity);
  CHECK(rd.findings().dropped() > 0);
}

TEST_CASE("data reader: the lenient LF.LF end, and only that one") {
  data::reader::settings lenient;
  lenient.end_on_lf_dot_lf = true;
  // The finding is still recorded, and the bare LFs.
  CHECK(read_every_split("a\n.\nMAIL FROM:<x@y>\r\n", lenient) ==
        ended("a\n", 4, {bare_lf(1), look("LF \".\" LF", 2), bare_lf(3)}));
  CHECK(read_every_split("a\r\n.\r\n", lenient) == ended("a\r\n", 6));
  // The other look-alikes still do not end the data.
  for (const std::string s : {"a\r\n.\nb", "a\n.\r\nb", "a\r.\rb", "a\n\0.\nb"}) {
    CAPTURE(s);
    const auto r = read_every_split(s, lenient);
    CHECK_FALSE(r.done);
    CHECK(r.consumed == s.size());
  }
  // Strict: LF.LF is content.
  CHECK(read_every_split("a\n.\nb\r\n.\r\n") ==
        ended("a\n.\nb\r\n", 10, {bare_lf(1), look("LF \".\" LF", 2), bare_lf(3)}));
  // The '.' after a bare LF waits for its next byte only in lenient mode.
  CHECK(read_every_split("a\n.", lenient) == data_read{"a\n", {bare_lf(1)}, false, 2, {}});
  CHECK(read_every_split("a\n.") == data_read{"a\n.", {bare_lf(1)}, false, 3, {}});
}

TEST_CASE("data reader: bare CR and bare LF inside data") {
  CHECK(read_every_split("a\rb\nc\r\n.\r\n") == ended("a\rb\nc\r\n", 10, {bare_cr(1), bare_lf(3)}));
  CHECK(read_every_split("\r\r\n.\r\n") == ended("\r\r\n", 6, {bare_cr(0)}));
  CHECK(read_every_split("\n\r\n.\r\n") == ended("\n\r\n", 6, {bare_lf(0)}));
  CHECK(read_every_split("a\n\r.\r\n") ==
        data_read{"a\n\r.\r\n", {bare_lf(1), bare_cr(2), look("CR \".\" CRLF", 3)}, false, 6, {}});
  // A CR at the end of the input may still be the start of a CRLF: no finding yet.
  CHECK(read_every_split("a\r") == data_read{"a\r", {}, false, 2, {}});
}

TEST_CASE("data reader: lines longer than the limit") {
  CHECK(read_every_split(std::string(998, 'x') + "\r\n.\r\n") == ended(std::string(998, 'x') + "\r\n", 1003));
  CHECK(read_every_split(std::string(999, 'x') + "\r\n.\r\n") ==
        ended(std::string(999, 'x') + "\r\n", 1004, {too_long(998)}));
  data::reader::settings s;
  s.max_line = 10;  // 8 octets and CRLF
  CHECK(read_every_split("12345678\r\n123456789\r\n.\r\n", s) ==
        ended("12345678\r\n123456789\r\n", 24, {too_long(18)}));
  // Once per line, at the first octet too many, whatever that octet is.
  CHECK(read_every_split("123456789012345\r\nab\r\n.\r\n", s) == ended("123456789012345\r\nab\r\n", 24, {too_long(8)}));
  CHECK(read_every_split("12345678\n\r\n.\r\n", s) == ended("12345678\n\r\n", 14, {bare_lf(8), too_long(8)}));
  CHECK(read_every_split("12345678\rx\r\n.\r\n", s) == ended("12345678\rx\r\n", 15, {bare_cr(8), too_long(8)}));
  CHECK(read_every_split("12345678\r\n.\r\n", s) == ended("12345678\r\n", 13));
  // A stuffed dot counts: it is sent.
  CHECK(read_every_split("..2345678\r\n.\r\n", s) == ended(".2345678\r\n", 14, {too_long(8)}));
  // Bare LFs do not end a line.
  CHECK(read_every_split("1234\n5678\r\n.\r\n", s) == ended("1234\n5678\r\n", 14, {bare_lf(4), too_long(8)}));
}

TEST_CASE("data reader: the size limit, with the end of data still found") {
  data::reader::settings s;
  s.max_size = 5;
  const std::string message = "Hello, world\r\n..x\r\n.\r\nQUIT\r\n";
  const auto r = read_every_split(message, s);
  CHECK(r.content == "Hello");
  CHECK(r.done);
  CHECK(r.consumed == message.size() - 6);
  CHECK(r.ec == data::error::message_too_large);
  // Exactly at the limit is fine.
  s.max_size = 7;
  CHECK(read_every_split("Hello\r\n.\r\n", s) == ended("Hello\r\n", 10));
  // The limit is known before the end; the error only comes there, and sticks.
  s.max_size = 3;
  data::reader rd(s);
  std::error_code ec;
  std::string out;
  CHECK(rd.put("Hello\r\n", out, ec) == 7);
  CHECK(ehlo::proto::is_need_more(ec));
  CHECK(rd.over_limit());
  CHECK(rd.size() == 7);
  CHECK(out == "Hel");
  CHECK(rd.put(".\r\n", out, ec) == 3);
  CHECK(ec == data::error::message_too_large);
  CHECK(rd.put("QUIT\r\n", out, ec) == 0);
  CHECK(ec == data::error::message_too_large);
  rd.reset();
  out.clear();
  CHECK(rd.put("H\r\n.\r\n", out, ec) == 6);
  CHECK_FALSE(ec);
  CHECK(out == "H\r\n");
}

TEST_CASE("data reader: put() delivers views of runs, cut only by removed dots") {
  data::reader rd;
  std::error_code ec;
  const std::string in = "line one\r\n..two\r\nthree\r\n.\r\n";
  CHECK(rd.put(in, ec) == 11);  // up to and with the removed dot
  CHECK_FALSE(ec);
  CHECK(rd.content() == "line one\r\n");
  CHECK(rd.content().data() == in.data());  // a view, not a copy
  const std::string_view rest = std::string_view(in).substr(11);
  CHECK(rd.put(rest, ec) == rest.size() - 2);  // up to the end line's '.'
  CHECK_FALSE(ec);
  CHECK(rd.content() == ".two\r\nthree\r\n");
  CHECK(rd.content().data() == rest.data());
  CHECK_FALSE(rd.done());
  CHECK(rd.put(rest.substr(rest.size() - 2), ec) == 2);
  CHECK(rd.content().empty());
  CHECK(rd.done());
  CHECK(rd.consumed() == in.size());
  CHECK(rd.put("more", ec) == 0);
  CHECK_FALSE(ec);
  // need_more only when nothing can be consumed.
  data::reader r2;
  CHECK(r2.put("", ec) == 0);
  CHECK(ehlo::proto::is_need_more(ec));
  CHECK(r2.put(".", ec) == 1);  // the line's first '.' is removed whatever follows
  CHECK_FALSE(ec);
  CHECK(r2.put("\r", ec) == 0);
  CHECK(ehlo::proto::is_need_more(ec));
  CHECK(r2.put("\r\n", ec) == 2);
  CHECK(r2.done());
}

TEST_CASE("data reader: hostile input stays bounded") {
  data::reader::settings s;
  s.max_size = 1000;
  data::reader rd(s);
  std::error_code ec;
  std::string out;
  // A 10 MB line and a million bare LFs: no growth, findings capped, the end still found.
  const std::string line(1 << 20, 'x');
  for (int i = 0; i < 10; ++i) CHECK(rd.put(line, out, ec) == line.size());
  const std::string lfs(1 << 20, '\n');
  CHECK(rd.put(lfs, out, ec) == lfs.size());
  CHECK(out.size() == 1000);
  CHECK(rd.findings().items().size() == proto::finding_log::default_capacity);
  CHECK(rd.findings().items()[0] == proto::finding{&rules::text_line_len, "message text line too long", 998});
  CHECK(rd.put("\r\n.\r\n", out, ec) == 5);
  CHECK(ec == data::error::message_too_large);
  CHECK(rd.consumed() == 11 * (1u << 20) + 5);
}
