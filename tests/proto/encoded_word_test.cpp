#include "proto/encoded_word.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "proto/rules.hpp"

namespace mime = ehlo::proto::mime;
namespace rules = ehlo::proto::rules;
using ehlo::proto::finding;

namespace {

/// "Name:" and the field body append_unstructured writes after it.
std::string field(std::string_view name, std::string_view text,
                  mime::word_encoding enc = mime::word_encoding::automatic) {
  std::string out(name);
  out += ':';
  std::size_t column = out.size();
  mime::append_unstructured(out, column, text, enc);
  return out;
}

std::vector<std::string> lines(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t pos = 0;;) {
    const std::size_t eol = s.find("\r\n", pos);
    out.emplace_back(s.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos));
    if (eol == std::string_view::npos) return out;
    pos = eol + 2;
  }
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += n;
  }
  return true;
}

}  // namespace

TEST_CASE("encoded words: when text needs them") {
  const std::pair<std::string, bool> rows[] = {
      {"", false},
      {"Hello, world", false},
      {"tab\tinside", false},
      {"caf\xc3\xa9", true},
      {"line\r\nBcc: x", true},
      {std::string("nul\0x", 5), true},
      {" leading", true},
      {"trailing ", true},
      {"looks =?like?= a word", true},
      {std::string(76, 'a'), false},
      {std::string(77, 'a'), true},
      {"a" + std::string(77, ' ') + "b", true},  // a fold puts the run and the word after it on one line
      {"a" + std::string(76, ' ') + "b", false},
  };
  for (const auto& [text, want] : rows) {
    CAPTURE(text);
    CHECK(mime::needs_encoded_words(text) == want);
  }
}

TEST_CASE("encoded words: exact output of the writer") {
  CHECK(field("Subject", "Hello, world") == "Subject: Hello, world");
  CHECK(field("Subject", "") == "Subject:");
  CHECK(field("Subject", "caf\xc3\xa9 au lait") == "Subject: =?UTF-8?Q?caf=C3=A9_au_lait?=");
  CHECK(field("Subject", "caf\xc3\xa9") == "Subject: =?UTF-8?B?Y2Fmw6k=?=");  // B is shorter here
  CHECK(field("Subject", "caf\xc3\xa9", mime::word_encoding::b) == "Subject: =?UTF-8?B?Y2Fmw6k=?=");
  CHECK(field("Subject", "a_b?c=d e") == "Subject: a_b?c=d e");  // no "=?": stays as it is
  CHECK(field("Subject", " a_b?=", mime::word_encoding::q) == "Subject: =?UTF-8?Q?_a=5Fb=3F=3D?=");
  CHECK(field("Subject", "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac") == "Subject: =?UTF-8?B?4oKs4oKs4oKs?=");
  // ASCII folds before the whitespace, which then starts the next line.
  const std::string words = "one two  three " + std::string(70, 'x') + " end";
  CHECK(field("Subject", words) == "Subject: one two  three\r\n " + std::string(70, 'x') + " end");
  CHECK(field("Subject", std::string(76, 'y')) == "Subject:\r\n " + std::string(76, 'y'));
}

TEST_CASE("encoded words: RFC 2047 §8's examples decode as the RFC says") {
  const std::pair<const char*, const char*> rows[] = {
      {"=?ISO-8859-1?Q?a?=", "a"},
      {"=?ISO-8859-1?Q?a?= b", "a b"},
      {"=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab"},
      {"=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab"},
      {"=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=", "ab"},
      {"=?ISO-8859-1?Q?a_b?=", "a b"},
      {"=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b"},
      {" =?utf-8?b?Y2Fmw6k=?= ", "caf\xc3\xa9"},
      {"=?UTF-8*en?q?x=3dy?=", "x=y"},
      {"plain  text =?UTF-8?Q?x?= tail", "plain  text x tail"},
  };
  for (const auto& [body, want] : rows) {
    CAPTURE(body);
    ehlo::proto::finding_log log;
    CHECK(mime::decode_text(body, &log) == want);
    CHECK(log.empty());
  }
}

TEST_CASE("encoded words: malformed and overlong words") {
  const char* bad[] = {"=?UTF-8?X?abc?=", "=?UTF-8?B?@@@@?=", "=?UTF-8?Q?=4?=", "=??Q?a?=", "=?UTF-8?Q?a b?="};
  for (const char* body : bad) {
    CAPTURE(body);
    ehlo::proto::finding_log log;
    const std::string out = mime::decode_text(body, &log, 7);
    if (std::string_view(body).find(' ') == std::string_view::npos) {
      CHECK(out == body);
      CHECK(std::vector<finding>(log.items().begin(), log.items().end()) ==
            std::vector<finding>{{&rules::encoded_word, "malformed encoded word kept as text", 7}});
    } else {
      CHECK(out == body);  // a space splits it into tokens that are no words at all
    }
  }
  const std::string long_word = "=?UTF-8?Q?" + std::string(70, 'a') + "?=";
  ehlo::proto::finding_log log;
  CHECK(mime::decode_text(long_word, &log) == std::string(70, 'a'));
  CHECK(std::vector<finding>(log.items().begin(), log.items().end()) ==
        std::vector<finding>{{&rules::encoded_word, "encoded word longer than 75 characters", 0}});
  std::string out = "kept";
  CHECK_FALSE(mime::decode_word("=?UTF-8?Q?a", out));
  CHECK(out == "kept");
}

TEST_CASE("encoded words: any text survives, in words of at most 75 and lines of at most 76") {
  std::mt19937 rng(2047);
  const std::vector<std::string> pieces = {"a",    " ",  "\t", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                           "=?",   "?=", "_",  "\r",       "\n",           "\x80",
                                           "\xff", "Z9"};
  for (int round = 0; round < 400; ++round) {
    std::string text;
    const std::size_t n = rng() % 120;
    for (std::size_t i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    const bool utf8 = valid_utf8(text);
    const auto enc = static_cast<mime::word_encoding>(rng() % 3);
    const std::string name(1 + rng() % 40, 'X');
    CAPTURE(text);
    CAPTURE(name);
    const std::string out = field(name, text, enc);
    const std::string body = out.substr(name.size() + 1);
    CHECK(mime::decode_text(body) == std::string(text.empty() ? "" : text));
    const bool encoded = mime::needs_encoded_words(text);
    for (const auto& l : lines(out)) {
      CHECK(l.size() <= (encoded ? mime::max_word_line : 78));
      if (!encoded) continue;
      for (std::size_t p = l.find("=?"); p != std::string::npos; p = l.find("=?", p + 2)) {
        const std::size_t e = l.find("?=", p + 10);
        REQUIRE(e != std::string::npos);
        const std::string word = l.substr(p, e + 2 - p);
        CHECK(word.size() <= mime::max_word);
        std::string decoded;
        CHECK(mime::decode_word(word, decoded));
        if (utf8) CHECK(valid_utf8(decoded));  // RFC 2047 §5: no character split across words
        p = e;
      }
    }
  }
}
