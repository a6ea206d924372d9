#include "scenario/json.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "proto/syntax_chars.hpp"

namespace ehlo::scenario::json {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// A short, printable rendering of what was found at an error: `'}'`, `end of file`.
std::string describe(std::string_view rest) {
  if (rest.empty()) return "end of file";
  const auto c = static_cast<unsigned char>(rest.front());
  if (c >= 0x20 && c < 0x7f) return std::string("'") + rest.front() + "'";
  if (const std::size_t n = proto::syntax::utf8_sequence(rest); n > 1)
    return "'" + std::string(rest.substr(0, n)) + "'";
  char buf[16];
  std::snprintf(buf, sizeof buf, "byte 0x%02x", c);
  return buf;
}

/// A key or a number as an error shows it: at most 60 bytes of it, quoted and
/// escaped (a key may hold a NUL or an escape sequence), so a 1 MB key gives a short message.
std::string excerpt(std::string_view s) {
  constexpr std::size_t max = 60;
  std::string out;
  if (s.size() <= max) {
    append_quoted(out, s);
    return out;
  }
  std::size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 sequence
  append_quoted(out, s.substr(0, cut));
  out.insert(out.size() - 1, "...");
  return out + " (" + std::to_string(s.size()) + " bytes)";
}

class reader {
 public:
  reader(std::string_view text, const settings& limits) : text_(text), limits_(limits) {}

  std::optional<value> document(parse_error& err) {
    value v;
    skip_space();
    if (!parse_value(v, 0)) {
      err = std::move(error_);
      return std::nullopt;
    }
    skip_space();
    if (at_ < text_.size()) {
      fail("expected end of file after the document, found " + describe(rest()));
      err = std::move(error_);
      return std::nullopt;
    }
    return v;
  }

 private:
  std::string_view rest() const { return text_.substr(at_); }

  /// The position of byte `at_`. Positions are asked for in increasing order,
  /// so the column is counted on from the last one: linear in the file.
  position here() {
    while (scanned_ < at_) {
      const char c = text_[scanned_++];
      if (c == '\n') {
        ++pos_.line;
        pos_.column = 1;
      } else if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) {
        ++pos_.column;
      }
    }
    return pos_;
  }

  bool fail(std::string what) {
    if (error_.what.empty()) error_ = {here(), std::move(what)};
    return false;
  }

  void skip_space() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++at_;
    }
  }

  bool parse_value(value& v, std::size_t depth) {
    if (++values_ > limits_.max_values) return fail("more than " + std::to_string(limits_.max_values) + " values");
    v.pos = here();
    if (at_ >= text_.size()) return fail("expected a value, found end of file");
    switch (text_[at_]) {
      case '{':
        return parse_object(v, depth + 1);
      case '[':
        return parse_array(v, depth + 1);
      case '"':
        v.kind = type::string;
        return parse_string(v.text);
      case 't':
        v.kind = type::boolean;
        v.boolean = true;
        return literal("true");
      case 'f':
        v.kind = type::boolean;
        return literal("false");
      case 'n':
        return literal("null");
      default:
        if (text_[at_] == '-' || is_digit(text_[at_])) return parse_number(v);
        return fail("expected a value, found " + describe(rest()));
    }
  }

  bool literal(std::string_view word) {
    if (!rest().starts_with(word)) return fail("expected a value, found " + describe(rest()));
    at_ += word.size();
    return true;
  }

  bool parse_number(value& v) {
    const std::size_t start = at_;
    if (text_[at_] == '-') ++at_;
    if (at_ < text_.size() && text_[at_] == '0') {
      ++at_;
    } else if (at_ < text_.size() && is_digit(text_[at_])) {
      while (at_ < text_.size() && is_digit(text_[at_])) ++at_;
    } else {
      return fail("expected a digit, found " + describe(rest()));
    }
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (at_ >= text_.size() || !is_digit(text_[at_]))
        return fail("expected a digit after '.', found " + describe(rest()));
      while (at_ < text_.size() && is_digit(text_[at_])) ++at_;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (at_ >= text_.size() || !is_digit(text_[at_]))
        return fail("expected a digit in the exponent, found " + describe(rest()));
      while (at_ < text_.size() && is_digit(text_[at_])) ++at_;
    }
    v.kind = type::number;
    v.text = text_.substr(start, at_ - start);
    const auto [end, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), v.number);
    if (ec == std::errc::result_out_of_range)
      return fail("number " + (v.text.size() <= 24 ? v.text : v.text.substr(0, 20) + "...") + " is out of range");
    return true;
  }

  /// Reads 4 hex digits after "\u".
  bool hex4(std::uint32_t& out) {
    out = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const int h = at_ + i < text_.size() ? hex_value(text_[at_ + i]) : -1;
      if (h < 0) return fail("expected four hex digits after \\u, found " + describe(text_.substr(at_ + i)));
      out = out << 4 | static_cast<std::uint32_t>(h);
    }
    at_ += 4;
    return true;
  }

  bool parse_string(std::string& out) {
    ++at_;  // '"'
    out.clear();
    while (true) {
      if (out.size() > limits_.max_string_bytes)
        return fail("a string longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
      if (at_ >= text_.size()) return fail("a string is not closed before the end of file");
      const char c = text_[at_];
      if (c == '"') {
        ++at_;
        return true;
      }
      const auto u = static_cast<unsigned char>(c);
      if (c == '\n') return fail("a string is not closed at the end of its line");
      if (u < 0x20) return fail("a control character (" + describe(rest()) + ") inside a string; write it escaped");
      if (u >= 0x80) {
        const std::size_t n = proto::syntax::utf8_sequence(rest());
        if (n == 0) return fail("invalid UTF-8 (" + describe(rest()) + ")");
        out.append(text_.substr(at_, n));
        at_ += n;
        continue;
      }
      if (c != '\\') {
        // Copy the run of plain characters at once.
        std::size_t end = at_ + 1;
        while (end < text_.size() && text_[end] != '"' && text_[end] != '\\' &&
               static_cast<unsigned char>(text_[end]) >= 0x20 && static_cast<unsigned char>(text_[end]) < 0x80)
          ++end;
        out.append(text_.substr(at_, end - at_));
        at_ = end;
        continue;
      }
      if (++at_ >= text_.size()) return fail("a string is not closed before the end of file");
      const char e = text_[at_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xdc00 && cp <= 0xdfff) return fail("a lone low surrogate in \\u escape");
          if (cp >= 0xd800 && cp <= 0xdbff) {
            std::uint32_t lo = 0;
            if (!rest().starts_with("\\u")) return fail("a high surrogate \\u escape without its low half");
            at_ += 2;
            if (!hex4(lo)) return false;
            if (lo < 0xdc00 || lo > 0xdfff) return fail("a high surrogate \\u escape without its low half");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          proto::syntax::append_utf8(out, cp);
          break;
        }
        default:
          at_ -= 2;  // point at the backslash
          if (static_cast<unsigned char>(e) > 0x20 && static_cast<unsigned char>(e) < 0x7f)
            return fail(std::string("unknown escape '\\") + e + "' in a string");
          return fail("unknown escape in a string: \\ then " + describe(rest().substr(1)));
      }
    }
  }

  bool duplicate(const member& m) {
    if (error_.what.empty()) error_ = {m.key_pos, "duplicate key " + excerpt(m.key)};
    return false;
  }

  bool unique_keys(const value& v) {
    std::vector<std::size_t> order(v.members.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return v.members[a].key < v.members[b].key; });
    const member* first = nullptr;
    for (std::size_t i = 1; i < order.size(); ++i)
      if (v.members[order[i]].key == v.members[order[i - 1]].key &&
          (first == nullptr || order[i] < static_cast<std::size_t>(first - v.members.data())))
        first = &v.members[order[i]];
    return first == nullptr || duplicate(*first);
  }

  bool parse_array(value& v, std::size_t depth) {
    if (depth > limits_.max_depth) return fail("nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    v.kind = type::array;
    ++at_;
    skip_space();
    if (at_ < text_.size() && text_[at_] == ']') {
      ++at_;
      return true;
    }
    while (true) {
      v.items.emplace_back();
      if (!parse_value(v.items.back(), depth)) return false;
      skip_space();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        skip_space();
        if (at_ < text_.size() && text_[at_] == ']') return fail("a trailing comma before ']'");
        continue;
      }
      if (at_ < text_.size() && text_[at_] == ']') {
        ++at_;
        return true;
      }
      return fail("expected ',' or ']' after an array element, found " + describe(rest()));
    }
  }

  bool parse_object(value& v, std::size_t depth) {
    if (depth > limits_.max_depth) return fail("nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    v.kind = type::object;
    ++at_;
    skip_space();
    if (at_ < text_.size() && text_[at_] == '}') {
      ++at_;
      return true;
    }
    while (true) {
      if (at_ >= text_.size() || text_[at_] != '"')
        return fail("expected a key in double quotes, found " + describe(rest()));
      member m;
      m.key_pos = here();
      if (!parse_string(m.key)) return false;
      // Small objects (all of a scenario's) are checked as they grow; big
      // ones once at the end, sorted, so a hostile object stays n log n.
      if (v.members.size() < 32 && v.find(m.key) != nullptr) return duplicate(m);
      skip_space();
      if (at_ >= text_.size() || text_[at_] != ':')
        return fail("expected ':' after the key " + excerpt(m.key) + ", found " + describe(rest()));
      ++at_;
      skip_space();
      if (!parse_value(m.val, depth)) return false;
      v.members.push_back(std::move(m));
      skip_space();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        skip_space();
        if (at_ < text_.size() && text_[at_] == '}') return fail("a trailing comma before '}'");
        continue;
      }
      if (at_ < text_.size() && text_[at_] == '}') {
        ++at_;
        return v.members.size() <= 32 || unique_keys(v);
      }
      return fail("expected ',' or '}' after an object member, found " + describe(rest()));
    }
  }

  std::string_view text_;
  const settings& limits_;
  std::size_t at_ = 0;
  std::size_t scanned_ = 0;
  position pos_;
  std::size_t values_ = 0;
  parse_error error_;
};

}  // namespace

std::string_view type_name(type t) noexcept {
  switch (t) {
    case type::null:
      return "null";
    case type::boolean:
      return "true or false";
    case type::number:
      return "a number";
    case type::string:
      return "a string";
    case type::array:
      return "an array";
    case type::object:
      return "an object";
  }
  return "?";
}

const value* value::find(std::string_view key) const noexcept {
  for (const auto& m : members)
    if (m.key == key) return &m.val;
  return nullptr;
}

std::optional<value> parse(std::string_view text, parse_error& err, const settings& limits) {
  err = {};
  // A byte-order mark is not JSON (RFC 8259 §8.1), but editors write one; say so plainly.
  if (text.starts_with("\xEF\xBB\xBF")) {
    err = {{1, 1}, "the file starts with a UTF-8 byte-order mark; JSON files must not"};
    return std::nullopt;
  }
  return reader(text, limits).document(err);
}

void append_quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const std::size_t n = proto::syntax::utf8_sequence(s.substr(i));
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD: the caller should not have passed invalid UTF-8
        ++i;
      } else if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
        // A C1 control (U+0080..U+009F): some terminals obey U+009B as CSI, so
        // it is written escaped, as the C0 controls are; the value is the same.
        out += "\\u00";
        out += hex[static_cast<unsigned char>(s[i + 1]) >> 4];
        out += hex[static_cast<unsigned char>(s[i + 1]) & 0xf];
        i += 2;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

}  // namespace ehlo::scenario::json
