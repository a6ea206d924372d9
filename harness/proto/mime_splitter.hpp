// The multipart scanner (RFC 2046 §5.1): splits a MIME message into its
// entities, nested multiparts included, and reports where each header block,
// body, preamble, epilogue and delimiter line is.
//
// Two APIs, one engine. `scanner` is put()-shaped and streams: it reads a
// message as it arrives (an SMTP DATA stream, a socket), holds back at most a
// header block and a possible delimiter line (both bounded by settings), and
// never needs the whole message in memory. Its unit is a *segment*: a header
// block is a unit in the house sense (nothing is consumed until it is whole),
// body bytes are handed out as soon as they cannot start a delimiter. Bodies
// can be megabytes, so a unit per part would make memory follow the peer.
// `split()` runs the scanner over a whole buffer and collects an `outline`:
// one `entity` per part, with offsets. Because the outline is built from
// segment offsets alone, it is identical however the input was cut, which the
// tests check at every byte.
//
// The reading of RFC 2046 §5.1.1 (strict, each leniency a named setting):
// - A delimiter is CRLF "--" boundary at the start of a line; the CRLF belongs
//   to the delimiter, not to the part before it. The RFC asks readers to
//   compare only the beginning of the line: "--boundary" followed by anything
//   is a delimiter; anything but transport padding (SP, HTAB) after it is a
//   finding. "--boundary--" is the close delimiter. A body section that starts
//   a line (after the header's empty line, a delimiter line, or the close
//   line's CRLF) may open with a delimiter without a CRLF of its own.
// - Boundaries of every enclosing multipart are delimiters too, innermost
//   first: an enclosing one ends the inner multiparts, each missing its close
//   delimiter (a finding, rule 2046-5.1). So does the end of input.
// - Part header blocks end at the empty line. A delimiter line ends one too
//   (the part is split where the delimiter is, whatever its header says),
//   with a finding. Anything else that is not a header field is an error
//   unless a leniency applies.
// - A boundary must be 1 to 70 characters (a longer or empty one, or a
//   multipart without one, is a finding and the entity is read as a leaf);
//   characters outside bchars, or a boundary that begins with an enclosing
//   one (or the reverse), are findings, and the boundary is used.
// - Not recursed into: message/rfc822 parts (they are leaves here).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "proto/finding.hpp"
#include "proto/mime_error.hpp"

namespace ehlo::proto::mime {

struct settings {
  /// Multiparts nested more deeply than this: error::too_deep.
  std::size_t max_depth = 32;
  /// Body parts in one multipart: error::too_many_parts.
  std::size_t max_parts = 1000;
  /// One header block with its empty line: error::header_too_large.
  std::size_t max_header_bytes = 100 * 1024;
  /// Bytes after "--boundary" (and "--") before the CRLF of a delimiter line:
  /// error::delimiter_line_too_long. RFC 5322 lines are at most 998.
  std::size_t max_delimiter_tail = 998;
  /// A header block may end without its empty line: at a line beginning with
  /// "--" that is no header field, or at a line that is no header field and is
  /// not followed by one (the wp.pl seed ends its header with the first
  /// delimiter). Dangerous: where the body starts becomes a guess, and two
  /// readers that guess differently see different headers (and a part one of
  /// them believes is an attachment). Each use is a finding (5322-2.1).
  bool allow_missing_blank_line = false;
  /// A header line that is no field (no colon: the wp.pl seed's
  /// "MIME Version 1.0") is skipped when the line after it is a field.
  /// Dangerous: the skipped bytes are header text one reader ignores and
  /// another may take for a field or for the start of the body. Each use is a
  /// finding (5322-2.2).
  bool allow_malformed_header_lines = false;
};

/// What the scanner's last unit is.
enum class segment {
  none,             ///< nothing yet (or put() after the end)
  header,           ///< a header block: bytes() with its empty line, fields() without
  body,             ///< content of a leaf entity (may come in many pieces)
  preamble,         ///< content of a multipart before its first delimiter
  epilogue,         ///< content of a multipart after its close delimiter line
  delimiter,        ///< a delimiter line (with the CRLF before it, if any, and after it); a part follows
  close_delimiter,  ///< a close delimiter line; the multipart's epilogue follows
  end,              ///< finish() reached the end of input; every entity is closed
};

class scanner {
 public:
  explicit scanner(const settings& s = {}) : settings_(s) { reset(); }

  /// Scans the next segment of `in` (the unconsumed bytes, with more appended).
  /// Returns the bytes consumed. need_more: nothing can be decided before more
  /// input (the caller keeps `in`'s unconsumed bytes). Other errors are sticky.
  /// On success, kind() says what was consumed; views stay valid until the
  /// next call.
  std::size_t put(std::string_view in, std::error_code& ec);

  /// As put(), but `in` is all that remains of the input: nothing is held
  /// back, and once `in` is empty the result is segment::end (consuming 0),
  /// after which done(). Call it until done() or an error.
  std::size_t finish(std::string_view in, std::error_code& ec);

  /// Back to the start of a new message; keeps the settings and the capacity.
  void reset();

  segment kind() const noexcept { return kind_; }
  /// Stream offset of the segment's first byte (of the end, for segment::end).
  std::uint64_t offset() const noexcept { return offset_; }
  /// The segment's bytes: a view into the last input.
  std::string_view bytes() const noexcept { return bytes_; }
  /// header: the header block without its empty line.
  std::string_view fields() const noexcept { return fields_; }
  /// header, body: depth of the entity (0: the message); preamble, epilogue,
  /// delimiter, close_delimiter: depth of the multipart entity they belong to.
  std::size_t depth() const noexcept { return depth_; }
  /// header: the entity is a multipart the scanner will split.
  bool multipart() const noexcept { return multipart_; }
  /// header of a multipart: its boundary, unquoted.
  std::string_view boundary() const noexcept { return boundary_; }
  /// Bytes consumed since construction or reset().
  std::uint64_t consumed() const noexcept { return consumed_; }
  bool done() const noexcept { return state_ == state::done; }
  const finding_log& findings() const noexcept { return findings_; }
  const settings& config() const noexcept { return settings_; }

 private:
  enum class state { header, body, done };
  enum class match { no, yes, more, too_long };
  struct frame {
    std::string boundary;
    std::size_t parts = 0;
  };
  struct delimiter_match {
    std::size_t frame = 0;   ///< which open multipart
    std::size_t length = 0;  ///< of the whole line, with its CRLFs
    bool close = false;      ///< "--" after the boundary
    bool clean = true;       ///< nothing but transport padding after it
  };

  std::size_t scan(std::string_view in, bool eof, std::error_code& ec);
  std::size_t scan_header(std::string_view in, bool eof, bool& produced, std::error_code& ec);
  std::size_t scan_body(std::string_view in, bool eof, std::error_code& ec);
  std::size_t end_header(std::string_view in, std::size_t fields_end, std::size_t length, std::error_code& ec);
  std::size_t take_delimiter(std::string_view in, std::size_t at, const delimiter_match& m, std::error_code& ec);
  void end_input();
  match match_delimiter(std::string_view in, std::size_t at, bool crlf, bool eof, delimiter_match& m) const;
  match starts_delimiter(std::string_view in, std::size_t at) const;
  void close_frames_above(std::size_t frame, std::uint64_t at);
  void set(segment kind, std::string_view bytes, std::size_t depth);
  std::size_t fail(std::error_code& ec, error e);
  void begin_header();

  settings settings_;
  finding_log findings_;
  std::vector<frame> frames_;  // frames_[0, open_) are the open multiparts, outermost first
  std::size_t open_ = 0;
  state state_ = state::header;
  segment section_ = segment::body;  // what body bytes are, in state::body
  bool bol_ = true;                  // state::body: at a line start whose CRLF is already consumed
  std::error_code error_;
  std::uint64_t consumed_ = 0;

  // The header block being scanned, resumed where the last put() stopped.
  enum class line { none, field, malformed };
  std::size_t header_pos_ = 0;       // start of the first line not yet classified
  std::size_t header_searched_ = 0;  // no CRLF in [header_pos_, header_searched_)
  std::size_t lookahead_ = 0;        // ftext scanned on the line after a malformed one
  line previous_ = line::none;
  bool type_seen_ = false;
  bool type_open_ = false;  // the last field was Content-Type: its continuation lines extend it
  std::size_t type_begin_ = 0;
  std::size_t type_end_ = 0;
  bool version_seen_ = false;

  segment kind_ = segment::none;
  std::uint64_t offset_ = 0;
  std::string_view bytes_;
  std::string_view fields_;
  std::size_t depth_ = 0;
  bool multipart_ = false;
  std::string_view boundary_;
};

/// A span of stream offsets [begin, end).
struct span {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t size() const noexcept { return end - begin; }
  friend bool operator==(const span&, const span&) = default;
};

/// One entity of a scanned message: the message itself (depth 0) or a part.
struct entity {
  static constexpr std::size_t none = static_cast<std::size_t>(-1);

  std::size_t depth = 0;
  std::size_t parent = none;  ///< index of the enclosing multipart in the outline
  span header;                ///< its fields, each with its CRLF; not the empty line
  span body;                  ///< after the header block, up to the next delimiter's CRLF or the end
  bool multipart = false;
  bool closed = false;    ///< multipart: its close delimiter was seen
  std::size_t parts = 0;  ///< multipart: body parts seen
  span preamble;          ///< multipart: body up to the first delimiter
  span epilogue;          ///< multipart: after the close delimiter line to the end of the body

  friend bool operator==(const entity&, const entity&) = default;
};

/// The bytes of a span of a message held whole.
inline std::string_view view(std::string_view message, span s) noexcept {
  return message.substr(static_cast<std::size_t>(s.begin), static_cast<std::size_t>(s.size()));
}

/// Builds the entity list from a scanner's segments, in document order.
class outline {
 public:
  outline() { reset(); }
  void reset();
  /// Records the segment the scanner just reported (after each successful put/finish).
  void add(const scanner& s);
  const std::vector<entity>& entities() const noexcept { return entities_; }

 private:
  void end_entity(std::size_t index, std::uint64_t at);
  void close_deeper(std::size_t depth, std::uint64_t at);

  std::vector<entity> entities_;
  std::vector<std::size_t> open_;  // indexes of the entities not yet ended, outermost first
};

struct split_result {
  std::vector<entity> entities;  ///< what was scanned; on error, up to the error
  finding_log findings;
  std::error_code error;
};

/// Scans a whole message (the scanner with finish() over it).
split_result split(std::string_view message, const settings& s = {});

}  // namespace ehlo::proto::mime
