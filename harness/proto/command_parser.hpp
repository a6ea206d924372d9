// The SMTP command parser: what a server reads (RFC 5321 §4.1).
//
// A unit is one command line ended by CRLF. put() consumes nothing until the
// whole line is there, and remembers how far it scanned, so re-feeding a
// grown buffer does not rescan. Framing problems are put() errors (sticky):
// a line past settings.max_line_length, a bare LF or CR, a NUL (each of the
// last three with a named leniency). Everything inside a well-framed line is
// not: get().syntax holds the verdict a server maps to 500/501 and the stream
// goes on; findings say what rule each flaw broke.
//
// The loose forms real clients send ("EHLO: host", "MAIL FROM: <a@b>",
// "MAIL FROM:a@b", "MAIL FROM:the dude <a@b>") are findings and, strictly, a
// syntax verdict; named leniencies (as Postfix's strict_rfc821_envelopes=no)
// let the parser take the address anyway, still recording the finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <vector>

#include "proto/command.hpp"
#include "proto/error.hpp"
#include "proto/finding.hpp"

namespace ehlo::proto {

enum class command_error {
  // put() errors: the stream cannot be framed; sticky until reset().
  line_too_long = 1,  ///< a line past command_settings::max_line_length
  bare_lf,            ///< LF not preceded by CR
  bare_cr,            ///< CR not followed by LF
  nul,                ///< a NUL octet in a line
  // Syntax verdicts, carried in command::syntax; the stream goes on.
  empty_line,            ///< nothing before the CRLF
  unknown_verb,          ///< not a verb this parser knows (kept as written)
  colon_after_verb,      ///< "EHLO: host"
  extra_spaces,          ///< more than one SP after the verb, or SP at the end of the line
  missing_argument,      ///< HELO, EHLO, VRFY, EXPN, AUTH or BDAT with nothing after it
  unexpected_argument,   ///< DATA, RSET, QUIT, STARTTLS or TURN with an argument; BDAT's second not LAST
  missing_from_to,       ///< MAIL not followed by "FROM:", RCPT by "TO:"
  space_around_colon,    ///< "MAIL FROM: <a@b>"
  unbracketed_path,      ///< "MAIL FROM:a@b"
  display_name,          ///< "MAIL FROM:the dude <a@b>"
  bad_mechanism,         ///< AUTH's mechanism is not 1-20 letters, digits, "-" or "_"
  bad_initial_response,  ///< AUTH's initial response is not base64 or "="
  bad_chunk_size,        ///< BDAT's size is not a number that fits 64 bits
  bad_sasl_response,     ///< a SASL response line that is not base64 or "*"
};

const std::error_category& command_error_category() noexcept;
std::error_code make_error_code(command_error e) noexcept;

struct command_settings {
  /// The longest line, CRLF included, the parser buffers: past it put() fails
  /// with line_too_long. Lines over the RFC's 512 octets are only findings; the
  /// default leaves room for SASL responses (RFC 4954 §4 names 12288 octets).
  std::size_t max_line_length = 32768;
  /// Parameters on one MAIL or RCPT; past it the verdict is param_error::too_many.
  std::size_t max_params = 32;
  /// UTF-8 in paths and parameter values (RFC 6531 §3.3). A MAIL line that
  /// carries SMTPUTF8 allows it for itself; set this for the RCPTs that follow.
  bool smtputf8 = false;
  /// LMTP (RFC 2033): LHLO is the greeting, read as EHLO (command::verb is
  /// ehlo, verb_text "LHLO"); HELO and EHLO are findings (2033-4). Without it
  /// LHLO is an unknown verb.
  bool lmtp = false;

  // Leniencies. Each flaw is still a finding; these only stop it being an error.

  /// A bare LF ends a line. Dangerous: it is how SMTP smuggling works. A peer
  /// or a relay that ends lines only on CRLF reads a different command stream
  /// (CVE-2023-51764), and end-of-data look-alikes slip through.
  bool allow_bare_lf = false;
  /// A bare CR is an ordinary octet of the line. Dangerous: some software ends
  /// lines on a bare CR, so the two would split the stream differently.
  bool allow_bare_cr = false;
  /// A NUL is an ordinary octet of the line. Dangerous: C string handling
  /// downstream (logs, filters, milters) sees a shorter line than we parsed.
  bool allow_nul = false;
  /// "EHLO: host" (seed 000's client). Dangerous only in that the verb and
  /// argument are then split where no other parser splits them.
  bool allow_colon_after_verb = false;
  /// "MAIL FROM: <a@b>", which RFC 5321 §3.3 forbids but Postfix accepts.
  /// Dangerous: a filter keyed on "FROM:<" misses the address.
  bool allow_space_around_colon = false;
  /// "MAIL FROM:a@b" (Postfix strict_rfc821_envelopes=no). Dangerous: where the
  /// address ends is then a guess, so parameters can be read as the address.
  bool allow_unbracketed_path = false;
  /// "MAIL FROM:the dude <a@b>" (Postfix strict_rfc821_envelopes=no). Dangerous:
  /// the text before "<" is dropped, and another parser may take it instead.
  bool allow_display_name = false;
  /// Several SP after the verb or between parameters, and SP at the end of the
  /// line. Dangerous: a parser that splits on single SP sees empty arguments.
  bool allow_extra_spaces = false;
};

class command_parser {
 public:
  explicit command_parser(const command_settings& s = {}) : settings_(s) {}

  /// Parses one command line from the start of `in`; see the file comment.
  /// Returns the bytes of the line with its ending, or 0 with ec set.
  std::size_t put(std::string_view in, std::error_code& ec);

  /// The last command parsed; valid after a put() that succeeded.
  const command& get() const noexcept { return cmd_; }
  /// The findings of the current line (cleared when the next one begins).
  const finding_log& findings() const noexcept { return findings_; }

  /// The next line is a SASL response (RFC 4954 §4), not a command: call after
  /// answering AUTH with 334. Its octets are checked as base64 (or "*").
  void expect_sasl_response() noexcept { sasl_next_ = true; }

  /// Bytes consumed since construction or reset(): the stream offset of the
  /// next line, and the base of every finding's offset.
  std::uint64_t offset() const noexcept { return consumed_; }
  /// After a put() error: the octets of that put()'s `in` the parser had
  /// decided on, the offending one last (a bare CR or LF, a NUL), or up to
  /// where the line became too long. The same however the input was split:
  /// what a report can show of a line it could not read.
  std::size_t error_end() const noexcept { return error_end_; }

  command_settings& settings() noexcept { return settings_; }
  const command_settings& settings() const noexcept { return settings_; }

  /// Forgets everything, the sticky error and the stream offset too.
  void reset() noexcept;

 private:
  void start_line() noexcept;
  std::size_t fail(command_error e, std::size_t end, std::error_code& ec);
  void parse(std::string_view line);
  void parse_sasl(std::string_view line);
  void check_line(std::string_view line);
  void parse_envelope(std::string_view arg, std::size_t at);
  void parse_auth(std::string_view arg, std::size_t at);
  void parse_bdat(std::string_view arg, std::size_t at);
  void parse_attributes(std::string_view arg, std::size_t at);
  void note(const rule& r, std::string_view what, std::size_t at);
  void verdict(std::error_code e) noexcept {
    if (!cmd_.syntax) cmd_.syntax = e;
  }

  command_settings settings_;
  command cmd_;
  finding_log findings_;
  std::vector<esmtp_param> params_;
  std::error_code error_;          // sticky
  std::size_t error_end_ = 0;      // see error_end()
  std::uint64_t consumed_ = 0;     // since construction/reset
  std::uint64_t line_offset_ = 0;  // stream offset of the current line
  std::size_t scanned_ = 0;        // octets of the current line already scanned
  std::size_t first_8bit_ = 0;     // position of its first non-ASCII octet, if seen
  std::uint8_t seen_ = 0;          // what the scan saw in the current line (bits)
  bool line_done_ = true;          // the last put() completed a line
  bool sasl_next_ = false;
};

}  // namespace ehlo::proto

template <>
struct std::is_error_code_enum<ehlo::proto::command_error> : std::true_type {};
