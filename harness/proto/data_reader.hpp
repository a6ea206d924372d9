// The server's side of DATA (RFC 5321 §4.1.1.4, §4.5.2): finds the end of
// the data, removes the stuffed dots, and records what the client got wrong.
//
// The data ends ONLY at CRLF "." CRLF, where the first CRLF may be the DATA
// command's own (so "." CRLF at once is an empty message). Every look-alike,
// a line break of CRLF, bare LF or bare CR, then ".", then another line break
// of the three, with or without NULs around the dot (the SMTP smuggling
// family, CVE-2023-51764, -51765, -51766), is a finding (5321-4.1.1.4) and,
// unless a leniency says otherwise, content. A '.' that begins a line (after
// CRLF) is removed, as §4.5.2 says, whatever follows it; one not followed by
// a second '.' was not stuffed by the client (finding 5321-4.5.2). Bare CR and
// bare LF are findings (5321-2.3.8) and begin no line; a line over max_line
// octets is a finding (5321-4.5.3.1.6).
//
// Output without copying: each put() delivers one run of content, a view into
// its input, that ends where a removed dot or the end of data cuts it (or the
// input ends). Runs are long, since only a stuffed dot breaks one, so a caller
// that spools the message copies it once, and one that only inspects it (a
// digest, a conformance check) copies nothing. put(in, out, ec) is the loop
// that appends every run to a string, for callers that want just that.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "proto/finding.hpp"

namespace ehlo::proto::data {

enum class error {
  message_too_large = 1,  ///< the content passed max_size; reported at the end of data
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(error e) noexcept;

/// The line breaks a look-alike is made of.
enum class line_break : std::uint8_t { crlf, lf, cr };
/// The `what` of a look-alike finding, such as `LF "." LF` or `CRLF "." CRLF with NUL`.
std::string_view look_alike(line_break before, line_break after, bool nul) noexcept;

class reader {
 public:
  struct settings {
    /// Content bytes (after unstuffing, line breaks included) of one message.
    /// Past it the content is no longer delivered; the reader still finds the
    /// end of the data, where put() fails with error::message_too_large, so a
    /// server can answer 552 and stay in step with the client.
    std::uint64_t max_size = std::uint64_t{10} << 20;
    /// Octets of a text line with its CRLF (RFC 5321 §4.5.3.1.6); a longer
    /// line is a finding. Values below 3 act as 3.
    std::size_t max_line = 1000;
    /// Findings kept; the rest are counted (finding_log).
    std::size_t max_findings = finding_log::default_capacity;
    /// Also end the data at bare LF "." bare LF, as servers that take LF for
    /// a line break do. Dangerous: a client (or a relay before it) that does
    /// not treat LF.LF as the end passes it on inside the message, and this
    /// server then reads what follows as new commands: a second, smuggled
    /// message with forged senders (SMTP smuggling). The finding is still
    /// recorded.
    bool end_on_lf_dot_lf = false;
  };

  reader() : reader(settings{}) {}
  explicit reader(const settings& s) : settings_(s), findings_(s.max_findings) {}

  /// Reads the next run of content: returns the bytes consumed, and content()
  /// views the run inside in. Success when something was consumed (the run may
  /// be empty: a removed dot); need_more when nothing could be, because in is
  /// empty or is a '.' (or ".\r") whose meaning the next byte decides. After
  /// the end of data (done()), consumes nothing: the bytes after it belong to
  /// the next command. The size error is sticky until reset().
  std::size_t put(std::string_view in, std::error_code& ec);
  /// Reads as many runs as in holds and appends their content to out. ec is
  /// success only once the data has ended (done()); need_more when more input
  /// is needed, with at most one byte of in left unconsumed.
  std::size_t put(std::string_view in, std::string& out, std::error_code& ec);

  /// The run of content the last put() read: a view into its input.
  std::string_view content() const noexcept { return content_; }
  /// The end-of-data line has been read.
  bool done() const noexcept { return state_ == state::done; }
  /// The content passed max_size (known before the end of data).
  bool over_limit() const noexcept { return size_ > settings_.max_size; }
  /// Content bytes read so far, counted also past max_size.
  std::uint64_t size() const noexcept { return size_; }
  /// Bytes consumed since construction or reset(): at the end, the data with its end-of-data line.
  std::uint64_t consumed() const noexcept { return offset_; }
  const finding_log& findings() const noexcept { return findings_; }
  /// Ready for the next message; clears the findings.
  void reset() noexcept;

 private:
  enum class state : std::uint8_t {
    text,         ///< inside a line
    cr,           ///< after a CR that may begin a CRLF (cr_off_)
    line_start,   ///< after CRLF, or at the start of the data
    line_dot,     ///< after a '.' that began a line (removed; dot_off_)
    after_break,  ///< after a bare LF or bare CR (before_)
    break_nul,    ///< after a line break (before_) and NULs
    dot,          ///< after line break, NULs, '.' (before_, nul_, removed_, dot_off_)
    dot_cr,       ///< ... and then a CR (cr_off_)
    done,
  };

  std::size_t deliver(const char* begin, const char* content_end, std::size_t consumed, std::error_code& ec);
  void line_reached(std::uint64_t end);
  void new_line(std::uint64_t at) noexcept {
    line_off_ = at;
    line_long_ = false;
  }
  void finish_look_alike(line_break after);

  settings settings_;
  finding_log findings_;
  std::error_code error_;
  std::string_view content_;
  std::uint64_t offset_ = 0;    ///< stream offset of the next byte to consume
  std::uint64_t size_ = 0;      ///< content bytes so far
  std::uint64_t line_off_ = 0;  ///< where the current line began
  std::uint64_t dot_off_ = 0;
  std::uint64_t cr_off_ = 0;
  state state_ = state::line_start;
  line_break before_ = line_break::crlf;
  bool nul_ = false;      ///< NULs around the dot
  bool removed_ = false;  ///< the dot began a line and was removed
  bool line_long_ = false;
};

}  // namespace ehlo::proto::data

template <>
struct std::is_error_code_enum<ehlo::proto::data::error> : std::true_type {};
