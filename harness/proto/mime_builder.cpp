#include "proto/mime_builder.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

#include "proto/base64.hpp"
#include "proto/mime_error.hpp"
#include "proto/mime_header.hpp"
#include "proto/quoted_printable.hpp"

namespace ehlo::proto::mime {

namespace {

constexpr std::size_t fold_column = 78;
constexpr std::size_t max_text_line = 998;
constexpr char hex_digits[] = "0123456789abcdef";
constexpr std::string_view extension_alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// SplitMix64: a tiny generator whose sequence is fixed by its seed on every
/// platform (std::uniform_int_distribution's is not).
class generator {
 public:
  explicit generator(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

std::string hex64(std::uint64_t v) {
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = hex_digits[v & 15];
  return s;
}

struct context {
  explicit context(const build_options& o) : options(o), random(o.seed) {}

  const build_options& options;
  generator random;
  std::size_t serial = 0;
  std::error_code ec;
};

bool is_atext(char c) noexcept {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (const char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

bool valid_type(std::string_view type) noexcept {
  const std::size_t slash = type.find('/');
  return slash != std::string_view::npos && is_token(type.substr(0, slash)) && is_token(type.substr(slash + 1));
}

bool starts_with_ci(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool valid_field_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 76) return false;
  for (const char c : name)
    if (!is_ftext(c)) return false;
  return true;
}

bool printable(std::string_view s) noexcept {
  for (const char c : s)
    if (c < 32 || c > 126) return false;
  return true;
}

bool valid_address(std::string_view a) noexcept {
  if (a.empty() || a.size() > 254) return false;
  for (const char c : a)
    if (c < 33 || c > 126 || std::string_view("<>(),;\\\"").find(c) != std::string_view::npos) return false;
  return true;
}

/// Whether body can travel as it is: no NUL, CR and LF only as CRLF, lines of
/// at most 998 octets (RFC 5322 §2.1.1, RFC 2045 §2.7-2.8), and ASCII unless
/// 8-bit bytes are allowed.
bool sendable_as_is(std::string_view body, bool allow_8bit) noexcept {
  std::size_t line = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const auto u = static_cast<unsigned char>(body[i]);
    if (u == '\r') {
      if (i + 1 >= body.size() || body[i + 1] != '\n') return false;
      ++i;
      line = 0;
      continue;
    }
    if (u == '\n' || u == 0 || (u >= 128 && !allow_8bit)) return false;
    if (++line > max_text_line) return false;
  }
  return true;
}

void begin_field(std::string& out, std::size_t& column, std::string_view name) {
  out += name;
  out += ':';
  column = name.size() + 1;
}

/// Puts `piece` (which starts with a space) on this line, or after a fold.
void append_piece(std::string& out, std::size_t& column, std::string_view piece) {
  if (column + piece.size() > fold_column && column > 0) {
    out += "\r\n";
    column = 0;
  }
  out += piece;
  column += piece.size();
}

bool is_attribute_char(char c) noexcept { return is_token_char(c) && c != '*' && c != '\'' && c != '%'; }

/// A parameter: a token as it is, printable ASCII as a quoted string (when it
/// fits a line), anything else as an RFC 2231 extended value in UTF-8, cut into
/// numbered sections that fit a line. Each piece goes after "; " on the
/// current line, or after ";" and a fold.
void append_parameter(std::string& out, std::size_t& column, std::string_view name, std::string_view value) {
  std::vector<std::string> pieces;
  std::string quoted;
  for (const char c : value) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  if (is_token(value) && 1 + name.size() + 1 + value.size() <= fold_column) {
    pieces.push_back(std::string(name) + "=" + std::string(value));
  } else if (printable(value) && 1 + name.size() + 3 + quoted.size() <= fold_column) {
    pieces.push_back(std::string(name) + "=\"" + quoted + "\"");
  } else {
    std::string pct;
    for (const char c : value) {
      if (is_attribute_char(c)) {
        pct += c;
      } else {
        const auto u = static_cast<unsigned char>(c);
        pct += '%';
        pct += "0123456789ABCDEF"[u >> 4];
        pct += "0123456789ABCDEF"[u & 15];
      }
    }
    constexpr std::string_view charset = "UTF-8''";
    if (1 + name.size() + 2 + charset.size() + pct.size() <= fold_column) {
      pieces.push_back(std::string(name) + "*=" + std::string(charset) + pct);
    } else {
      constexpr std::size_t section = 48;  // leaves room for the name, the number and the charset
      std::size_t pos = 0;
      for (std::size_t n = 0; pos < pct.size(); ++n) {
        std::size_t take = std::min(section, pct.size() - pos);
        // Never cut a %XX triple.
        if (pos + take < pct.size()) {
          if (pct[pos + take - 1] == '%')
            take -= 1;
          else if (take >= 2 && pct[pos + take - 2] == '%')
            take -= 2;
        }
        pieces.push_back(std::string(name) + "*" + std::to_string(n) + "*=" + (n == 0 ? std::string(charset) : "") +
                         pct.substr(pos, take));
        pos += take;
      }
    }
  }
  for (const auto& piece : pieces) {
    if (column + 2 + piece.size() <= fold_column) {
      out += "; ";
      column += 2;
    } else {
      out += ";\r\n ";
      column = 1;
    }
    out += piece;
    column += piece.size();
  }
}

void append_mailbox(std::string& out, std::size_t& column, const mailbox& m, context& ctx) {
  if (!valid_address(m.address)) {
    ctx.ec = error::bad_address;
    return;
  }
  if (m.name.empty()) {
    append_piece(out, column, " " + m.address);
    return;
  }
  const std::string angle = " <" + m.address + ">";
  // A phrase of atoms goes as it is, printable ASCII as a quoted string, if
  // the whole mailbox fits a line; anything else as encoded words.
  bool atoms = !needs_encoded_words(m.name);
  for (std::size_t i = 0; atoms && i < m.name.size(); ++i) {
    const char c = m.name[i];
    atoms = is_atext(c) || (c == ' ' && m.name[i + 1] != ' ');
  }
  std::string phrase;
  if (atoms) {
    phrase = m.name;
  } else if (!needs_encoded_words(m.name)) {
    phrase = '"';
    for (const char c : m.name) {
      if (c == '"' || c == '\\') phrase += '\\';
      phrase += c;
    }
    phrase += '"';
  }
  if (!phrase.empty() && 1 + phrase.size() + angle.size() < fold_column) {
    append_piece(out, column, " " + phrase + angle);
    return;
  }
  append_encoded_words(out, column, m.name, ctx.options.words);
  append_piece(out, column, angle);
}

void append_text_field(std::string& out, std::string_view name, std::string_view value, context& ctx) {
  if (!valid_field_name(name)) {
    ctx.ec = error::bad_field_name;
    return;
  }
  std::size_t column = 0;
  begin_field(out, column, name);
  append_unstructured(out, column, value, ctx.options.words);
  out += "\r\n";
}

/// The boundary of a multipart whose parts, already written, are `parts`.
///
/// Why it never occurs in the content. A reader recognises a delimiter by a
/// line that begins with "--" and the boundary (RFC 2046 §5.1.1 asks it to
/// compare only the beginning of the line), and it checks the boundaries of
/// every enclosing multipart too. So the claim is: no line of the multipart's
/// body but its own delimiter lines begins with "--" + b, for b this
/// boundary, and the same holds for the boundaries nested inside it.
///
/// 1. Enforced, not hoped for. The loop below scans every line of every part
///    as it will be sent (headers, bodies, nested multiparts with their
///    delimiters) and, while some line begins with "--" + b, appends to b a
///    character that the fewest of those lines continue with. With k such
///    lines and 62 characters to choose from, the best one is followed by at
///    most k / 62 of them, so k shrinks by a factor 62 each round and reaches
///    0 within 1 + log62(k) rounds: at most 11 characters for 2^64 lines, so b
///    stays within the 70 characters RFC 2046 allows (2 + 20 + 1 + 16 + 11).
///    The parts are written before their parent's boundary is chosen, and a
///    parent scans its parts whole, so every enclosing boundary is checked
///    against every line it encloses. The lines a parent adds between its
///    parts are its own delimiter lines.
/// 2. Boundaries never shadow each other. Each is "=_" serial "." hex...,
///    with a serial number unique in the message: two boundaries differ in
///    their serial part, which ends at the '.', so neither is a prefix of the
///    other and a delimiter line of one never begins with "--" and the other.
/// 3. Why the scan almost never extends b. A line of base64 never begins with
///    '-' (not in the alphabet); quoted-printable output never holds "=_"
///    (every '=' it writes is followed by a hex digit or CR); the builder's
///    header lines begin with a field name and a colon or, folded, with a
///    space. So only 7bit/8bit text, a caller's field name, or a nested
///    boundary that this one is a prefix of can begin a line with "--=_" b,
///    and (2) rules out the last. Finding a random 64-bit tag in the text
///    needs the text to contain it: the extension step is for adversarial
///    content (the fuzzer's), and it is what makes the claim a proof.
std::string choose_boundary(const std::vector<std::string>& parts, std::size_t serial, context& ctx) {
  std::string b = "=_" + std::to_string(serial) + "." + hex64(ctx.random.next());
  for (;;) {
    const std::string dash = "--" + b;
    std::array<std::size_t, extension_alphabet.size()> next{};
    std::size_t hits = 0;
    const auto check = [&](std::string_view text, std::size_t line) {
      if (text.compare(line, dash.size(), dash) != 0) return;
      ++hits;
      if (line + dash.size() < text.size()) {
        const std::size_t i = extension_alphabet.find(text[line + dash.size()]);
        if (i != std::string_view::npos) ++next[i];
      }
    };
    for (const std::string_view text : parts) {
      check(text, 0);
      for (std::size_t at = text.find("\r\n--"); at != std::string_view::npos; at = text.find("\r\n--", at + 2))
        check(text, at + 2);
    }
    if (hits == 0) return b;
    std::size_t best = 0;
    for (std::size_t i = 1; i < next.size(); ++i)
      if (next[i] < next[best]) best = i;
    b += extension_alphabet[best];
  }
}

transfer_encoding resolve_encoding(const part& p, context& ctx) {
  if (!p.filename.empty()) return transfer_encoding::base64;
  const bool text = starts_with_ci(p.type, "text/");
  const bool message = starts_with_ci(p.type, "message/");
  switch (p.encoding) {
    case transfer_encoding::seven_bit:
    case transfer_encoding::eight_bit:
      if (!sendable_as_is(p.body, p.encoding == transfer_encoding::eight_bit)) ctx.ec = error::body_needs_encoding;
      return p.encoding;
    case transfer_encoding::quoted_printable:
    case transfer_encoding::base64:
      if (message) ctx.ec = error::body_needs_encoding;  // RFC 2046 §5.2.1: message/* is 7bit, 8bit or binary
      return p.encoding;
    case transfer_encoding::automatic:
      break;
  }
  // Not text: bytes whose ASCII look is a coincidence, and whose line breaks
  // must not be read as text's. base64 carries them unchanged.
  if (!text && !message) return transfer_encoding::base64;
  if (sendable_as_is(p.body, false)) return transfer_encoding::seven_bit;
  if (ctx.options.allow_8bit && sendable_as_is(p.body, true)) return transfer_encoding::eight_bit;
  if (message) ctx.ec = error::body_needs_encoding;
  return transfer_encoding::quoted_printable;
}

std::string_view encoding_name(transfer_encoding e) noexcept {
  switch (e) {
    case transfer_encoding::eight_bit:
      return "8bit";
    case transfer_encoding::quoted_printable:
      return "quoted-printable";
    case transfer_encoding::base64:
      return "base64";
    default:
      return "7bit";
  }
}

void append_extra_fields(std::string& out, const std::vector<field>& fields, context& ctx) {
  for (const auto& f : fields) {
    append_text_field(out, f.name, f.value, ctx);
    if (ctx.ec) return;
  }
}

std::string render(const part& p, std::size_t depth, context& ctx) {
  if (!valid_type(p.type)) {
    ctx.ec = error::bad_content_type;
    return {};
  }
  std::string out;
  if (starts_with_ci(p.type, "multipart/")) {
    if (depth >= ctx.options.max_depth) {
      ctx.ec = error::too_deep;
      return {};
    }
    if (p.parts.empty()) {
      ctx.ec = error::empty_multipart;
      return {};
    }
    const std::size_t serial = ctx.serial++;
    std::vector<std::string> parts;
    parts.reserve(p.parts.size());
    for (const auto& child : p.parts) {
      parts.push_back(render(child, depth + 1, ctx));
      if (ctx.ec) return {};
    }
    const std::string b = choose_boundary(parts, serial, ctx);
    std::size_t size = 256;
    for (const auto& text : parts) size += text.size() + b.size() + 6;
    out.reserve(size);
    std::size_t column = 0;
    begin_field(out, column, "Content-Type");
    out += ' ';
    out += p.type;
    column += 1 + p.type.size();
    append_parameter(out, column, "boundary", b);
    out += "\r\n";
    append_extra_fields(out, p.fields, ctx);
    if (ctx.ec) return {};
    out += "\r\n";
    // No preamble: the body starts with the first delimiter; each part is
    // followed by CRLF "--" b, the CRLF being the delimiter's (RFC 2046 §5.1.1).
    for (const auto& text : parts) {
      out += "--";
      out += b;
      out += "\r\n";
      out += text;
      out += "\r\n";
    }
    out += "--";
    out += b;
    out += "--\r\n";
    return out;
  }
  if (!p.parts.empty()) {
    ctx.ec = error::not_multipart;
    return {};
  }
  if (!p.charset.empty() && !is_token(p.charset)) {
    ctx.ec = error::bad_content_type;
    return {};
  }
  const transfer_encoding encoding = resolve_encoding(p, ctx);
  if (ctx.ec) return {};
  std::size_t column = 0;
  begin_field(out, column, "Content-Type");
  out += ' ';
  out += p.type;
  column += 1 + p.type.size();
  if (starts_with_ci(p.type, "text/"))
    append_parameter(out, column, "charset", p.charset.empty() ? "UTF-8" : p.charset);
  if (!p.filename.empty()) append_parameter(out, column, "name", p.filename);
  out += "\r\nContent-Transfer-Encoding: ";
  out += encoding_name(encoding);
  out += "\r\n";
  if (!p.filename.empty()) {
    begin_field(out, column, "Content-Disposition");
    out += " attachment";
    column += 11;
    append_parameter(out, column, "filename", p.filename);
    out += "\r\n";
  }
  append_extra_fields(out, p.fields, ctx);
  if (ctx.ec) return {};
  out += "\r\n";
  switch (encoding) {
    case transfer_encoding::quoted_printable:
      return out + qp::encode(p.body);
    case transfer_encoding::base64:
      return out + base64::encode_lines(p.body);
    default:
      return out + p.body;
  }
}

}  // namespace

part text_part(std::string text) {
  part p;
  p.body = std::move(text);
  return p;
}

part html_part(std::string html) {
  part p;
  p.type = "text/html";
  p.body = std::move(html);
  return p;
}

part attachment(std::string bytes, std::string filename, std::string type) {
  part p;
  p.type = std::move(type);
  p.body = std::move(bytes);
  p.filename = std::move(filename);
  p.encoding = transfer_encoding::base64;
  return p;
}

part multipart(std::string subtype, std::vector<part> parts) {
  part p;
  p.type = "multipart/" + subtype;
  p.parts = std::move(parts);
  return p;
}

std::string build_entity(const part& p, const build_options& options, std::error_code& ec) {
  context ctx(options);
  std::string out = render(p, 0, ctx);
  ec = ctx.ec;
  if (ec) out.clear();
  return out;
}

std::string build(const message& m, const build_options& options, std::error_code& ec) {
  context ctx(options);
  std::string out;
  const auto fail = [&] {
    ec = ctx.ec;
    return std::string();
  };
  // The Message-ID's tag is drawn first, so it does not depend on the body.
  const std::string tag = hex64(ctx.random.next());
  const std::string date = m.date.empty() ? format_date(options.time) : m.date;
  const std::string id = m.message_id.empty() ? "<" + tag + "@" + options.domain + ">" : m.message_id;
  if (!printable(date) || !printable(id) || id.empty()) {
    ctx.ec = error::bad_field_value;
    return fail();
  }
  std::size_t column = 0;
  out += "Date: " + date + "\r\n";
  if (!m.from.address.empty()) {
    begin_field(out, column, "From");
    append_mailbox(out, column, m.from, ctx);
    out += "\r\n";
  }
  if (!m.to.empty()) {
    begin_field(out, column, "To");
    for (std::size_t i = 0; i < m.to.size() && !ctx.ec; ++i) {
      if (i > 0) {
        out += ',';
        ++column;
      }
      append_mailbox(out, column, m.to[i], ctx);
    }
    out += "\r\n";
  }
  if (ctx.ec) return fail();
  if (!m.subject.empty()) append_text_field(out, "Subject", m.subject, ctx);
  out += "Message-ID: " + id + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  append_extra_fields(out, m.fields, ctx);
  if (ctx.ec) return fail();
  const std::string entity = render(m.body, 0, ctx);
  if (ctx.ec) return fail();
  out.reserve(out.size() + entity.size());
  out += entity;
  ec = {};
  return out;
}

std::string format_date(std::int64_t unix_seconds, int utc_offset_minutes) {
  using namespace std::chrono;
  static constexpr const char* day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_seconds local{seconds{unix_seconds + std::int64_t{utc_offset_minutes} * 60}};
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> time{local - day};
  const unsigned wd = weekday{day}.c_encoding();
  const int offset = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d %c%02d%02d", day_names[wd],
                static_cast<unsigned>(ymd.day()), month_names[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()),
                utc_offset_minutes < 0 ? '-' : '+', offset / 60, offset % 60);
  return buf;
}

}  // namespace ehlo::proto::mime
