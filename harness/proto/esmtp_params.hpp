// ESMTP parameters of MAIL and RCPT (RFC 5321 §4.1.2):
//
//   Mail-parameters = esmtp-param *(SP esmtp-param)
//   esmtp-param     = esmtp-keyword ["=" esmtp-value]
//
// Every parameter is kept as written (unknown ones too: a server answers them
// with 555, RFC 5321 §4.1.1.11); the known ones are also checked and decoded:
// SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), RET, ENVID,
// NOTIFY and ORCPT (RFC 3461), AUTH (RFC 4954 §5), REQUIRETLS (RFC 8689).
// xtext values stay encoded: decode them with proto/xtext.hpp when needed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "proto/finding.hpp"

namespace ehlo::proto {

enum class param_error {
  missing_space = 1,  ///< a parameter not preceded by SP (text glued to the path)
  extra_spaces,       ///< more than one SP between parameters, or SP after the last
  bad_keyword,        ///< not an esmtp-keyword: a letter or digit, then letters, digits and "-"
  bad_value,          ///< "=" and no value, or a value with SP, "=", a control or (no SMTPUTF8) 8-bit octet
  too_many,           ///< more parameters than param_options::max_params
  bad_size,           ///< SIZE= not 1 to 20 digits
  bad_body,           ///< BODY= not 7BIT, 8BITMIME or BINARYMIME
  bad_ret,            ///< RET= not FULL or HDRS
  bad_envid,          ///< ENVID= missing or not xtext
  bad_notify,         ///< NOTIFY= not NEVER or a list of SUCCESS, FAILURE, DELAY
  bad_orcpt,          ///< ORCPT= not addr-type ";" xtext
  bad_auth,           ///< AUTH= not xtext or "<>"
  unexpected_value,   ///< a value on SMTPUTF8 or REQUIRETLS
};

const std::error_category& param_error_category() noexcept;
std::error_code make_error_code(param_error e) noexcept;

enum class param_keyword : std::uint8_t { unknown, size, body, smtputf8, ret, envid, notify, orcpt, auth, requiretls };

/// The keyword's canonical spelling; "" for unknown.
std::string_view to_string(param_keyword k) noexcept;
/// The known keyword spelt so, in any case; unknown otherwise.
param_keyword find_param_keyword(std::string_view written) noexcept;

struct esmtp_param {
  std::string_view keyword;  ///< as written
  std::string_view value;    ///< as written, empty when has_value is false
  bool has_value = false;
  param_keyword kind = param_keyword::unknown;

  /// Keywords compare without case, values as written.
  friend bool operator==(const esmtp_param& a, const esmtp_param& b) noexcept;
};

std::ostream& operator<<(std::ostream& os, const esmtp_param& p);

enum class body_type : std::uint8_t { none, seven_bit, eight_bit_mime, binary_mime };
enum class ret_type : std::uint8_t { none, full, hdrs };
/// NOTIFY's conditions, or-ed.
enum notify_flag : std::uint8_t { notify_never = 1, notify_success = 2, notify_failure = 4, notify_delay = 8 };

/// The known parameters of one command, checked. A field is set only when its
/// parameter was present, valid, and on the command it belongs to.
struct esmtp_values {
  bool has_size = false;
  std::uint64_t size = 0;  ///< saturates at UINT64_MAX (20 digits can exceed it)
  body_type body = body_type::none;
  ret_type ret = ret_type::none;
  std::uint8_t notify = 0;  ///< notify_flag bits
  bool smtputf8 = false;
  bool requiretls = false;
  bool has_envid = false;
  std::string_view envid;  ///< xtext as written
  bool has_orcpt = false;
  std::string_view orcpt_type;  ///< addr-type as written: "rfc822"
  std::string_view orcpt;       ///< xtext as written
  bool has_auth = false;
  std::string_view auth;  ///< xtext as written, or "<>"

  friend bool operator==(const esmtp_values&, const esmtp_values&) = default;
};

enum class param_target : std::uint8_t { mail, rcpt };

struct param_options {
  param_target target = param_target::mail;
  bool smtputf8 = false;  ///< UTF-8 in values (RFC 6531 §3.3)
  /// Accept several SP between parameters. Mildly dangerous: a filter that
  /// splits on single spaces sees an empty parameter and may skip the next.
  bool allow_extra_spaces = false;
  std::size_t max_params = 32;  ///< past it: param_error::too_many, and the rest is not read
};

/// Parses the text after a path: empty, or SP and the parameters. Appends them
/// to `out` (the caller clears it; it keeps its capacity) and fills `values`.
/// Returns the verdict: the first problem no leniency lets pass, or success.
/// Every problem is also a finding in `log` at `offset` plus its position.
std::error_code parse_esmtp_params(std::string_view in, std::vector<esmtp_param>& out, esmtp_values& values,
                                   const param_options& opt = {}, finding_log* log = nullptr, std::uint64_t offset = 0);

/// Appends " KEYWORD[=value]" for each parameter: known keywords in their
/// canonical spelling, unknown ones upper-cased, values as written.
void format_esmtp_params(std::span<const esmtp_param> params, std::string& out);

}  // namespace ehlo::proto

template <>
struct std::is_error_code_enum<ehlo::proto::param_error> : std::true_type {};
