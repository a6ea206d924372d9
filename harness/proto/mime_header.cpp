#include "proto/mime_header.hpp"

namespace ehlo::proto::mime {

namespace {

constexpr char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Skips whitespace, folds (CRLF WSP) and comments, which may nest and hold
/// quoted-pairs. False on an unterminated comment.
bool skip_cfws(std::string_view s, std::size_t& pos) noexcept {
  for (;;) {
    if (pos < s.size() && is_wsp(s[pos])) {
      ++pos;
    } else if (pos + 2 < s.size() && s[pos] == '\r' && s[pos + 1] == '\n' && is_wsp(s[pos + 2])) {
      pos += 3;
    } else if (pos < s.size() && s[pos] == '(') {
      // Nesting is counted, not recursed into: a hostile value cannot grow the stack.
      std::size_t depth = 0;
      do {
        if (pos >= s.size()) return false;
        const char c = s[pos++];
        if (c == '\\') {
          if (pos >= s.size()) return false;
          ++pos;
        } else if (c == '(') {
          ++depth;
        } else if (c == ')') {
          --depth;
        }
      } while (depth > 0);
    } else {
      return true;
    }
  }
}

std::string_view read_token(std::string_view s, std::size_t& pos) noexcept {
  const std::size_t start = pos;
  while (pos < s.size() && is_token_char(s[pos])) ++pos;
  return s.substr(start, pos - start);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_token_char(char c) noexcept {
  if (c < 33 || c > 126) return false;
  switch (c) {
    case '(':
    case ')':
    case '<':
    case '>':
    case '@':
    case ',':
    case ';':
    case ':':
    case '\\':
    case '"':
    case '/':
    case '[':
    case ']':
    case '?':
    case '=':
      return false;
    default:
      return true;
  }
}

bool is_bchar_nospace(char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '\'':
    case '(':
    case ')':
    case '+':
    case '_':
    case ',':
    case '-':
    case '.':
    case '/':
    case ':':
    case '=':
    case '?':
      return true;
    default:
      return false;
  }
}

line_kind classify_line(std::string_view line) noexcept {
  std::size_t i = 0;
  while (i < line.size() && is_ftext(line[i])) ++i;
  if (i == line.size()) return line_kind::undecided;
  if (i == 0) return line_kind::not_field;
  while (i < line.size() && is_wsp(line[i])) ++i;
  if (i == line.size()) return line_kind::undecided;
  return line[i] == ':' ? line_kind::field : line_kind::not_field;
}

bool field_reader::next(header_field& f) noexcept {
  while (pos_ < block_.size()) {
    const std::size_t start = pos_;
    // A field runs to the CRLF that is not followed by WSP.
    std::size_t end = start;
    for (;;) {
      const std::size_t crlf = block_.find("\r\n", end);
      if (crlf == std::string_view::npos) {
        end = pos_ = block_.size();
        break;
      }
      end = crlf;
      pos_ = crlf + 2;
      if (pos_ >= block_.size() || !is_wsp(block_[pos_])) break;
      end = pos_;
    }
    const std::string_view text = block_.substr(start, end - start);
    if (classify_line(text) != line_kind::field) continue;
    const std::size_t colon = text.find(':');
    std::size_t name_end = colon;
    while (name_end > 0 && is_wsp(text[name_end - 1])) --name_end;
    f.name = text.substr(0, name_end);
    f.value = text.substr(colon + 1);
    f.offset = start;
    return true;
  }
  return false;
}

bool find_field(std::string_view block, std::string_view name, std::string_view& value) noexcept {
  field_reader r(block);
  header_field f;
  while (r.next(f)) {
    if (iequals(f.name, name)) {
      value = f.value;
      return true;
    }
  }
  return false;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\r' && i + 2 < value.size() && value[i + 1] == '\n' && is_wsp(value[i + 2])) {
      ++i;
      continue;
    }
    out += value[i];
  }
  return out;
}

content_type_status parse_content_type(std::string_view value, content_type& out) noexcept {
  out = {};
  std::size_t pos = 0;
  if (!skip_cfws(value, pos)) return content_type_status::bad_type;
  const auto type = read_token(value, pos);
  if (type.empty() || !skip_cfws(value, pos) || pos >= value.size() || value[pos] != '/')
    return content_type_status::bad_type;
  ++pos;
  if (!skip_cfws(value, pos)) return content_type_status::bad_type;
  const auto subtype = read_token(value, pos);
  if (subtype.empty()) return content_type_status::bad_type;
  out.type = type;
  out.subtype = subtype;
  out.parameters = value.substr(pos);
  parameter_reader r(out.parameters);
  parameter p;
  while (r.next(p)) {
  }
  return r.bad() ? content_type_status::bad_parameter : content_type_status::ok;
}

bool parameter_reader::next(parameter& p) noexcept {
  if (bad_) return false;
  const auto fail = [this] {
    bad_ = true;
    return false;
  };
  const std::string_view s = text_;
  if (!skip_cfws(s, pos_)) return fail();
  if (pos_ >= s.size()) return false;
  if (s[pos_] != ';') return fail();
  ++pos_;
  if (!skip_cfws(s, pos_)) return fail();
  const auto name = read_token(s, pos_);  // empty too after a trailing ';', which RFC 2045 has no room for
  if (name.empty() || !skip_cfws(s, pos_) || pos_ >= s.size() || s[pos_] != '=') return fail();
  ++pos_;
  if (!skip_cfws(s, pos_)) return fail();
  if (pos_ < s.size() && s[pos_] == '"') {
    const std::size_t start = ++pos_;
    for (;;) {
      if (pos_ >= s.size()) return fail();
      const char c = s[pos_];
      if (c == '"') break;
      if (c == '\\') {
        if (pos_ + 1 >= s.size()) return fail();
        pos_ += 2;
      } else if (c == '\r' || c == '\n') {
        if (!(c == '\r' && pos_ + 2 < s.size() && s[pos_ + 1] == '\n' && is_wsp(s[pos_ + 2]))) return fail();
        pos_ += 3;
      } else {
        ++pos_;
      }
    }
    p = {name, s.substr(start, pos_ - start), true};
    ++pos_;
    return true;
  }
  const auto value = read_token(s, pos_);
  if (value.empty()) return fail();
  p = {name, value, false};
  return true;
}

bool find_parameter(std::string_view parameters, std::string_view name, parameter& out) noexcept {
  parameter_reader r(parameters);
  parameter p;
  while (r.next(p)) {
    if (iequals(p.name, name)) {
      out = p;
      return true;
    }
  }
  return false;
}

void unquote(const parameter& p, std::string& out) {
  out.clear();
  if (!p.quoted) {
    out.assign(p.value);
    return;
  }
  const std::string_view v = p.value;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      out += v[++i];
    } else if (v[i] == '\r' && i + 1 < v.size() && v[i + 1] == '\n') {
      ++i;  // a fold: the CRLF goes, the WSP after it stays
    } else {
      out += v[i];
    }
  }
}

}  // namespace ehlo::proto::mime
