// The cause under which `ehlo load` counts a failed session: what went wrong
// and where, in words that are the same for every session that failed the
// same way (so they add up), the details (the reply's text, OpenSSL's reason)
// left to the example kept with the first one.
//
//   connection refused
//   steps/6 (reply to RCPT): got 452, expected 250
//   timeout at steps/2 (reply to EHLO)
//   connection closed by the server at steps/8 (reply to DATA)
//   TLS handshake failed at steps/5
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace ehlo::load {

/// How the driver's last action ended, when the session failed.
enum class ending : std::uint8_t {
  done,         ///< the session decided: what came did not fit the step
  timed_out,    ///< a read, write or handshake passed its step's wait
  peer_closed,  ///< the server closed the connection
  reset,        ///< the server reset the connection
  failed,       ///< the connection broke (a reset, a write error)
  tls_failed,   ///< the TLS handshake failed
  expired,      ///< the whole-session limit passed
};

/// A session's failure as its verdict gives it.
struct failure_view {
  std::string_view pointer;   ///< "steps/6"; "" after the last step
  std::string_view expected;  ///< `250 (S "250 2.1.5 Ok")`
  std::string_view got;       ///< `452 4.5.3 Too many recipients`
  std::string_view message;   ///< the whole sentence
};

/// "reply to RCPT", "greeting", "reply to the end of data", "sending MAIL",
/// "TLS handshake": what the step at `pointer` is; "" when it cannot tell.
std::string step_label(const scenario::scenario& sc, std::string_view pointer);

std::string cause_of(const scenario::scenario& sc, const failure_view& f, ending how);

}  // namespace ehlo::load
