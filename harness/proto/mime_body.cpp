#include "proto/mime_body.hpp"

#include "proto/base64.hpp"
#include "proto/mime_header.hpp"
#include "proto/quoted_printable.hpp"

namespace ehlo::proto::mime {

std::string decode_body(std::string_view fields, std::string_view body, std::error_code& ec) {
  ec = {};
  std::string_view value;
  if (!find_field(fields, "Content-Transfer-Encoding", value)) return std::string(body);
  const std::string unfolded = unfold(value);
  std::string_view name = unfolded;
  while (!name.empty() && is_wsp(name.front())) name.remove_prefix(1);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  if (iequals(name, "base64")) {
    base64::decode_options opt;
    opt.allow_whitespace = true;
    return base64::decode(body, ec, opt);
  }
  if (iequals(name, "quoted-printable")) return qp::decode(body, ec);
  return std::string(body);
}

}  // namespace ehlo::proto::mime
