#include "report/html_escape.hpp"

#include "report/printable.hpp"

namespace ehlo::report {

void append_html(std::string& out, std::string_view in, std::size_t max) {
  std::string clean;
  if (in.size() > max)
    append_printable(clean, in, false, max);
  else
    append_printable(clean, in, false);
  out.reserve(out.size() + clean.size());
  std::string_view rest = clean;
  for (std::size_t at; (at = rest.find_first_of("&<>\"'")) != std::string_view::npos;) {
    out += rest.substr(0, at);
    switch (rest[at]) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += "&#39;";
        break;
    }
    rest.remove_prefix(at + 1);
  }
  out += rest;
}

void append_html_marking_controls(std::string& out, std::string_view in, std::size_t max) {
  static constexpr std::string_view names[] = {
      "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT",  "LF",  "VT", "FF", "CR", "SO", "SI", "DLE",
      "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC", "FS", "GS", "RS", "US", "SP", "DEL"};
  std::string escaped;
  append_html(escaped, in, max);
  std::string_view rest = escaped;
  // U+2400..U+2421 is E2 90 80..A1 in UTF-8.
  for (std::size_t at; (at = rest.find("\xE2\x90")) != std::string_view::npos;) {
    const auto third = at + 2 < rest.size() ? static_cast<unsigned char>(rest[at + 2]) : 0;
    if (third < 0x80 || third > 0xA1) {
      out += rest.substr(0, at + 2);
      rest.remove_prefix(at + 2);
      continue;
    }
    out += rest.substr(0, at);
    out += "<span class=\"ctl\">";
    out += names[third - 0x80];
    out += "</span>";
    rest.remove_prefix(at + 3);
  }
  out += rest;
}

}  // namespace ehlo::report
