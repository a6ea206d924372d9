#include "proto/reply.hpp"

#include <ostream>

namespace ehlo::proto {

namespace {
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
}  // namespace

std::ostream& operator<<(std::ostream& os, const enhanced_status& s) {
  return os << unsigned{s.klass} << '.' << s.subject << '.' << s.detail;
}

std::optional<enhanced_status> parse_enhanced_status(std::string_view text, std::size_t& length) noexcept {
  length = 0;
  if (text.size() < 5 || !is_digit(text[0]) || text[1] != '.') return std::nullopt;
  std::size_t i = 2;
  const auto number = [&](std::uint16_t& out) {
    const std::size_t from = i;
    out = 0;
    while (i < text.size() && i - from < 3 && is_digit(text[i]))
      out = static_cast<std::uint16_t>(out * 10 + (text[i++] - '0'));
    return i > from;
  };
  enhanced_status s;
  s.klass = static_cast<std::uint8_t>(text[0] - '0');
  if (!number(s.subject) || i == text.size() || text[i++] != '.' || !number(s.detail)) return std::nullopt;
  if (i != text.size() && text[i] != ' ') return std::nullopt;  // a fourth digit, or no separator
  length = i;
  return s;
}

}  // namespace ehlo::proto
