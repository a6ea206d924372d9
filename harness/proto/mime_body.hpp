// The content of a leaf MIME entity: its body decoded per the
// Content-Transfer-Encoding of its header block (RFC 2045 §6).
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace ehlo::proto::mime {

/// `fields` is the entity's header block (scanner::fields(), or the header
/// span of an entity), `body` its body. base64 may be split into lines (the
/// whitespace is skipped); quoted-printable as qp::decode; 7bit, 8bit, binary,
/// no field or an unknown encoding (RFC 2045 §6.4 says treat the content as
/// opaque): the body as it is. A decoding error is in ec (a base64::error or
/// mime::error::bad_quoted_printable) and the result holds what came before it.
std::string decode_body(std::string_view fields, std::string_view body, std::error_code& ec);

}  // namespace ehlo::proto::mime
