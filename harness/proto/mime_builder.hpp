// A MIME message builder (RFC 5322 header, RFC 2045-2047 MIME): the messages
// a scenario sends in DATA, and the structure-aware half of the MIME fuzzer.
//
// The output has CRLF line ends, header lines folded before 78 columns
// (encoded-word lines before 76), bodies in lines of at most 76 (base64,
// quoted-printable) or 998 (7bit, 8bit) characters. It is deterministic:
// the same message and options give the same bytes. Boundaries and a missing
// Message-ID come from a generator seeded with build_options::seed; a missing
// Date is build_options::time. The core reads no clock and no entropy.
//
// Every generated boundary provably never begins a line of the content it
// encloses; mime_builder.cpp states the argument where it enforces it.
//
// Bad input (a field name with a colon, an address with a space, a 7bit part
// holding 8-bit bytes...) is an error, never escaped into something else: the
// caller meant the bytes it gave. Header values, though, are free text: any
// bytes are sent as encoded words, so CR and LF can never inject a field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "proto/encoded_word.hpp"

namespace ehlo::proto::mime {

enum class transfer_encoding {
  automatic,         ///< text: 7bit if it can, else 8bit (when allowed), else quoted-printable; other types: base64
  seven_bit,         ///< the body must be ASCII without NUL, lone CR or LF, lines at most 998
  eight_bit,         ///< as 7bit but 8-bit bytes allowed (the peer must offer 8BITMIME)
  quoted_printable,  ///< any bytes
  base64,            ///< any bytes
};

/// A header field. The value is text: it is folded, or sent as encoded words
/// when it is not plain ASCII (see needs_encoded_words).
struct field {
  std::string name;
  std::string value;
};

struct mailbox {
  std::string name;     ///< display name, any text; may be empty
  std::string address;  ///< local@domain, printable ASCII
};

/// One MIME entity to build: a leaf with a body, or a multipart with parts.
struct part {
  std::string type = "text/plain";  ///< type "/" subtype; "multipart/..." makes `parts` the content
  std::string charset;              ///< for text/*: "UTF-8" when empty
  std::string body;                 ///< the content, raw bytes (leaf only)
  transfer_encoding encoding = transfer_encoding::automatic;
  std::string filename;       ///< not empty: an attachment (Content-Disposition), always sent base64
  std::vector<field> fields;  ///< extra fields of this part
  std::vector<part> parts;    ///< multipart only; at least one
};

part text_part(std::string text);
part html_part(std::string html);
part attachment(std::string bytes, std::string filename, std::string type = "application/octet-stream");
part multipart(std::string subtype, std::vector<part> parts);

struct message {
  mailbox from;               ///< omitted when its address is empty
  std::vector<mailbox> to;    ///< omitted when empty
  std::string subject;        ///< omitted when empty
  std::string date;           ///< as written; empty: format_date(build_options::time)
  std::string message_id;     ///< as written, with its <>; empty: generated from the seed
  std::vector<field> fields;  ///< extra fields, after the standard ones
  part body = text_part({});  ///< its Content-* fields join the message header
};

struct build_options {
  std::uint64_t seed = 0;               ///< boundaries and a generated Message-ID
  std::int64_t time = 0;                ///< Unix seconds for a generated Date
  std::string domain = "ehlo.invalid";  ///< right side of a generated Message-ID
  bool allow_8bit = false;              ///< automatic may choose 8bit (the peer offers 8BITMIME)
  std::size_t max_depth = 32;           ///< multiparts nested deeper: error::too_deep
  word_encoding words = word_encoding::automatic;
};

/// The whole message, header and body, ending in CRLF. On error, ec is set
/// (a mime::error) and the result is empty.
std::string build(const message& m, const build_options& options, std::error_code& ec);

/// One entity as it appears inside a multipart: its Content-* and extra fields,
/// the empty line, the encoded body.
std::string build_entity(const part& p, const build_options& options, std::error_code& ec);

/// RFC 5322 §3.3 date-time: "Thu, 01 Jan 1970 00:00:00 +0000".
std::string format_date(std::int64_t unix_seconds, int utc_offset_minutes = 0);

}  // namespace ehlo::proto::mime
