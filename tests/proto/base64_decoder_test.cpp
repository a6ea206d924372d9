// The streaming decoder: every input whole and split at every byte gives
// what the one-shot decode gives, and its limits end hostile input.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "proto/base64.hpp"
#include "proto/base64_support.hpp"
#include "support/split.hpp"

namespace b64 = ehlo::proto::base64;
using namespace ehlo::test;

namespace {

struct streamed {
  std::string bytes;
  std::error_code ec;
  std::uint64_t at = 0;  ///< error_offset(); 0 on success

  friend bool operator==(const streamed&, const streamed&) = default;
  friend std::ostream& operator<<(std::ostream& os, const streamed& s) {
    return os << "{\"" << s.bytes << "\", " << s.ec.message() << " at " << s.at << "}";
  }
};

streamed stream(const chunks& input, const b64::decoder::settings& s = {}) {
  std::string out;
  b64::decoder d(out, s);
  std::error_code ec = drive(d, input, [](b64::decoder&) {});
  if (!ec || ehlo::proto::is_need_more(ec)) d.finish(ec);
  // Every byte written is a decoded byte: never more than the bound allows.
  std::size_t total = 0;
  for (const auto c : input) total += c.size();
  CHECK(out.size() <= b64::decoded_size_max(total));
  CHECK(out.size() == d.written());
  return {out, ec, ec ? d.error_offset() : 0};
}

streamed stream_every_split(std::string_view input, const b64::decoder::settings& s = {}) {
  return parse_every_split(input, [&](const chunks& c) { return stream(c, s); });
}

streamed one_shot(std::string_view input, const b64::decode_options& opt = {}) {
  const auto d = decode_with(kernel::scalar, input, opt);
  return {d.bytes, d.ec, d.at};
}

}  // namespace

TEST_CASE("base64 decoder: whole and split at every byte, it decodes as decode() does") {
  const char* inputs[] = {
      "",         "Zg==",         "Zm8=",  "Zm9v",     "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy", "VXNlcm5hbWU6",
      "Zm9v!mFy", "Zg==Zg==",     "Zg=",   "Zg",       "Z",        "Zh==",     "Z===",     "Zm9vYmFy=",
      "Zm9vYg=",  "Zm9vYmFyZg==", "Zm 9v", "Zm9v\r\n", "====",     "Zm8==",
  };
  for (const char* in : inputs) {
    CAPTURE(in);
    CHECK(stream_every_split(in) == one_shot(in));
  }
}

TEST_CASE("base64 decoder: each leniency, whole and split") {
  struct row {
    const char* in;
    b64::decode_options opt;
  };
  const row rows[] = {
      {"Zm9v\r\nYmFy\r\n", {.allow_whitespace = true}},
      {"Z m\r\n9 v", {.allow_whitespace = true}},
      {"Zg\r\n==\r\n", {.allow_whitespace = true}},
      {"Zg=\r\n=", {.allow_whitespace = true}},
      {"Zg==\r\nZg==", {.allow_whitespace = true}},
      {"Zm9vYg", {.allow_missing_padding = true}},
      {"Zm9vYmE", {.allow_missing_padding = true}},
      {"Zm9vY", {.allow_missing_padding = true}},
      {"Zh==", {.allow_non_zero_trailing_bits = true}},
      {"Zm9vYh", {.allow_missing_padding = true, .allow_non_zero_trailing_bits = true}},
      {" Zm9v Yh \r\n", {.allow_whitespace = true, .allow_missing_padding = true}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.in);
    b64::decoder::settings s;
    s.options = r.opt;
    CHECK(stream_every_split(r.in, s) == one_shot(r.in, r.opt));
  }
}

TEST_CASE("base64 decoder: a MIME body line by line, split anywhere") {
  std::string plain;
  for (int i = 0; i < 150; ++i) plain += static_cast<char>(i * 31 + 7);
  const std::string body = b64::encode_lines(plain);
  b64::decoder::settings s;
  s.options.allow_whitespace = true;
  CHECK(stream_every_split(body, s) == streamed{plain, {}, 0});
}

TEST_CASE("base64 decoder: put() consumes whole quanta and leaves the rest") {
  std::string out;
  b64::decoder d(out);
  std::error_code ec;
  CHECK(d.put("Zm9vYm", ec) == 4);
  CHECK(ehlo::proto::is_need_more(ec));
  CHECK(out == "foo");
  CHECK(d.put("YmFy", ec) == 4);  // the caller passed "Ym" again, with more
  CHECK_FALSE(ec);
  CHECK(out == "foobar");
  CHECK(d.put("Zg=", ec) == 0);  // padding not complete yet
  CHECK(ehlo::proto::is_need_more(ec));
  CHECK(d.put("Zg==", ec) == 4);
  CHECK_FALSE(ec);
  CHECK(out == "foobar");  // a padded quantum's byte waits for the end of input
  d.finish(ec);
  CHECK_FALSE(ec);
  CHECK(out == "foobarf");
  CHECK(d.consumed() == 12);
  CHECK(d.written() == 7);

  // Errors are sticky until reset().
  out.clear();
  d.reset();
  CHECK(d.put("Zm9v!", ec) == 4);
  CHECK(ec == b64::error::bad_character);
  CHECK(d.error_offset() == 4);
  CHECK(d.put("Zm9v", ec) == 0);
  CHECK(ec == b64::error::bad_character);
  d.finish(ec);
  CHECK(ec == b64::error::bad_character);
  d.reset();
  out.clear();
  CHECK(d.put("Zm9v", ec) == 4);
  CHECK_FALSE(ec);
  CHECK(out == "foo");
}

TEST_CASE("base64 decoder: the end-of-input rules apply at finish()") {
  for (const auto& [in, e] :
       {std::pair{"Zm9vY", b64::error::truncated}, std::pair{"Zm9vYg", b64::error::truncated},
        std::pair{"Zm9vYg=", b64::error::bad_padding}, std::pair{"Zm9vYh==", b64::error::non_zero_trailing_bits}}) {
    CAPTURE(in);
    CHECK(stream_every_split(in) == streamed{"foo", e, std::string_view(in).size()});
  }
}

TEST_CASE("base64 decoder: a quantum spread over too much whitespace") {
  b64::decoder::settings s;
  s.options.allow_whitespace = true;
  s.max_quantum_span = 16;
  // The quantum begins at 'Y' (offset 4); its 17th byte is offset 20.
  const std::string in = "Zm9vY" + std::string(40, ' ') + "mFy";
  CHECK(stream_every_split(in, s) == streamed{"foo", b64::error::quantum_too_long, 20});
  // Whitespace between quanta is not part of any quantum: no limit there.
  const std::string between = "Zm9v" + std::string(40, '\n') + "YmFy";
  CHECK(stream_every_split(between, s) == streamed{"foobar", {}, 0});
  // At the limit exactly, it passes.
  const std::string exact = "Zm9vY" + std::string(12, ' ') + "mFy";
  CHECK(stream_every_split(exact, s) == streamed{"foobar", {}, 0});
  // A hostile stream of whitespace inside a quantum ends at the limit, leaving
  // at most max_quantum_span bytes unconsumed at any time.
  std::string out;
  b64::decoder d(out, s);
  std::error_code ec;
  std::string buf = "Z";
  std::size_t fed = 1;
  while (fed < 100000) {
    buf.append(100, ' ');
    fed += 100;
    buf.erase(0, d.put(buf, ec));
    if (!ehlo::proto::is_need_more(ec)) break;
    CHECK(buf.size() <= s.max_quantum_span);
  }
  CHECK(ec == b64::error::quantum_too_long);
  CHECK(d.error_offset() == 16);
  CHECK(fed < 200);
}

TEST_CASE("base64 decoder: the output limit") {
  b64::decoder::settings s;
  s.max_output = 5;
  // The second quantum ("YmFy", offsets 4..7) makes bytes 4..6: its last character passes the limit.
  CHECK(stream_every_split("Zm9vYmFy", s) == streamed{"fooba", b64::error::too_large, 7});
  s.max_output = 6;
  CHECK(stream_every_split("Zm9vYmFy", s) == streamed{"foobar", {}, 0});
  // A final padded quantum's bytes come at the end of input.
  CHECK(stream_every_split("Zm9vYmFyZg==", s) == streamed{"foobar", b64::error::too_large, 12});
  s.max_output = 0;
  CHECK(stream_every_split("", s) == streamed{"", {}, 0});
  CHECK(stream_every_split("Zg==", s) == streamed{"", b64::error::too_large, 4});
}

TEST_CASE("base64 decoder: random input agrees with decode() whatever the split") {
  std::mt19937 rng(1341);
  const char pool[] = "QUJDZm9vYmFy+/09==  \r\n!";
  for (int round = 0; round < 300; ++round) {
    std::string in(rng() % 40, 'A');
    for (auto& c : in) c = pool[rng() % (sizeof pool - 1)];
    b64::decoder::settings s;
    s.options = {.allow_whitespace = rng() % 2 == 0,
                 .allow_missing_padding = rng() % 2 == 0,
                 .allow_non_zero_trailing_bits = rng() % 2 == 0};
    CAPTURE(in);
    CHECK(stream_every_split(in, s) == one_shot(in, s.options));
  }
}
