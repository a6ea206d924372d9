// MIME header blocks: header fields (RFC 5322 §2.2), Content-Type with its
// parameters (RFC 2045 §5.1), and the character classes both need.
//
// Everything here reads views: a field's value, a parameter's name and value
// point into the block they came from. Nothing allocates except unquote() and
// unfold(), which build owned text on purpose. Syntax errors are reported by
// return value, never thrown; the scanner turns them into findings.
//
// Not handled: RFC 2231 parameter continuations and charsets (`name*0*=`), which
// a reader of boundaries does not need: a boundary is 7-bit and at most 70 long.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ehlo::proto::mime {

/// ASCII case-insensitive equality (field names, types, parameter names).
bool iequals(std::string_view a, std::string_view b) noexcept;

constexpr bool is_wsp(char c) noexcept { return c == ' ' || c == '\t'; }
/// RFC 5322 ftext: printable ASCII but ':'.
constexpr bool is_ftext(char c) noexcept { return c >= 33 && c <= 126 && c != ':'; }
/// RFC 2045 token character: printable ASCII but tspecials ()<>@,;:\"/[]?=
bool is_token_char(char c) noexcept;
/// RFC 2046 §5.1.1 bcharsnospace (a space is a bchar too, but not at the end).
bool is_bchar_nospace(char c) noexcept;

/// What the start of a header line is. `undecided`: the text ended before a
/// byte that settles it (more input, or end of input, decides).
enum class line_kind { field, not_field, undecided };

/// Whether `line` (from the start of a line; may run past its end) begins a
/// header field: 1*ftext *WSP ":" (the WSP is RFC 5322's obsolete syntax, which
/// readers must accept).
line_kind classify_line(std::string_view line) noexcept;

struct header_field {
  std::string_view name;   ///< as written
  std::string_view value;  ///< after the colon up to the final CRLF, folds (CRLF WSP) kept
  std::size_t offset = 0;  ///< of the name, in the block
};

/// Reads the fields of a header block with CRLF line ends, as the scanner
/// delivers it (scanner::fields()). Lines that are no field (a broken header
/// a lenient scanner let through) are skipped with their continuation lines.
class field_reader {
 public:
  explicit field_reader(std::string_view block) noexcept : block_(block) {}
  /// The next field, or false at the end of the block.
  bool next(header_field& f) noexcept;

 private:
  std::string_view block_;
  std::size_t pos_ = 0;
};

/// The value of the first field named `name` (case-insensitive); false if none.
bool find_field(std::string_view block, std::string_view name, std::string_view& value) noexcept;

/// The value with every fold (CRLF followed by WSP) removed; the WSP stays.
std::string unfold(std::string_view value);

/// A parsed Content-Type value. Views into the value it was parsed from.
struct content_type {
  std::string_view type;        ///< "multipart"; compare with iequals
  std::string_view subtype;     ///< "mixed"
  std::string_view parameters;  ///< the text after the subtype, for parameter_reader

  bool is_multipart() const noexcept { return iequals(type, "multipart"); }
};

enum class content_type_status {
  ok,
  bad_type,       ///< no token "/" token: RFC 2045 §5.2 says treat the entity as text/plain
  bad_parameter,  ///< type and subtype are fine; a parameter is broken (the ones before it can be read)
};

/// Parses a Content-Type field value (comments and folding allowed between the
/// tokens, as RFC 822 structured fields allow them) and checks every parameter.
content_type_status parse_content_type(std::string_view value, content_type& out) noexcept;

struct parameter {
  std::string_view name;   ///< attribute, as written; compare with iequals
  std::string_view value;  ///< a token, or the inside of a quoted string (quoted-pairs and folds kept)
  bool quoted = false;
};

/// Reads `;` attribute `=` value parameters one at a time.
class parameter_reader {
 public:
  explicit parameter_reader(std::string_view parameters) noexcept : text_(parameters) {}
  /// The next parameter; false at the end or on a syntax error (then bad()).
  bool next(parameter& p) noexcept;
  bool bad() const noexcept { return bad_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  bool bad_ = false;
};

/// The first parameter named `name`; false if none before the end or a syntax error.
bool find_parameter(std::string_view parameters, std::string_view name, parameter& out) noexcept;

/// The parameter's value with the quotes' escapes and folds removed, into out.
void unquote(const parameter& p, std::string& out);

}  // namespace ehlo::proto::mime
