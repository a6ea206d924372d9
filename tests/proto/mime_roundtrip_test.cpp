// Builder -> splitter: every part comes back byte for byte after its transfer
// encoding is undone, whatever the content does to look like a boundary.
#include <doctest/doctest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "proto/encoded_word.hpp"
#include "proto/mime_body.hpp"
#include "proto/mime_builder.hpp"
#include "proto/mime_header.hpp"
#include "proto/mime_scan.hpp"
#include "proto/mime_splitter.hpp"

namespace mime = ehlo::proto::mime;

namespace {

struct node {
  const mime::part* part;
  std::size_t depth;
  std::size_t parent;
};

void flatten(const mime::part& p, std::size_t depth, std::size_t parent, std::vector<node>& out) {
  const std::size_t self = out.size();
  out.push_back({&p, depth, parent});
  for (const auto& c : p.parts) flatten(c, depth + 1, self, out);
}

std::size_t lines_starting_with(std::string_view text, std::string_view prefix) {
  std::size_t n = text.substr(0, prefix.size()) == prefix;
  for (std::size_t at = text.find("\r\n"); at != std::string_view::npos; at = text.find("\r\n", at + 2))
    n += text.substr(at + 2, prefix.size()) == prefix;
  return n;
}

/// The boundaries of a built message, in the order their multiparts start.
std::vector<std::string> boundaries(std::string_view msg) {
  std::vector<std::string> out;
  mime::scanner sc;
  std::error_code ec;
  while (!sc.done()) {
    const std::size_t n = sc.finish(msg, ec);
    REQUIRE_FALSE(ec);
    if (sc.kind() == mime::segment::header && sc.multipart()) out.emplace_back(sc.boundary());
    msg.remove_prefix(n);
  }
  return out;
}

/// Builds m, splits it strictly, and checks the tree, every body, the Subject,
/// and that each boundary begins exactly its own delimiter lines.
std::string round_trip(const mime::message& m, const mime::build_options& o = {}) {
  std::error_code ec;
  const std::string out = mime::build(m, o, ec);
  REQUIRE_FALSE(ec);
  const auto r = mime::split(out);
  REQUIRE_FALSE(r.error);
  CHECK(r.findings.empty());
  std::vector<node> want;
  flatten(m.body, 0, mime::entity::none, want);
  REQUIRE(r.entities.size() == want.size());
  std::size_t multiparts = 0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    const auto& e = r.entities[i];
    const auto& p = *want[i].part;
    CHECK(e.depth == want[i].depth);
    CHECK(e.parent == want[i].parent);
    const std::string_view fields = mime::view(out, e.header);
    std::string_view value;
    REQUIRE(mime::find_field(fields, "Content-Type", value));
    mime::content_type ct;
    REQUIRE(mime::parse_content_type(value, ct) == mime::content_type_status::ok);
    CHECK(std::string(ct.type) + "/" + std::string(ct.subtype) == p.type);
    if (!p.parts.empty()) {
      CHECK(e.multipart);
      CHECK(e.closed);
      CHECK(e.parts == p.parts.size());
      CHECK(e.preamble.size() == 0);
      CHECK(e.epilogue.size() == 0);
      ++multiparts;
      continue;
    }
    CHECK_FALSE(e.multipart);
    CHECK(mime::decode_body(fields, mime::view(out, e.body), ec) == p.body);
    CHECK_FALSE(ec);
  }
  if (!m.subject.empty()) {
    std::string_view subject;
    REQUIRE(mime::find_field(mime::view(out, r.entities[0].header), "Subject", subject));
    CHECK(mime::decode_text(subject) == m.subject);
  }
  // Each boundary begins its delimiter lines and its close line, and no other line.
  const auto bs = boundaries(out);
  REQUIRE(bs.size() == multiparts);
  std::size_t k = 0;
  for (const auto& n : want) {
    if (n.part->parts.empty()) continue;
    CHECK(lines_starting_with(out, "--" + bs[k++]) == n.part->parts.size() + 1);
  }
  return out;
}

mime::message with_body(mime::part body) {
  mime::message m;
  m.from = {"Sender", "s@example.com"};
  m.to = {{"", "r@example.com"}};
  m.subject = "round trip";
  m.body = std::move(body);
  return m;
}

std::string all_bytes() {
  std::string s;
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s;
}

}  // namespace

TEST_CASE("mime round trip: the shapes a client sends") {
  const std::vector<mime::part> bodies = {
      mime::text_part("Hello\r\n"),
      mime::text_part(""),
      mime::text_part("caf\xc3\xa9\r\nlone\nLF\rCR\r\n" + std::string(1200, 'l')),
      mime::html_part("<html>Let's get together on the <b>weekend</b>!</html>"),
      mime::multipart("mixed", {mime::text_part("This is my message."), mime::attachment(all_bytes(), "test.exe"),
                                mime::attachment(std::string(100000, '\xff'), "test2.jpg", "image/jpeg")}),
      mime::multipart("mixed", {mime::multipart("alternative", {mime::text_part("plain"), mime::html_part("<p>")}),
                                mime::attachment("", "empty.bin"),
                                mime::multipart("related", {mime::html_part("<img src=cid:x>"),
                                                            mime::attachment("GIF89a", "x.gif", "image/gif")})}),
  };
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    CAPTURE(i);
    round_trip(with_body(bodies[i]));
  }
  mime::message m = with_body(mime::text_part("x"));
  m.subject =
      "Gr\xc3\xbc\xc3\x9f"
      "e \r\n=?not a word?= " +
      std::string(200, 'z');
  round_trip(m);
}

TEST_CASE("mime round trip: content that holds the very boundaries the builder would choose") {
  // The builder is deterministic, so an adversary can learn the boundaries of
  // a structure for a seed and put them in the next message's text: they must
  // be extended, each round, and the parts must still come back.
  mime::build_options o;
  o.seed = 2046;
  std::vector<std::string> known;
  for (int round = 0; round < 5; ++round) {
    CAPTURE(round);
    std::string text = "--=_\r\n--=_0.\r\n";
    std::string attached;
    for (const auto& b : known) {
      text += "--" + b + "\r\n--" + b + "--\r\n--" + b + " \t\r\n" + "--" + b + "x tail\r\n";
      attached += "\r\n--" + b + "\r\n";
    }
    const mime::message m = with_body(mime::multipart(
        "mixed",
        {mime::text_part(text), mime::multipart("alternative", {mime::text_part("--" + text), mime::html_part(text)}),
         mime::attachment(attached, "a.bin")}));
    const std::string out = round_trip(m, o);
    const auto now = boundaries(out);
    REQUIRE(now.size() == 2);
    for (const auto& b : now) {
      CAPTURE(b);
      CHECK(b.size() <= 70);
      for (const auto& old : known) CHECK(old.rfind(b, 0) != 0);  // no line "--" old begins with "--" b
      known.push_back(b);
    }
  }
}

TEST_CASE("mime round trip: the extension picks a character no colliding line continues with") {
  mime::build_options o;
  o.seed = 7;
  const mime::message probe = with_body(mime::multipart("mixed", {mime::text_part("x")}));
  std::error_code ec;
  const std::string b = boundaries(mime::build(probe, o, ec)).at(0);
  // Every one-character extension of b begins a line, and so does b with "--".
  std::string text = "--" + b + "--\r\n";
  for (const char c : std::string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    text += "--" + b + c + "\r\n--" + b + "0" + c + "\r\n";
  const std::string out = round_trip(with_body(mime::multipart("mixed", {mime::text_part(text)})), o);
  // "0" is followed by 63 lines, every other character by one: "1" is taken,
  // then "--" b "1" still begins one line (it ends there), so one more.
  CHECK(boundaries(out).at(0) == b + "10");
}

TEST_CASE("mime round trip: random trees with hostile text, at every split for the small ones") {
  std::mt19937 rng(2049);
  const std::vector<std::string> pieces = {
      "a", "\r\n", "--", "=_", "0.", "-", " ", "\n", "\r", "\xc3\xa9", std::string(1, '\0'), "=", "=?", "?=", "."};
  const auto random_text = [&](std::size_t max) {
    std::string s;
    const std::size_t n = rng() % max;
    for (std::size_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    return s;
  };
  std::function<mime::part(int)> random_part = [&](int depth) {
    const unsigned kind = rng() % (depth < 3 ? 5 : 3);
    if (kind == 0) return mime::text_part(random_text(40));
    if (kind == 1) return mime::html_part(random_text(40));
    if (kind == 2) return mime::attachment(random_text(60), random_text(10) + ".bin");
    std::vector<mime::part> parts;
    const std::size_t n = 1 + rng() % 3;
    for (std::size_t i = 0; i < n; ++i) parts.push_back(random_part(depth + 1));
    return mime::multipart(kind == 3 ? "mixed" : "alternative", std::move(parts));
  };
  for (int round = 0; round < 150; ++round) {
    CAPTURE(round);
    mime::message m = with_body(random_part(0));
    m.subject = random_text(30);
    mime::build_options o;
    o.seed = rng();
    const std::string out = round_trip(m, o);
    if (out.size() < 1200 && round % 10 == 0) ehlo::test::scan_every_split(out);
  }
}

TEST_CASE("mime round trip: 32 levels deep, and a 4 MiB attachment in pieces") {
  mime::part p = mime::text_part("bottom");
  for (int i = 0; i < 31; ++i) p = mime::multipart(i % 2 ? "mixed" : "alternative", {std::move(p)});
  mime::build_options o;
  o.max_depth = 32;
  round_trip(with_body(mime::multipart("mixed", {std::move(p)})), o);

  std::string big(4 << 20, '\0');
  std::mt19937 rng(1);
  for (auto& c : big) c = static_cast<char>(rng());
  const std::string out = round_trip(
      with_body(mime::multipart("mixed", {mime::text_part("see attached"), mime::attachment(big, "big.bin")})));
  ehlo::test::chunks pieces;
  for (std::size_t i = 0; i < out.size(); i += 100003) pieces.push_back(std::string_view(out).substr(i, 100003));
  CHECK(ehlo::test::scan_chunks(pieces) == ehlo::test::to_scan(mime::split(out)));
}
