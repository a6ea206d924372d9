// dictionary: smtp.dict
//
// The client role of a session (session/client_session.hpp) plays a fixed,
// realistic ESMTP scenario (STARTTLS, AUTH, a pipeline, DATA, a capture,
// alternatives and an optional reply); the input is what the "server" sends.
// Properties (fuzz/session_fuzz.hpp): the session always ends, within a
// bounded number of actions and bounded memory; the verdict, findings and
// transcript do not depend on how the server's bytes are cut into reads.
//
// Input: byte 0 the ending and limits, byte 1 the number of cut bytes (0-15),
// the cut bytes, then the server's byte stream.
#include <cstddef>
#include <cstdint>

#include "session/client_session.hpp"
#include "session_fuzz.hpp"

namespace {

constexpr std::string_view scenario_json = R"json({
  "version": 1, "name": "fuzz-client",
  "vars": {"user": "alice", "password": "wonderland"}, "secrets": ["password"],
  "timeout": "5s",
  "steps": [
    {"S": "220 mx.example ESMTP ready", "text": "ESMTP"},
    {"C": "EHLO client.example"},
    {"S": ["250-mx.example", "250-PIPELINING", "250-STARTTLS", "250 SIZE 10240000"], "offers": ["STARTTLS"]},
    {"C": "STARTTLS"},
    {"S": "220 2.0.0 Ready to start TLS"},
    {"tls": "start"},
    {"C": "EHLO client.example"},
    {"S": ["250-mx.example", "250-PIPELINING", "250-AUTH PLAIN LOGIN", "250 8BITMIME"],
     "offers": ["AUTH PLAIN", "PIPELINING"], "lacks": ["STARTTLS"]},
    {"C": "AUTH PLAIN ${auth_plain(user, password)}"},
    {"one_of": [[{"S": "235 2.7.0 Authentication successful", "status": "2.7.x"}],
                [{"S": "334 ", "code": "334"}, {"C": "${auth_plain(user, password)}"}, {"S": "235 ok"}]]},
    {"pipeline": ["MAIL FROM:<alice@example.org> SIZE=120", "RCPT TO:<bob@example.com>", "DATA"]},
    {"S": "250 2.1.0 Ok"},
    {"S": "250 2.1.5 Ok", "code": ["250", "251"]},
    {"S": "354 End data with <CR><LF>.<CR><LF>", "code": "3xx"},
    {"message": "Subject: fuzz\n\n.hidden line\nbody\n"},
    {"S": "250 2.0.0 Ok: queued as 15668AD9ED", "capture": {"queue_id": "queued as ([0-9A-F]+)"}},
    {"C": "NOOP ${queue_id}"},
    {"S": "250 2.0.0 Ok", "optional": true, "timeout": "1s"},
    {"C": "QUIT"},
    {"S": "221 2.0.0 Bye"},
    {"close": "S"}
  ]
})json";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ehlo::scenario::scenario sc = ehlo::fuzz::load_fixed(scenario_json);
  ehlo::fuzz::check_session<ehlo::session::client_session>(sc, data, size);
  return 0;
}
