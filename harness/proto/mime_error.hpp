// Errors of the MIME component: the multipart scanner, the message builder and
// the quoted-printable decoder share one enum and one category.
//
// The scanner's errors are sticky (see mime_splitter.hpp). Each limit of
// mime::settings has its own enumerator, so a caller can tell "the peer sent
// something hostile" from "the peer sent something broken".
#pragma once

#include <system_error>

namespace ehlo::proto::mime {

enum class error {
  // scanner limits, one per setting
  header_too_large = 1,     ///< a header block longer than settings::max_header_bytes
  too_deep,                 ///< multiparts nested deeper than settings::max_depth (or build_options::max_depth)
  too_many_parts,           ///< a multipart with more than settings::max_parts body parts
  delimiter_line_too_long,  ///< more than settings::max_delimiter_tail bytes after a boundary on its line
  // scanner syntax
  bad_header_line,  ///< a header line that is no field, no continuation, no empty line (and no leniency applies)
  // builder input
  bad_field_name,       ///< a header field name that is empty, too long, or holds a byte outside printable ASCII or ':'
  bad_field_value,      ///< a Date or Message-ID holding a byte outside printable ASCII and space
  bad_address,          ///< an address with a byte that cannot appear in an addr-spec
  bad_content_type,     ///< a content type that is not token "/" token, or a charset that is not a token
  empty_multipart,      ///< a multipart part without parts (RFC 2046 §5.1.1 asks for at least one)
  not_multipart,        ///< parts given to a part whose type is not multipart/*
  body_needs_encoding,  ///< the requested transfer encoding cannot carry the body (7bit with 8-bit bytes...)
  // quoted-printable decoding
  bad_quoted_printable,  ///< "=" not followed by two hex digits or a line break
};

const std::error_category& error_category() noexcept;
std::error_code make_error_code(error e) noexcept;

}  // namespace ehlo::proto::mime

template <>
struct std::is_error_code_enum<ehlo::proto::mime::error> : std::true_type {};
