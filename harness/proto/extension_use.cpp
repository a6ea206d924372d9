#include "proto/extension_use.hpp"

#include "proto/esmtp_params.hpp"

namespace ehlo::proto {

namespace {

/// What a finding says: static text (finding::what is a string_view).
std::string_view not_offered(const esmtp_param& p, const esmtp_values& v) {
  switch (p.kind) {
    case param_keyword::size:
      return "a SIZE parameter though the EHLO reply did not offer SIZE";
    case param_keyword::body:
      return v.body == body_type::binary_mime ? "BODY=BINARYMIME though the EHLO reply did not offer BINARYMIME"
                                              : "a BODY parameter though the EHLO reply offered neither 8BITMIME nor "
                                                "BINARYMIME";
    case param_keyword::smtputf8:
      return "SMTPUTF8 though the EHLO reply did not offer SMTPUTF8";
    case param_keyword::ret:
    case param_keyword::envid:
    case param_keyword::notify:
    case param_keyword::orcpt:
      return "a DSN parameter (RET, ENVID, NOTIFY, ORCPT) though the EHLO reply did not offer DSN";
    case param_keyword::auth:
      return "an AUTH= parameter though the EHLO reply did not offer AUTH";
    case param_keyword::requiretls:
      return "REQUIRETLS though the EHLO reply did not offer REQUIRETLS";
    case param_keyword::unknown:
      break;
  }
  return "a parameter of no extension the EHLO reply offered";
}

bool offered_for(const esmtp_param& p, const esmtp_values& v, const ehlo_capabilities& caps) {
  switch (p.kind) {
    case param_keyword::size:
      return caps.offers("SIZE");
    case param_keyword::body:
      // BODY is 8BITMIME's parameter (RFC 6152); BINARYMIME's value needs BINARYMIME (RFC 3030 §3).
      return v.body == body_type::binary_mime ? caps.offers("BINARYMIME")
                                              : caps.offers("8BITMIME") || caps.offers("BINARYMIME");
    case param_keyword::smtputf8:
      return caps.offers("SMTPUTF8");
    case param_keyword::ret:
    case param_keyword::envid:
    case param_keyword::notify:
    case param_keyword::orcpt:
      return caps.offers("DSN");
    case param_keyword::auth:
      return caps.offers("AUTH");
    case param_keyword::requiretls:
      return caps.offers("REQUIRETLS");
    case param_keyword::unknown:
      break;
  }
  return caps.offers(p.keyword);
}

}  // namespace

void check_extensions_offered(const command& cmd, const ehlo_capabilities& offered, finding_log& log,
                              std::uint64_t offset) {
  if (cmd.verb != verb::mail && cmd.verb != verb::rcpt) return;
  for (const auto& p : cmd.params)
    if (!offered_for(p, cmd.values, offered)) log.add(rules::extension_offered, not_offered(p, cmd.values), offset);
}

}  // namespace ehlo::proto
