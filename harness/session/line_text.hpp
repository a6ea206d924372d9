// Small helpers over the text of lines, shared by both roles.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace ehlo::session {

inline char ascii_upper(char c) noexcept { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

/// ASCII case-insensitive equality (verbs, EHLO keywords, SASL mechanisms).
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_upper(x) == ascii_upper(y); });
}

/// The reply code the first three bytes spell, 0 when they are not digits.
inline unsigned code_of(std::string_view line) noexcept {
  if (line.size() < 3) return 0;
  unsigned v = 0;
  for (int i = 0; i < 3; ++i) {
    if (line[i] < '0' || line[i] > '9') return 0;
    v = v * 10 + static_cast<unsigned>(line[i] - '0');
  }
  return v;
}

/// The lines of `bytes` (cut at CRLF; a last piece without one is a line too)
/// joined by LF: the subject of a capture over raw bytes.
inline std::string lines_of(std::string_view bytes) {
  std::string out;
  while (!bytes.empty()) {
    const std::size_t end = bytes.find("\r\n");
    if (!out.empty()) out += '\n';
    out.append(bytes.substr(0, end));
    bytes = end == std::string_view::npos ? std::string_view() : bytes.substr(end + 2);
  }
  return out;
}

}  // namespace ehlo::session
