// One SMTP command as a server reads it (RFC 5321 §4.1.1): the verb, its
// argument as written, and the argument parsed the way the verb defines it.
// command_parser.hpp makes these from a byte stream; format_command() writes
// one back in its canonical form, which parses to the same value.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "proto/esmtp_params.hpp"
#include "proto/path.hpp"

namespace ehlo::proto {

/// The verbs of RFC 5321 §4.1.1 and of the extensions the harness knows:
/// BDAT (RFC 3030), AUTH (RFC 4954), STARTTLS (RFC 3207), TURN (RFC 821).
enum class verb : std::uint8_t {
  unknown,
  helo,
  ehlo,
  mail,
  rcpt,
  data,
  bdat,
  rset,
  vrfy,
  expn,
  help,
  noop,
  quit,
  turn,
  auth,
  starttls,
  xclient,   ///< Postfix's XCLIENT (XCLIENT_README): a proxy's client attributes; 220 starts a new session
  xforward,  ///< Postfix's XFORWARD (XFORWARD_README): a content filter's client attributes
};

/// The verb's canonical spelling ("HELO"); "" for unknown.
std::string_view to_string(verb v) noexcept;
/// The verb spelt so, in any case (RFC 5321 §2.4: verbs are case-insensitive).
verb find_verb(std::string_view written) noexcept;
/// LMTP's greeting verb (RFC 2033 §4.1), in any case: EHLO's twin where the
/// protocol is LMTP, an unknown verb in SMTP.
bool is_lhlo(std::string_view written) noexcept;

/// What a line is: a command, or a SASL response inside an AUTH exchange
/// (RFC 4954 §4), which the parser reads only when told to expect one.
enum class line_kind : std::uint8_t { command, sasl_response };

/// A parsed command line. Every view points into the buffer given to put(),
/// as does `params`, which points into the parser: all are valid until the
/// parser's next put() or reset().
struct command {
  line_kind kind = line_kind::command;
  proto::verb verb = proto::verb::unknown;
  std::string_view verb_text;  ///< as written: "Helo", "RCPR"; empty for a SASL response
  std::string_view argument;   ///< after the verb and its SP, as written, without trailing SP
  std::string_view line;       ///< the whole line without its line ending
  /// The syntax verdict: empty when the command is well formed (or a named
  /// leniency let its flaw pass). A server answers 500 to unknown_verb and
  /// empty_line, 501 to the rest (RFC 5321 §4.2.2, §4.3.2).
  std::error_code syntax;

  proto::path path;                     ///< MAIL, RCPT
  std::span<const esmtp_param> params;  ///< MAIL, RCPT: every parameter, as written
  esmtp_values values;                  ///< MAIL, RCPT: the known parameters, checked

  std::string_view domain;  ///< HELO, EHLO: the domain or address literal
  domain_kind domain_type = domain_kind::none;

  std::string_view mechanism;         ///< AUTH: the SASL mechanism as written
  std::string_view initial_response;  ///< AUTH: base64 or "=", as written
  bool has_initial_response = false;

  std::uint64_t chunk_size = 0;  ///< BDAT
  bool last = false;             ///< BDAT ... LAST
};

/// Appends the command's canonical line with its CRLF: the verb upper-cased
/// (an unknown one as written), one SP, "FROM:"/"TO:" with no space, the
/// canonical path and parameters; a SASL response as its line.
void format_command(const command& c, std::string& out);
std::string to_string(const command& c);

std::ostream& operator<<(std::ostream& os, verb v);

}  // namespace ehlo::proto
