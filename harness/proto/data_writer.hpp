// The client's side of DATA (RFC 5321 §4.5.2, §4.1.1.4): dot-stuffing and the
// end-of-data line.
//
// A line begins after CRLF, and at the start of the data (the DATA command's
// own CRLF ended the line before it). A '.' that begins a line is sent
// doubled; finish() ends the data with "." CRLF on a line of its own. Bare CR
// and bare LF are sent as they are by default: they begin no line, so a '.'
// after them is not doubled, exactly as data::reader reads it back. That lets
// the harness send the look-alikes a server must not take for the end of data
// (the SMTP smuggling probes); the normalising options exist for when the
// harness plays an ordinary client.
#pragma once

#include <string>
#include <string_view>

namespace ehlo::proto::data {

class writer {
 public:
  struct settings {
    /// Send a bare LF as CRLF (and so begin a line after it). Off: the
    /// scenario's bytes go out as written, bare LFs included.
    bool bare_lf_to_crlf = false;
    /// Send a bare CR as CRLF. Off for the same reason.
    bool bare_cr_to_crlf = false;
  };

  writer() = default;
  explicit writer(const settings& s) : settings_(s) {}

  /// Appends the stuffed form of in to out. The content may be cut anywhere,
  /// also inside a CRLF or between a CRLF and the '.' after it.
  void put(std::string_view in, std::string& out);
  /// Appends the end of data: CRLF if the content does not already end with
  /// one (no content at all counts as ending with one), then "." CRLF. The
  /// writer is then ready for the next message.
  void finish(std::string& out);
  void reset() noexcept {
    line_start_ = true;
    cr_ = false;
  }

 private:
  void put_normalising(std::string_view in, std::string& out);

  settings settings_{};
  bool line_start_ = true;  ///< the bytes sent so far end with CRLF, or there are none
  bool cr_ = false;         ///< the last byte sent is a CR
};

}  // namespace ehlo::proto::data
