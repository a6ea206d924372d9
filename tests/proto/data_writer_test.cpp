// data::writer, and the round trip writer -> reader on tricky content, every
// input cut at every byte on both sides.
#include "proto/data_writer.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "proto/data_support.hpp"

namespace data = ehlo::proto::data;
using namespace ehlo::test;
using namespace std::string_literals;

namespace {

/// The writer's output for content cut at every place; CHECKs they agree.
std::string stuff_every_split(std::string_view content, const data::writer::settings& s = {}) {
  const std::string whole = stuff(chunks{content}, s);
  for_each_split(content, [&](const chunks& c) { CHECK(stuff(c, s) == whole); });
  return whole;
}

// What the reader gives back for content the writer sent: the content, with
// a CRLF added when it did not end with one (and was not empty).
std::string as_received(std::string content) {
  if (!content.empty() && (content.size() < 2 || content.substr(content.size() - 2) != "\r\n")) content += "\r\n";
  return content;
}

}  // namespace

TEST_CASE("data writer: a '.' that begins a line is doubled") {
  CHECK(stuff_every_split("") == ".\r\n");
  CHECK(stuff_every_split("Hello\r\n") == "Hello\r\n.\r\n");
  CHECK(stuff_every_split(".") == "..\r\n.\r\n");
  CHECK(stuff_every_split(".\r\n") == "..\r\n.\r\n");
  CHECK(stuff_every_split("..\r\n") == "...\r\n.\r\n");
  CHECK(stuff_every_split("a\r\n.\r\nb\r\n") == "a\r\n..\r\nb\r\n.\r\n");
  CHECK(stuff_every_split("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n.\r\n");
  CHECK(stuff_every_split("a.b\r\n x.\r\n") == "a.b\r\n x.\r\n.\r\n");
}

TEST_CASE("data writer: finish() adds the CRLF the content lacks, then the end line") {
  CHECK(stuff_every_split("no line break") == "no line break\r\n.\r\n");
  CHECK(stuff_every_split("ends in CR\r") == "ends in CR\r\r\n.\r\n");
  CHECK(stuff_every_split("ends in LF\n") == "ends in LF\n\r\n.\r\n");
  CHECK(stuff_every_split("\r\n") == "\r\n.\r\n");
  // The writer is ready for the next message after finish().
  data::writer w;
  std::string out;
  w.put("a", out);
  w.finish(out);
  w.put(".b\r\n", out);
  w.finish(out);
  CHECK(out == "a\r\n.\r\n..b\r\n.\r\n");
}

TEST_CASE("data writer: bare CR and LF go out as they are, and begin no line") {
  CHECK(stuff_every_split("a\n.\nb\r\n") == "a\n.\nb\r\n.\r\n");
  CHECK(stuff_every_split("a\r.\rb\r\n") == "a\r.\rb\r\n.\r\n");
  CHECK(stuff_every_split("\n.") == "\n.\r\n.\r\n");
  CHECK(stuff_every_split("a\r\r\n.") == "a\r\r\n..\r\n.\r\n");
}

TEST_CASE("data writer: the normalising options") {
  data::writer::settings lf;
  lf.bare_lf_to_crlf = true;
  CHECK(stuff_every_split("a\nb\r\n", lf) == "a\r\nb\r\n.\r\n");
  CHECK(stuff_every_split("a\n.\n", lf) == "a\r\n..\r\n.\r\n");
  CHECK(stuff_every_split("\n", lf) == "\r\n.\r\n");
  CHECK(stuff_every_split("a\rb", lf) == "a\rb\r\n.\r\n");  // CR left alone
  data::writer::settings cr;
  cr.bare_cr_to_crlf = true;
  CHECK(stuff_every_split("a\r.b\r\n", cr) == "a\r\n..b\r\n.\r\n");
  CHECK(stuff_every_split("a\r", cr) == "a\r\n.\r\n");
  CHECK(stuff_every_split("a\r\r\n", cr) == "a\r\n\r\n.\r\n");
  CHECK(stuff_every_split("a\n.", cr) == "a\n.\r\n.\r\n");  // LF left alone
  data::writer::settings both;
  both.bare_lf_to_crlf = both.bare_cr_to_crlf = true;
  CHECK(stuff_every_split("\r\n\n\r.\r\r\n..", both) == "\r\n\r\n\r\n..\r\n\r\n...\r\n.\r\n");
}

TEST_CASE("data round trip: the reader gives back what the writer was given") {
  const std::string tricky[] = {
      "",
      ".",
      "..",
      "...",
      ".\r\n",
      "..\r\n",
      "\r\n.\r\n",
      "\r\n.\r\n.\r\n",
      "a\r\n.\r\nb",
      "a\n.\nb",
      "\n.",
      "\n.\n",
      "\r.\r",
      "\r.\r\n",
      "\r\n.\n",
      "\n.\r\n",
      "\r\n.\r",
      ".\0\r\n"s,
      "\0.\r\n"s,
      "\r\n\0.\r\n"s,
      "\r\n.\0\r\n"s,
      "\r",
      "\n",
      "\r\n",
      "\r\r\n.",
      "line\r\n.\r\n..\r\n...\r\n",
      "x\r\n.y\r\n",
      "ends in CR\r",
      ".\r",
  };
  for (const auto& content : tricky) {
    CAPTURE(content);
    const std::string sent = stuff_every_split(content);
    const auto got = read_every_split(sent);
    CHECK(got.content == as_received(content));
    CHECK(got.done);
    CHECK(got.consumed == sent.size());
    CHECK_FALSE(got.ec);
    // The writer never sends a line that begins with a lone '.'.
    for (const auto& f : got.findings) CHECK(f.rule != "5321-4.5.2");
  }
}

TEST_CASE("data round trip: random content with line breaks, dots and NULs") {
  std::mt19937 rng(5321);
  const char pool[] = {'.', '.', '\r', '\n', '\r', '\n', '\0', 'a', 'b', ' '};
  for (int round = 0; round < 200; ++round) {
    std::string content(rng() % 24, 'a');
    for (auto& c : content) c = pool[rng() % sizeof pool];
    CAPTURE(content);
    const std::string sent = stuff(chunks{content});
    const auto got = read_every_split(sent);
    CHECK(got.content == as_received(content));
    CHECK(got.done);
    CHECK(got.consumed == sent.size());
  }
}
