// The steps of a session whose latency `ehlo load` measures: the connection,
// the greeting, the TLS handshake, each command to its reply (by verb), the
// end of a message's data to its reply, and the whole session.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "proto/command.hpp"

namespace ehlo::load {

/// In the order reports list them: the order of an SMTP session.
enum class step_kind : std::uint8_t {
  connect,   ///< TCP connect (resolve included), from the start of the session
  greeting,  ///< connected to the server's first reply
  ehlo,      ///< each command from the end of its write to its reply
  helo,
  starttls,
  tls,  ///< the TLS handshake (STARTTLS's or implicit TLS)
  auth,
  auth_response,  ///< a SASL response line (after a 334) to its reply
  mail,
  rcpt,
  data,
  data_end,  ///< the end of a message's data ("." or the message written whole) to its reply
  bdat,
  rset,
  noop,
  vrfy,
  expn,
  help,
  other,  ///< a command with another verb (TURN, a raw line, an unknown verb)
  quit,
  session,  ///< a session that passed, from its start to the connection's close
};

inline constexpr std::size_t step_kinds = static_cast<std::size_t>(step_kind::session) + 1;

/// "connect", "greeting", "EHLO", "tls", "AUTH-response", "end-of-data", "session":
/// the word reports and --fail-if use.
std::string_view name(step_kind k) noexcept;
/// The step a name (in any case) stands for.
std::optional<step_kind> step_of(std::string_view name) noexcept;
/// The step of a command's reply, by its verb.
step_kind step_of(proto::verb v) noexcept;

}  // namespace ehlo::load
