// SMTP paths and mailboxes (RFC 5321 §4.1.2): what MAIL FROM: and RCPT TO:
// carry, parsed on their own so that a checker can use them too.
//
//   Path      = "<" [ A-d-l ":" ] Mailbox ">"      the null path "<>" on MAIL
//   Mailbox   = Local-part "@" ( Domain / address-literal )
//   Local-part = Dot-string / Quoted-string        "<Postmaster>" alone on RCPT
//
// A source route (A-d-l, "<@a,@b:user@c>") is accepted and ignored, as
// §4.1.1.3 and Appendix C ask, with a finding. The length limits of
// §4.5.3.1.1-3 (local part 64, domain 255, path 256 octets) are findings,
// not errors: §4.5.3.1 asks servers to accept longer ones where they can.
// With SMTPUTF8 (RFC 6531 §3.3) atoms, quoted text and labels may hold UTF-8.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <system_error>

#include "proto/finding.hpp"

namespace ehlo::proto {

enum class path_error {
  missing_path = 1,       ///< nothing where a path belongs
  missing_open_bracket,   ///< a path starts with "<"
  missing_close_bracket,  ///< a path ends with ">" right after its mailbox
  bad_source_route,       ///< "@domain" list not ended by ":"
  bad_local_part,         ///< neither a Dot-string nor a Quoted-string
  missing_at,             ///< a local part with no "@" domain (and not <Postmaster> where allowed)
  bad_domain,             ///< not a Domain (labels of letters, digits and inner hyphens)
  bad_address_literal,    ///< "[...]" that is no IPv4, IPv6 or general address literal
  null_path,              ///< "<>" where a mailbox is needed (RCPT)
};

const std::error_category& path_error_category() noexcept;
std::error_code make_error_code(path_error e) noexcept;

enum class domain_kind : std::uint8_t { none, name, ipv4, ipv6, general };

std::string_view to_string(domain_kind k) noexcept;

/// A parsed path. Every view points into the parsed text.
struct path {
  std::string_view text;          ///< as written: "<...>", or the bare mailbox of a loose form
  std::string_view source_route;  ///< "@a,@b" without its ":", empty when none; ignored by SMTP
  std::string_view local_part;    ///< as written: a quoted one keeps its quotes and backslashes
  std::string_view domain;        ///< as written, a literal with its brackets; empty for <> and <Postmaster>
  domain_kind kind = domain_kind::none;
  bool is_null = false;        ///< "<>"
  bool is_postmaster = false;  ///< "<Postmaster>" with no domain (RFC 5321 §4.1.1.3)
  bool quoted = false;         ///< the local part is a Quoted-string

  /// Equal values: the local parts' values (quotes and quoted-pairs undone),
  /// the domains and source routes as written, the kinds and flags. The text
  /// as written is not compared: `<"a">` and `<a>` hold the same local part.
  friend bool operator==(const path& a, const path& b) noexcept;
};

std::ostream& operator<<(std::ostream& os, const path& p);

struct path_options {
  bool allow_null = true;         ///< "<>" is a path (MAIL's reverse path); false for RCPT
  bool allow_postmaster = false;  ///< "<Postmaster>" without a domain (RCPT only)
  bool smtputf8 = false;          ///< UTF-8 in local parts and domains (RFC 6531 §3.3)
  /// false: parse a bare Mailbox with no "<" ">" and no source route, as the
  /// loose "MAIL FROM: user@x" carries it (the caller decides whether to).
  bool bracketed = true;
};

/// Parses a path at the start of `in` and returns the bytes it took (through
/// the ">"); what follows is the caller's. On failure returns 0 and sets ec
/// (a path_error). Findings (the syntax error itself, source routes, length
/// limits) go to `log` when given, at `offset` plus their position in `in`.
std::size_t parse_path(std::string_view in, path& out, std::error_code& ec, const path_options& opt = {},
                       finding_log* log = nullptr, std::uint64_t offset = 0);

/// Parses a Domain or an address-literal at the start of `in` (HELO/EHLO's
/// argument, a mailbox's domain) and returns its length; 0 and ec on failure.
std::size_t parse_domain(std::string_view in, domain_kind& kind, std::error_code& ec, bool smtputf8 = false) noexcept;

/// True for a non-empty Dot-string (atoms of atext separated by single dots);
/// with smtputf8 non-ASCII octets count as atext.
bool is_dot_string(std::string_view s, bool smtputf8 = false) noexcept;

/// The value of a local part as written: a Quoted-string loses its quotes and
/// its quoted-pairs their backslash. out must hold local_part.size() bytes.
std::size_t local_part_value(std::string_view local_part, char* out) noexcept;
std::string local_part_value(std::string_view local_part);

/// Appends a local part's value in its canonical form: bare when it is a
/// Dot-string, else quoted with only '"' and '\' escaped.
void format_local_part(std::string_view value, std::string& out);
/// Appends the path's canonical text: "<>", or "<" [route ":"] local "@" domain ">".
void format_path(const path& p, std::string& out);
std::string to_string(const path& p);

}  // namespace ehlo::proto

template <>
struct std::is_error_code_enum<ehlo::proto::path_error> : std::true_type {};
