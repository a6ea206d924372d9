#include "report/xml_escape.hpp"

#include "report/printable.hpp"

namespace ehlo::report {

namespace {

std::string_view entity(char c, bool attribute) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '\r':
      return "&#13;";
    default:
      break;
  }
  if (!attribute) return {};
  switch (c) {
    case '"':
      return "&quot;";
    case '\'':
      return "&apos;";
    case '\t':
      return "&#9;";
    case '\n':
      return "&#10;";
    default:
      return {};
  }
}

void append_escaped(std::string& out, std::string_view in, bool attribute) {
  std::string clean;
  append_printable(clean, in, true);
  out.reserve(out.size() + clean.size());
  const std::string_view specials = attribute ? std::string_view("&<>\r\"'\t\n") : std::string_view("&<>\r");
  std::string_view rest = clean;
  for (std::size_t at; (at = rest.find_first_of(specials)) != std::string_view::npos;) {
    out += rest.substr(0, at);
    out += entity(rest[at], attribute);
    rest.remove_prefix(at + 1);
  }
  out += rest;
}

}  // namespace

void append_xml_text(std::string& out, std::string_view in) { append_escaped(out, in, false); }
void append_xml_attribute(std::string& out, std::string_view in) { append_escaped(out, in, true); }

}  // namespace ehlo::report
