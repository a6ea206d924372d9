#include "report/printable.hpp"

#include <cstddef>
#include <cstdint>

namespace ehlo::report {

namespace {

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  }
  out += static_cast<char>(0x80 | (cp & 0x3F));
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the well-formed UTF-8 sequence at in[i] (lead byte >= 0x80),
// or 0 with `bad` set to the length of its maximal invalid subpart (at least 1),
// as Unicode's "U+FFFD substitution of maximal subparts" counts it.
std::size_t sequence_length(std::string_view in, std::size_t i, std::size_t& bad) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(in[i + k]); };
  const unsigned char lead = b(0);
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 3;
    if (lead == 0xE0) lo = 0xA0;  // no overlong forms
    if (lead == 0xED) hi = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 4;
    if (lead == 0xF0) lo = 0x90;  // no overlong forms
    if (lead == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
  } else {
    bad = 1;
    return 0;
  }
  std::size_t k = 1;
  for (; k < need && i + k < in.size(); ++k) {
    const unsigned char c = b(k);
    const bool ok = k == 1 ? (c >= lo && c <= hi) : is_continuation(c);
    if (!ok) break;
  }
  if (k == need) return need;
  bad = k;
  return 0;
}

char32_t decode(std::string_view in, std::size_t i, std::size_t n) {
  const auto b = [&](std::size_t k) { return static_cast<char32_t>(static_cast<unsigned char>(in[i + k])); };
  if (n == 2) return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
  if (n == 3) return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
  return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
}

}  // namespace

void append_printable(std::string& out, std::string_view in, bool keep_cr) {
  out.reserve(out.size() + in.size());
  std::size_t i = 0;
  while (i < in.size()) {
    // Plain runs (printable ASCII, TAB, LF) are copied whole.
    std::size_t run = i;
    while (run < in.size()) {
      const auto c = static_cast<unsigned char>(in[run]);
      if ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || (c == '\r' && keep_cr))
        ++run;
      else
        break;
    }
    out.append(in.substr(i, run - i));
    i = run;
    if (i == in.size()) break;

    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x20) {
      append_utf8(out, 0x2400 + c);
      ++i;
      continue;
    }
    if (c == 0x7F) {
      append_utf8(out, 0x2421);
      ++i;
      continue;
    }
    std::size_t bad = 0;
    const std::size_t n = sequence_length(in, i, bad);
    if (n == 0) {
      out += replacement;
      i += bad;
      continue;
    }
    const char32_t cp = decode(in, i, n);
    if ((cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF)
      out += replacement;
    else
      out.append(in.substr(i, n));
    i += n;
  }
}

void append_printable(std::string& out, std::string_view in, bool keep_cr, std::size_t max) {
  if (in.size() <= max) {
    append_printable(out, in, keep_cr);
    return;
  }
  std::size_t cut = max;
  // Back to the start of a sequence, at most 3 bytes: a stray continuation byte stays U+FFFD.
  for (std::size_t k = 0; k < 3 && cut > 0 && is_continuation(static_cast<unsigned char>(in[cut])); ++k) --cut;
  append_printable(out, in.substr(0, cut), keep_cr);
  out += "...";
}

}  // namespace ehlo::report
