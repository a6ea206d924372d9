#include "session/describe.hpp"

namespace ehlo::session {

namespace {

void escape_into(std::string& out, std::string_view bytes, std::size_t max, bool quotes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t n = 0;
  for (const char ch : bytes) {
    if (n++ == max) {
      out += "...";
      return;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (quotes && (c == '"' || c == '\\')) {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += ch;  // UTF-8 and other 8-bit bytes as they are: they are text to a terminal, not commands
    }
  }
}

}  // namespace

std::string printable(std::string_view bytes, std::size_t max) {
  std::string out;
  escape_into(out, bytes, max, false);
  return out;
}

std::string quote(std::string_view bytes, std::size_t max) {
  std::string out = "\"";
  escape_into(out, bytes, max, true);
  out += '"';
  return out;
}

std::string excerpt(std::string_view unit, std::size_t from, std::size_t max) {
  if (unit.size() <= max || from == 0 || from >= unit.size()) return quote(unit, max);
  return "... " + quote(unit.substr(from), max);
}

std::string to_string(scenario::duration d) {
  const auto ms = d.count();
  if (ms % 60000 == 0 && ms >= 60000) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string frac = std::to_string(ms % 1000 + 1000).substr(1);
  while (frac.ends_with('0')) frac.pop_back();
  return std::to_string(ms / 1000) + "." + frac + "s";
}

std::string lines_joined(std::span<const std::string> lines, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += " / ";
    if (out.size() >= max) {
      out += "... (" + std::to_string(lines.size()) + " lines)";
      break;
    }
    escape_into(out, lines[i], max - out.size(), false);
  }
  return out;
}

std::string codes_text(std::span<const scenario::code_pattern> codes) {
  std::string out;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (i > 0) out += i + 1 == codes.size() ? " or " : ", ";
    out.append(codes[i].c, 3);
  }
  return out;
}

std::string describe(const scenario::fault_plan& f) {
  using plan = scenario::fault_plan;
  std::string out;
  const auto part = [&](const std::string& p) { out += (out.empty() ? "" : ", ") + p; };
  if (f.stall) part("nothing sent; waits " + to_string(*f.stall) + " for the close");
  if (f.delay) part("after " + to_string(*f.delay));
  switch (f.how) {
    case plan::split::whole:
      break;
    case plan::split::bytewise:
      part("a byte per write");
      break;
    case plan::split::random:
      part("writes of random sizes (--seed)");
      break;
    case plan::split::sizes: {
      std::string sizes;
      for (const auto n : f.chunks) sizes += (sizes.empty() ? "" : ", ") + std::to_string(n);
      part("writes of " + sizes + " bytes");
      break;
    }
  }
  if (f.gap.count() > 0) part(to_string(f.gap) + " between writes");
  if (f.ends != plan::line_end::crlf) part(f.ends == plan::line_end::lf ? "LF line ends" : "CR line ends");
  if (!f.inject.empty())
    part(std::to_string(f.inject.size()) + (f.inject.size() == 1 ? " line" : " lines") + " injected");
  if (f.cut) part("the first " + std::to_string(*f.cut) + " bytes and then the close");
  return out;
}

}  // namespace ehlo::session
