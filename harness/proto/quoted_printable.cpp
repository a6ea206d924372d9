#include "proto/quoted_printable.hpp"

#include "proto/mime_error.hpp"
#include "proto/mime_header.hpp"

namespace ehlo::proto::qp {

namespace {

constexpr char hex[] = "0123456789ABCDEF";
constexpr std::size_t max_line = 76;

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string encode(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 8 + 16);
  std::size_t column = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '\r' && i + 1 < in.size() && in[i + 1] == '\n') {
      out += "\r\n";
      column = 0;
      ++i;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    const bool at_line_end = i + 1 == in.size() || (in[i + 1] == '\r' && i + 2 < in.size() && in[i + 2] == '\n');
    const bool literal = (u >= 33 && u <= 126 && c != '=') || (mime::is_wsp(c) && !at_line_end);
    const std::size_t width = literal ? 1 : 3;
    // Keep room for the '=' of a soft break, so a line never passes 76.
    if (column + width > max_line - 1) {
      out += "=\r\n";
      column = 0;
    }
    if (literal) {
      out += c;
    } else {
      out += '=';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
    column += width;
  }
  return out;
}

std::string decode(std::string_view in, std::error_code& ec) {
  ec = {};
  std::string out;
  out.reserve(in.size());
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::size_t eol = in.find("\r\n", pos);
    const bool has_break = eol != std::string_view::npos;
    if (!has_break) eol = in.size();
    std::size_t end = eol;
    while (end > pos && mime::is_wsp(in[end - 1])) --end;  // rule 3
    bool soft = false;
    for (std::size_t i = pos; i < end; ++i) {
      const char c = in[i];
      if (c == '\r' || c == '\n') {
        ec = mime::error::bad_quoted_printable;
        return out;
      }
      if (c != '=') {
        out += c;
        continue;
      }
      if (i + 1 == end) {
        soft = true;
        break;
      }
      const int hi = hex_value(in[i + 1]);  // i + 1 < end: the '=' is not last
      const int lo = i + 2 < end ? hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        ec = mime::error::bad_quoted_printable;
        return out;
      }
      out += static_cast<char>(hi << 4 | lo);
      i += 2;
    }
    if (has_break && !soft) out += "\r\n";
    pos = has_break ? eol + 2 : eol;
  }
  return out;
}

}  // namespace ehlo::proto::qp
