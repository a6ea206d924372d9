// The reply parser's limits, each with its own error, and hostile input: a
// 100 MB line, a million continuation lines, random bytes. Hostile streams
// are generated chunk by chunk, as a socket would deliver them, so the tests
// show the parser gives up within a bounded buffer.
#include <doctest/doctest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "proto/error.hpp"
#include "proto/reply_parser.hpp"
#include "support/replies.hpp"

namespace {

using namespace ehlo::proto;
using ehlo::test::replies_of;

struct stream_result {
  std::error_code ec;
  std::size_t fed = 0;         ///< bytes handed to the parser before it stopped
  std::size_t max_buffer = 0;  ///< the largest buffer the reader had to keep
  std::size_t replies = 0;
};

/// Feeds `total` bytes made by next_chunk() through a parser the way a socket
/// reader does, stopping at the first error.
stream_result feed_stream(reply_parser& p, std::size_t total, const std::function<std::string()>& next_chunk) {
  stream_result r;
  std::string buf;
  while (r.fed < total) {
    const std::string chunk = next_chunk();
    buf += chunk;
    r.fed += chunk.size();
    r.max_buffer = std::max(r.max_buffer, buf.size());
    for (;;) {
      std::error_code ec;
      const std::size_t n = p.put(buf, ec);
      buf.erase(0, n);
      if (is_need_more(ec)) break;
      if (ec) {
        r.ec = ec;
        return r;
      }
      ++r.replies;
    }
  }
  return r;
}

}  // namespace

TEST_CASE("reply limits: max_line_length counts the line end and has its own error") {
  reply_settings s;
  s.max_line_length = 16;
  const auto fits = replies_of("250-a\r\n250 " + std::string(10, 'x') + "\r\n", s);  // 16 octets
  CHECK_FALSE(fits.ec);
  CHECK(fits.replies.size() == 1);
  CHECK(replies_of("250-a\r\n250 " + std::string(11, 'x') + "\r\n", s).ec == reply_error::line_too_long);
  // Known before the line ends: 16 octets without a line end are already too many.
  CHECK(replies_of("250 " + std::string(12, 'x'), s).ec == reply_error::line_too_long);
  CHECK(is_need_more(replies_of("250 " + std::string(11, 'x'), s).ec));
  // A CR as the 16th octet: the LF would be the 17th.
  CHECK(replies_of("250 " + std::string(11, 'x') + "\r", s).ec == reply_error::line_too_long);
}

TEST_CASE("reply limits: max_lines") {
  reply_settings s;
  s.max_lines = 3;
  const auto fits = replies_of("250-a\r\n250-b\r\n250 c\r\n", s);
  CHECK_FALSE(fits.ec);
  CHECK(fits.replies.size() == 1);
  // The third line announces a fourth: the error comes without waiting for it.
  CHECK(replies_of("250-a\r\n250-b\r\n250-c\r\n", s).ec == reply_error::too_many_lines);
}

TEST_CASE("reply limits: max_reply_bytes") {
  reply_settings s;
  s.max_reply_bytes = 20;
  const auto fits = replies_of("250-aaaa\r\n250 bbbb\r\n250 cccccccccccccc\r\n", s);  // 20 octets each
  CHECK_FALSE(fits.ec);
  CHECK(fits.replies.size() == 2);
  CHECK(replies_of("250-aaaa\r\n250 bbbbb\r\n", s).ec == reply_error::reply_too_large);
  CHECK(replies_of("250-aaaa\r\n250 bbbbbbbbbbbbbbbbbbbbb", s).ec == reply_error::reply_too_large);
}

TEST_CASE("reply limits: the error is the limit reached first, however the input is split") {
  reply_settings s;
  s.max_line_length = 10;
  s.max_reply_bytes = 20;
  // The third line starts at 16: its line limit (26) is past the reply's (20).
  CHECK(replies_of("250-aa\r\n250-bb\r\n250 cccccccccccc\r\n", s).ec == reply_error::reply_too_large);
  // The first line's limit (10) comes first.
  CHECK(replies_of("250-aaaaaaaaaaaaaaaaaaaaaaaaa\r\n", s).ec == reply_error::line_too_long);
  // Both at 20 (a line starting at 10): the line's limit wins the tie.
  CHECK(replies_of("250-aaaa\r\n250 bbbbbbbbbbbbbbb\r\n", s).ec == reply_error::line_too_long);
}

TEST_CASE("reply hostile: a 100 MB line ends in line_too_long within the limit") {
  reply_settings s;
  s.max_line_length = 1000;
  reply_parser p(s);
  bool first = true;
  const auto r = feed_stream(p, std::size_t{100} << 20, [&] {
    std::string chunk(4096, 'a');
    if (first) chunk.replace(0, 4, "250 ");
    first = false;
    return chunk;
  });
  CHECK(r.ec == reply_error::line_too_long);
  CHECK(r.fed == 4096);  // the first chunk already held 1000 octets without a line end
  CHECK(r.max_buffer == 4096);

  // Byte by byte: it stops at exactly the limit.
  reply_parser q(s);
  const auto bytewise = feed_stream(q, std::size_t{100} << 20, [] { return std::string("a"); });
  CHECK(bytewise.ec == reply_error::line_too_long);
  CHECK(bytewise.fed == 1000);
}

TEST_CASE("reply hostile: a million continuation lines end in too_many_lines") {
  const std::string line = "250-continued\r\n";
  const std::size_t million = 1'000'000 * line.size();
  {
    reply_settings s;
    s.max_lines = 100;
    reply_parser p(s);
    const auto r = feed_stream(p, million, [&] { return line; });
    CHECK(r.ec == reply_error::too_many_lines);
    CHECK(r.fed == 100 * line.size());
  }
  {
    reply_parser p;  // the defaults: 1000 lines come before 64 KiB
    const auto r = feed_stream(p, million, [&] {
      std::string chunk;
      for (int i = 0; i < 64; ++i) chunk += line;
      return chunk;
    });
    CHECK(r.ec == reply_error::too_many_lines);
    CHECK(r.fed <= 1064 * line.size());
  }
  {
    reply_settings s;
    s.max_lines = std::size_t(-1);
    reply_parser p(s);
    const auto r = feed_stream(p, million, [&] { return line; });
    CHECK(r.ec == reply_error::reply_too_large);
    CHECK(r.fed == 64 * 1024 + line.size() - (64 * 1024) % line.size());
    CHECK(r.max_buffer <= 64 * 1024 + line.size());
  }
}

TEST_CASE("reply hostile: a finding on every line of a huge reply keeps a bounded log") {
  reply_settings s;
  s.allow_bare_lf = true;
  s.max_lines = 100'000;
  s.max_reply_bytes = 1 << 20;
  reply_parser p(s);
  std::string input;
  for (int i = 0; i < 50'000; ++i) input += "250-x\n";
  input += "250 end\n";
  std::error_code ec;
  CHECK(p.put(input, ec) == input.size());
  CHECK_FALSE(ec);
  CHECK(p.get().lines.size() == 50'001);
  CHECK(p.findings().items().size() == finding_log::default_capacity);
  CHECK(p.findings().dropped() == 50'001 - finding_log::default_capacity);
}

TEST_CASE("reply hostile: random bytes give the same outcome however they are split") {
  std::mt19937 rng(20240229);
  reply_settings lenient;
  lenient.allow_bare_lf = lenient.allow_bare_cr = lenient.allow_mixed_codes = lenient.allow_missing_separator =
      lenient.allow_code_outside_abnf = true;
  lenient.max_line_length = 40;
  lenient.max_lines = 6;
  lenient.max_reply_bytes = 120;
  // Uniform bytes, and bytes drawn from what replies are made of, which get further.
  const std::string alphabet = "0123456789-  \r\n\r\nabc\t.";
  for (int round = 0; round < 40; ++round) {
    CAPTURE(round);
    std::string input(160, '\0');
    for (auto& c : input) c = round % 2 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    if (round % 4 == 0) input.replace(0, 4, "250-");
    for (const auto& out : {replies_of(input), replies_of(input, lenient)}) {
      // Whatever the outcome, the replies read tile a prefix of the input, in order.
      std::size_t at = 0;
      for (const auto& r : out.replies) {
        CHECK(r.offset == at);
        CHECK(input.compare(at, r.raw.size(), r.raw) == 0);
        at += r.raw.size();
      }
      CHECK((at == input.size()) == !out.ec);
    }
  }
}
