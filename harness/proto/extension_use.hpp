// Whether a client's MAIL or RCPT uses only what the server offered: RFC 5321
// §4.1.1.3 has a client send no parameter but those of a service extension
// the server's EHLO reply offered (§4.1.1.2 the same for MAIL), and RFC 6531
// §3.4 no SMTPUTF8, hence no UTF-8 address, without SMTPUTF8 offered.
//
// One check for every reader that knows both sides (the server role, which
// offered; `ehlo lint` over a capture): it is the client's fault, so a client
// under test is judged by it.
#pragma once

#include <cstdint>

#include "proto/command.hpp"
#include "proto/ehlo_capabilities.hpp"
#include "proto/finding.hpp"

namespace ehlo::proto {

/// A finding (rule 5321-4.1.1.3) in `log`, at `offset`, for each parameter of
/// `cmd` (a MAIL or RCPT) whose extension `offered` does not list: SIZE,
/// BODY (8BITMIME or BINARYMIME), SMTPUTF8, RET/ENVID/NOTIFY/ORCPT (DSN),
/// AUTH, REQUIRETLS; an unknown parameter unless a keyword of its name is
/// offered. Call it only where an EHLO reply is in effect.
void check_extensions_offered(const command& cmd, const ehlo_capabilities& offered, finding_log& log,
                              std::uint64_t offset);

}  // namespace ehlo::proto
