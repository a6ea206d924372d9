#include "scenario/json.hpp"

#include <doctest/doctest.h>

#include <string>

namespace json = ehlo::scenario::json;

namespace {

std::string error_of(std::string_view text, const json::settings& limits = {}) {
  json::parse_error err;
  const auto v = json::parse(text, err, limits);
  if (v) return "ok";
  return std::to_string(err.pos.line) + ":" + std::to_string(err.pos.column) + ": " + err.what;
}

}  // namespace

TEST_CASE("json: values, in file order, with their positions") {
  json::parse_error err;
  const auto v = json::parse("{\n  \"a\": [1, -2.5e3, true, null],\n  \"é\": \"x\\u00e9\\ud83d\\ude00\\n\"\n}", err);
  REQUIRE(v);
  REQUIRE(v->is(json::type::object));
  REQUIRE(v->members.size() == 2);
  const auto& a = v->members[0];
  CHECK(a.key == "a");
  CHECK(a.key_pos.line == 2);
  CHECK(a.key_pos.column == 3);
  REQUIRE(a.val.items.size() == 4);
  CHECK(a.val.pos.column == 8);
  CHECK(a.val.items[0].number == 1);
  CHECK(a.val.items[1].number == -2500);
  CHECK(a.val.items[1].text == "-2.5e3");
  CHECK(a.val.items[1].pos.column == 12);
  CHECK(a.val.items[2].boolean);
  CHECK(a.val.items[3].is(json::type::null));
  const auto& e = v->members[1];
  CHECK(e.key == "é");
  // Columns count characters: "é" is one, though it is two bytes.
  CHECK(e.val.pos.line == 3);
  CHECK(e.val.pos.column == 8);
  CHECK(e.val.text == "x\xC3\xA9\xF0\x9F\x98\x80\n");
  CHECK(v->find("é") == &e.val);
  CHECK(v->find("b") == nullptr);
}

TEST_CASE("json: syntax errors say where and what") {
  CHECK(error_of("") == "1:1: expected a value, found end of file");
  CHECK(error_of("[1,]") == "1:4: a trailing comma before ']'");
  CHECK(error_of("{\"a\":1,}") == "1:8: a trailing comma before '}'");
  CHECK(error_of("{\"a\" 1}") == "1:6: expected ':' after the key \"a\", found '1'");
  CHECK(error_of("{a:1}") == "1:2: expected a key in double quotes, found 'a'");
  CHECK(error_of("[1 2]") == "1:4: expected ',' or ']' after an array element, found '2'");
  CHECK(error_of("{\"a\":1 \"b\":2}") == "1:8: expected ',' or '}' after an object member, found '\"'");
  CHECK(error_of("[tru]") == "1:2: expected a value, found 't'");
  CHECK(error_of("01") == "1:2: expected end of file after the document, found '1'");
  CHECK(error_of("-") == "1:2: expected a digit, found end of file");
  CHECK(error_of("1.") == "1:3: expected a digit after '.', found end of file");
  CHECK(error_of("1e+") == "1:4: expected a digit in the exponent, found end of file");
  CHECK(error_of("1e999") == "1:6: number 1e999 is out of range");
  CHECK(error_of("\"abc") == "1:5: a string is not closed before the end of file");
  CHECK(error_of("\"a\nb\"") == "1:3: a string is not closed at the end of its line");
  CHECK(error_of("\"\x01\"") == "1:2: a control character (byte 0x01) inside a string; write it escaped");
  CHECK(error_of("\"\\x41\"") == "1:2: unknown escape '\\x' in a string");
  CHECK(error_of("\"\\u12\"") == "1:4: expected four hex digits after \\u, found '\"'");
  CHECK(error_of("\"\\udc00\"") == "1:8: a lone low surrogate in \\u escape");
  CHECK(error_of("\"\\ud800x\"") == "1:8: a high surrogate \\u escape without its low half");
  CHECK(error_of("\"\xC3\x28\"") == "1:2: invalid UTF-8 (byte 0xc3)");
  CHECK(error_of("\"\xE2\x82\"") == "1:2: invalid UTF-8 (byte 0xe2)");
  CHECK(error_of("[\"\xE2\x82\xAC\", x]") == "1:7: expected a value, found 'x'");
  CHECK(error_of("\xEF\xBB\xBF{}") == "1:1: the file starts with a UTF-8 byte-order mark; JSON files must not");
  CHECK(error_of("{\"a\":1,\"a\":2}") == "1:8: duplicate key \"a\"");
}

TEST_CASE("json: duplicate keys in a big object are found too, at the second") {
  std::string text = "{";
  for (int i = 0; i < 100; ++i) text += "\"k" + std::to_string(i) + "\":0,";
  text += "\"k7\":1}";
  json::parse_error err;
  CHECK_FALSE(json::parse(text, err));
  CHECK(err.what == "duplicate key \"k7\"");
  CHECK(err.pos.column == text.size() - 6);
}

TEST_CASE("json: limits end hostile documents early") {
  json::settings limits;
  limits.max_depth = 8;
  limits.max_string_bytes = 16;
  limits.max_values = 10;
  CHECK(error_of("[[[[[[[[1]]]]]]]]", limits) == "ok");
  CHECK(error_of("[[[[[[[[[1]]]]]]]]]", limits) == "1:9: nested deeper than 8 levels");
  CHECK(error_of(std::string(100000, '['), {}) == "1:65: nested deeper than 64 levels");
  CHECK(error_of("\"0123456789abcdef\"", limits) == "ok");
  CHECK(error_of("\"0123456789abcdefg\"", limits) == "1:19: a string longer than 16 bytes");
  CHECK(error_of("[1,2,3,4,5,6,7,8,9]", limits) == "ok");
  CHECK(error_of("[1,2,3,4,5,6,7,8,9,10]", limits) == "1:20: more than 10 values");
}

TEST_CASE("json: append_quoted writes what parse reads back") {
  const std::string cases[] = {"", "plain", "q\"uote\\back", "\r\n\t", std::string("nul\0x", 5), "\x7f\x1b", "é€😀"};
  for (const auto& s : cases) {
    CAPTURE(s);
    std::string q;
    json::append_quoted(q, s);
    json::parse_error err;
    const auto v = json::parse(q, err);
    REQUIRE(v);
    CHECK(v->text == s);
  }
  std::string q;
  json::append_quoted(q, "a\xff");
  CHECK(q == "\"a\xEF\xBF\xBD\"");
  // C1 controls (U+009B is CSI to some terminals) are written escaped, and read back the same.
  q.clear();
  json::append_quoted(q,
                      "x\xC2\x9B"
                      "31m\xC2\x80\xC2\xA0");
  CHECK(q == "\"x\\u009b31m\\u0080\xC2\xA0\"");
  json::parse_error err;
  CHECK(json::parse(q, err)->text ==
        "x\xC2\x9B"
        "31m\xC2\x80\xC2\xA0");
}

TEST_CASE("json: errors quote keys escaped and cut, and numbers cut") {
  CHECK(error_of("{\"na\\u0000me\": 1, \"na\\u0000me\": 2}") == "1:19: duplicate key \"na\\u0000me\"");
  const std::string key(1'000'000, 'k');
  const std::string dup = error_of("{\"" + key + "\": 1, \"" + key + "\": 2}");
  CHECK(dup.size() < 120);
  CHECK(dup.ends_with("kkk...\" (1000000 bytes)"));
  CHECK(error_of("{\"" + key + "\" 1}").size() < 150);
  CHECK(error_of("1" + std::string(400, '0')) == "1:402: number 10000000000000000000... is out of range");
}
