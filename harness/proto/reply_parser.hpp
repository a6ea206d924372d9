// The reply parser: what an SMTP client reads (RFC 5321 §4.2).
//
//   Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//                Reply-code [ SP textstring ] CRLF
//   Reply-code = %x32-35 %x30-35 %x30-39
//
// put() takes the bytes read so far and returns the size of the one reply
// they start with (so pipelined replies come out one per call), or
// error::need_more having consumed nothing. A second call with the same bytes
// followed by more input resumes where the first stopped scanning. After a
// reply, get() and findings() describe it until the next put(), which starts
// the next reply.
//
// Strict by default: a reply that breaks the ABNF is an error (reply_error),
// except for rules a client can ignore without being misled, which are only
// findings: text outside textstring (RFC 6531 allows UTF-8 there), a SP with
// no text, a line over RFC 5321's 512 octets, and the enhanced status code
// rules. Each leniency below lets the parser go on past one kind of breakage
// seen in the wild, still recording the finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "proto/finding.hpp"
#include "proto/reply.hpp"
#include "proto/reply_error.hpp"

namespace ehlo::proto {

struct reply_settings {
  /// Octets in one line, its line end included (RFC 5321 §4.5.3.1.5 says 512;
  /// longer lines up to this limit are a finding). The parser never asks its
  /// caller to buffer more than this of one line: a longer one is
  /// reply_error::line_too_long as soon as this many octets hold no line end.
  std::size_t max_line_length = 4096;
  /// Lines in one reply; a continuation line that would need one more is
  /// reply_error::too_many_lines.
  std::size_t max_lines = 1000;
  /// Octets in one reply, line ends included (reply_error::reply_too_large).
  std::size_t max_reply_bytes = std::size_t{64} * 1024;
  /// Findings kept per reply (finding_log's capacity); the rest are counted.
  std::size_t max_findings = finding_log::default_capacity;

  /// A bare LF ends a line, as Postfix's and curl's clients read it.
  /// Dangerous: a peer or middlebox that frames on CRLF only sees different
  /// lines, so where a reply ends, and which reply answers which command,
  /// depends on who reads it: the response-side twin of SMTP smuggling.
  bool allow_bare_lf = false;
  /// A CR inside a line is taken as text.
  /// Dangerous: software that ends lines at a lone CR sees an extra line
  /// there, which an attacker who controls reply text can use to inject one.
  bool allow_bare_cr = false;
  /// The lines of one reply may carry different codes; the reply's code is
  /// then the last line's, as Postfix and curl take it.
  /// Dangerous: a client that takes the first line's code sees another
  /// outcome (250 where this one sees 550), and a line that belongs to another
  /// reply is silently merged into this one.
  bool allow_mixed_codes = false;
  /// A code followed by neither SP, "-" nor the line end ("250ok") ends the
  /// reply, its text starting right after the code, as Python's smtplib reads it.
  /// Dangerous: any line that merely starts with three digits ends the reply
  /// early, and the lines after it are read as the next reply (desync).
  bool allow_missing_separator = false;
  /// Any three digits are a code (199, 260, 600, 999).
  /// Dangerous: such codes have no meaning; a client that branches on the
  /// first digit (code < 400 is success) may take 199 or 0xx as success.
  bool allow_code_outside_abnf = false;
};

class reply_parser {
 public:
  explicit reply_parser(const reply_settings& settings = {});

  /// Reads one reply from the start of `in`. Returns the bytes consumed: the
  /// whole reply on success, else 0 with ec set (need_more, or a sticky
  /// reply_error). `in` must start with the bytes of the previous call that
  /// were not consumed.
  std::size_t put(std::string_view in, std::error_code& ec);

  /// Forgets everything, errors and the stream offset included.
  void reset() noexcept;

  /// The reply the last successful put() read; views into its `in`.
  const reply& get() const noexcept { return reply_; }
  /// The findings of the reply last read, or of the one in progress or failed.
  const finding_log& findings() const noexcept { return findings_; }
  const reply_settings& settings() const noexcept { return settings_; }
  /// Bytes consumed since construction or reset(): the stream offset of the next reply.
  std::uint64_t offset() const noexcept { return offset_; }
  /// After an error other than need_more, positions in the `in` of the put()
  /// that failed: where the line that broke the reply starts, and where the
  /// parser decided (past that line's LF, or where a length limit was reached).
  /// They do not depend on how the input was split: what a report can show of
  /// a reply it could not read.
  std::size_t error_line() const noexcept { return error_line_; }
  std::size_t error_end() const noexcept { return error_end_; }

 private:
  struct line_span {
    std::size_t begin;  ///< of the text, in the reply
    std::size_t size;
  };

  void start_reply() noexcept;
  // Each returns false when it failed, having set error_.
  bool end_of_line(std::string_view in, std::size_t lf, bool& last);
  bool check_text(std::string_view in, std::size_t begin, std::size_t end);
  bool fail(reply_error e) noexcept;

  void check_enhanced(std::string_view text, std::size_t pos, bool first_line);
  void finish(std::string_view in, std::size_t size);
  std::uint64_t at(std::size_t pos) const noexcept { return offset_ + pos; }

  reply_settings settings_;
  finding_log findings_;
  std::vector<line_span> lines_;
  std::vector<std::string_view> texts_;
  reply reply_;
  std::error_code error_;
  std::size_t error_line_ = 0;  ///< see error_line()
  std::size_t error_end_ = 0;
  std::uint64_t offset_ = 0;  ///< stream offset of the reply in progress

  // Where the scan of the reply in progress stands, so a grown buffer is not rescanned.
  bool in_reply_ = false;
  std::size_t scan_ = 0;        ///< next byte to look at
  std::size_t line_start_ = 0;  ///< first byte of the current line
  bool line_odd_ = false;       ///< the current line holds a byte outside textstring
  std::uint16_t first_code_ = 0;
  std::uint16_t last_code_ = 0;
  std::optional<enhanced_status> enhanced_;
  std::size_t enhanced_at_ = 0;  ///< position of the first line's enhanced code
};

}  // namespace ehlo::proto
