#include "proto/encoded_word.hpp"

#include <algorithm>

#include "proto/base64.hpp"
#include "proto/mime_header.hpp"
#include "proto/rules.hpp"

namespace ehlo::proto::mime {

namespace {

constexpr std::string_view b_prefix = "=?UTF-8?B?";
constexpr std::string_view q_prefix = "=?UTF-8?Q?";
constexpr std::size_t overhead = 12;  // prefix and "?="
constexpr std::size_t fold_column = 78;
constexpr char hex[] = "0123456789ABCDEF";

/// RFC 2047 §5(3): the only characters a Q word may carry as they are in a
/// phrase; the other contexts allow more, so these are safe everywhere.
bool q_literal(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '!' || c == '*' ||
         c == '+' || c == '-' || c == '/';
}
std::size_t q_width(unsigned char c) noexcept { return q_literal(c) || c == ' ' ? 1 : 3; }

/// The bytes of the character at i: a byte and its UTF-8 continuation bytes,
/// at most four, so that invalid UTF-8 (a long run of continuation bytes)
/// still makes progress.
std::size_t char_length(std::string_view s, std::size_t i) noexcept {
  std::size_t n = 1;
  while (n < 4 && i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
  return n;
}

std::size_t b_width(std::size_t bytes) noexcept { return base64::encoded_size(bytes); }

/// How many bytes of text from pos, in whole characters, fit `room` encoded characters.
std::size_t fit(std::string_view text, std::size_t pos, std::size_t room, word_encoding enc) noexcept {
  std::size_t taken = 0;
  std::size_t width = 0;
  while (pos + taken < text.size()) {
    const std::size_t n = char_length(text, pos + taken);
    std::size_t w = 0;
    if (enc == word_encoding::b) {
      w = b_width(taken + n) - width;
    } else {
      for (std::size_t i = 0; i < n; ++i) w += q_width(static_cast<unsigned char>(text[pos + taken + i]));
    }
    if (width + w > room) break;
    width += w;
    taken += n;
  }
  return taken;
}

void append_q(std::string& out, std::string_view chunk) {
  for (const char c : chunk) {
    const auto u = static_cast<unsigned char>(c);
    if (q_literal(u)) {
      out += c;
    } else if (c == ' ') {
      out += '_';
    } else {
      out += '=';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool looks_like_word(std::string_view token) noexcept {
  return token.size() >= 4 && token.substr(0, 2) == "=?" && token.substr(token.size() - 2) == "?=";
}

}  // namespace

bool needs_encoded_words(std::string_view text) noexcept {
  if (text.empty()) return false;
  if (is_wsp(text.front()) || is_wsp(text.back())) return true;
  if (text.find("=?") != std::string_view::npos) return true;
  // A run of whitespace and the word after it must fit a folded line (77 with
  // the space the first word gets after the colon).
  std::size_t segment = 1;
  bool in_word = true;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 32 && c != '\t') || u >= 127) return true;
    if (is_wsp(c)) {
      if (in_word) segment = 0;
      in_word = false;
    } else {
      in_word = true;
    }
    if (++segment > fold_column - 1) return true;
  }
  return false;
}

void append_encoded_words(std::string& out, std::size_t& column, std::string_view text, word_encoding encoding) {
  if (text.empty()) return;
  if (encoding == word_encoding::automatic) {
    std::size_t q = 0;
    for (const char c : text) q += q_width(static_cast<unsigned char>(c));
    encoding = q <= b_width(text.size()) ? word_encoding::q : word_encoding::b;
  }
  const std::string_view prefix = encoding == word_encoding::b ? b_prefix : q_prefix;
  std::size_t pos = 0;
  while (pos < text.size()) {
    // The word goes after a space on this line, if any of it fits there.
    const std::size_t used = column + 1 + overhead;
    std::size_t room = used < max_word_line ? max_word_line - used : 0;
    room = std::min(room, max_word - overhead);
    std::size_t take = fit(text, pos, room, encoding);
    if (take == 0 && column > 0) {
      out += "\r\n";
      column = 0;
      continue;
    }
    // On a fresh line 62 characters are free: any character (at most 4 bytes,
    // 12 characters in Q) fits, so this only guards against a broken caller.
    if (take == 0) take = char_length(text, pos);
    const std::string_view chunk = text.substr(pos, take);
    const std::size_t at = out.size();
    out += ' ';
    out += prefix;
    if (encoding == word_encoding::b) {
      out.resize(out.size() + b_width(chunk.size()));
      base64::encode(chunk, out.data() + out.size() - b_width(chunk.size()));
    } else {
      append_q(out, chunk);
    }
    out += "?=";
    column += out.size() - at;
    pos += take;
  }
}

void append_unstructured(std::string& out, std::size_t& column, std::string_view text, word_encoding encoding) {
  if (text.empty()) return;
  if (needs_encoded_words(text)) {
    append_encoded_words(out, column, text, encoding);
    return;
  }
  // No leading or trailing whitespace here, so the text is word (space word)*.
  // A fold goes before a run of whitespace, which then starts the next line:
  // unfolding (removing the CRLF) gives the text back byte for byte.
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    const std::size_t space_start = pos;
    while (pos < text.size() && is_wsp(text[pos])) ++pos;
    const std::size_t word_start = pos;
    while (pos < text.size() && !is_wsp(text[pos])) ++pos;
    const std::string_view space = first ? std::string_view(" ") : text.substr(space_start, word_start - space_start);
    const std::string_view word = text.substr(word_start, pos - word_start);
    if (column + space.size() + word.size() > fold_column) {
      out += "\r\n";
      column = 0;
    }
    out += space;
    out += word;
    column += space.size() + word.size();
    first = false;
  }
}

bool decode_word(std::string_view token, std::string& out) {
  if (!looks_like_word(token)) return false;
  const std::string_view inner = token.substr(2, token.size() - 4);
  const std::size_t q1 = inner.find('?');
  if (q1 == std::string_view::npos || q1 == 0) return false;
  for (std::size_t i = 0; i < q1; ++i)
    if (!is_token_char(inner[i])) return false;
  const std::string_view rest = inner.substr(q1 + 1);
  if (rest.size() < 2 || rest[1] != '?') return false;
  const char enc = rest[0];
  const std::string_view text = rest.substr(2);
  for (const char c : text)
    if (c < 33 || c > 126 || c == '?') return false;
  if (enc == 'B' || enc == 'b') {
    std::error_code ec;
    std::string bytes = base64::decode(text, ec);
    if (ec) return false;
    out += bytes;
    return true;
  }
  if (enc != 'Q' && enc != 'q') return false;
  std::string bytes;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_') {
      bytes += ' ';
    } else if (c == '=') {
      if (i + 2 >= text.size()) return false;
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return false;
      bytes += static_cast<char>(hi << 4 | lo);
      i += 2;
    } else {
      bytes += c;
    }
  }
  out += bytes;
  return true;
}

std::string decode_text(std::string_view field_body, finding_log* log, std::uint64_t offset) {
  const std::string unfolded = unfold(field_body);
  std::string_view s = unfolded;
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  std::string out;
  out.reserve(s.size());
  bool after_word = false;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t space_start = pos;
    while (pos < s.size() && is_wsp(s[pos])) ++pos;
    const std::size_t token_start = pos;
    while (pos < s.size() && !is_wsp(s[pos])) ++pos;
    const std::string_view space = s.substr(space_start, token_start - space_start);
    const std::string_view token = s.substr(token_start, pos - token_start);
    std::string decoded;
    if (looks_like_word(token) && decode_word(token, decoded)) {
      if (!after_word) out += space;
      out += decoded;
      after_word = true;
      if (log && token.size() > max_word)
        log->add(rules::encoded_word, "encoded word longer than 75 characters", offset);
      continue;
    }
    if (log && looks_like_word(token)) log->add(rules::encoded_word, "malformed encoded word kept as text", offset);
    out += space;
    out += token;
    after_word = false;
  }
  return out;
}

}  // namespace ehlo::proto::mime
