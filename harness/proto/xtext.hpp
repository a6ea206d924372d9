// xtext (RFC 3461 §4): how ENVID=, ORCPT= and AUTH= carry octets that an
// esmtp-value cannot hold. Printable ASCII but "+" and "=" stands for itself;
// any octet may be "+" and two upper-case hex digits.
//
// Decoding is strict by default; lower-case hex digits are a named leniency.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace ehlo::proto::xtext {

enum class error {
  bad_character = 1,  ///< an octet outside "!".."~", or a bare "="
  bad_hexchar,        ///< "+" not followed by two upper-case hex digits
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(error e) noexcept;

struct decode_options {
  /// Accept "+2b" for "+2B". Dangerous only mildly: two spellings of one value
  /// then compare unequal as text (an ENVID matched against a DSN, say).
  bool allow_lowercase_hex = false;
};

/// True for an octet that stands for itself in xtext.
constexpr bool is_xchar(char c) noexcept { return c >= '!' && c <= '~' && c != '+' && c != '='; }

/// Exact size of encode(raw): one byte per xchar, three per other octet.
std::size_t encoded_size(std::string_view raw) noexcept;
/// Writes encoded_size(raw) characters at out; returns that count. The
/// encoding is canonical: only octets that must be hex-encoded are.
std::size_t encode(std::string_view raw, char* out) noexcept;
std::string encode(std::string_view raw);

/// Offset of the first octet that breaks xtext syntax, or npos if there is
/// none; ec says how it breaks it.
std::size_t validate(std::string_view x, std::error_code& ec, const decode_options& opt = {}) noexcept;

/// Decodes into out, which must hold x.size() bytes. Returns the bytes written;
/// on error ec is set and the return value counts the bytes decoded before it.
std::size_t decode(std::string_view x, char* out, std::error_code& ec, const decode_options& opt = {}) noexcept;
std::string decode(std::string_view x, std::error_code& ec, const decode_options& opt = {});

}  // namespace ehlo::proto::xtext

template <>
struct std::is_error_code_enum<ehlo::proto::xtext::error> : std::true_type {};
