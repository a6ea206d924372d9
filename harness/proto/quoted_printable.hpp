// Quoted-printable (RFC 2045 §6.7), the transfer encoding the MIME builder
// uses for text that 7bit cannot carry.
//
// encode() is lossless for any bytes: a CRLF pair is a line break of the text,
// every other byte that is not printable ASCII (a lone CR or LF, NUL, 8-bit
// bytes), every '=' and whitespace before a line break become =XX, and soft
// line breaks keep each line at most 76 characters with its '='. Its output
// never holds "=_": an '=' it writes is followed by a hex digit or CR. The MIME
// builder's boundaries rely on that (see mime_builder.cpp).
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace ehlo::proto::qp {

std::string encode(std::string_view in);

/// Decodes: "=XX" (hex digits of either case), soft line breaks ("=" CRLF)
/// removed, whitespace before a line break dropped (rule 3: transports may
/// add it). A lone CR or LF, or '=' before anything else, is
/// mime::error::bad_quoted_printable; the return value then holds what was
/// decoded before it.
std::string decode(std::string_view in, std::error_code& ec);

}  // namespace ehlo::proto::qp
