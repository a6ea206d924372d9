// Errors of the reply parser: the input cannot be read as replies, or a limit
// of reply_settings was reached. Every one is sticky until reset().
#pragma once

#include <system_error>

namespace ehlo::proto {

enum class reply_error {
  not_a_code = 1,     ///< a line does not start with three digits
  code_out_of_range,  ///< three digits outside %x32-35 %x30-35 %x30-39 (e.g. 199, 260, 600)
  bad_separator,      ///< the code is followed by neither SP, "-" nor the line end ("250ok")
  mixed_codes,        ///< a line of a multi-line reply carries another code than the first line
  bare_lf,            ///< a line ends in LF without CR
  bare_cr,            ///< a CR that is not part of the line's CRLF
  line_too_long,      ///< a line longer than reply_settings::max_line_length
  too_many_lines,     ///< a reply with more lines than reply_settings::max_lines
  reply_too_large,    ///< a reply longer than reply_settings::max_reply_bytes
};

const std::error_category& reply_error_category() noexcept;
std::error_code make_error_code(reply_error e) noexcept;

}  // namespace ehlo::proto

template <>
struct std::is_error_code_enum<ehlo::proto::reply_error> : std::true_type {};
