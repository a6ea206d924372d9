// dictionary: smtp.dict
//
// The server role of a session (session/server_session.hpp) plays a fixed,
// realistic ESMTP scenario (STARTTLS, AUTH LOGIN, a pipeline, DATA or BDAT,
// data lines, alternatives, an optional command, and faults: replies in
// pieces, an injected line, bare LF line ends, a cut reply, a stall that reads
// whatever comes until the close); the input is what the "client" sends. Properties (fuzz/session_fuzz.hpp): the
// session always ends, within a bounded number of actions and bounded memory; the verdict, findings and transcript do
// not depend on how the client's bytes are cut into reads.
//
// Input: byte 0 the ending and limits, byte 1 the number of cut bytes (0-15),
// the cut bytes, then the client's byte stream.
#include <cstddef>
#include <cstdint>

#include "session/server_session.hpp"
#include "session_fuzz.hpp"

namespace {

constexpr std::string_view scenario_json = R"json({
  "version": 1, "name": "fuzz-server",
  "vars": {"user": "alice", "password": "wonderland"}, "secrets": ["password"],
  "timeout": "5s",
  "steps": [
    {"S": "220 mx.example ESMTP ready"},
    {"C": "EHLO client.example", "match": "verb"},
    {"S": ["250-mx.example", "250-PIPELINING", "250-STARTTLS", "250-CHUNKING", "250 SIZE 10240000"],
     "chunks": "random", "delay": "1s"},
    {"C": "STARTTLS"},
    {"S": "220 2.0.0 Ready to start TLS", "inject": "250 injected"},
    {"tls": "start"},
    {"C": "EHLO client.example", "match": "verb"},
    {"S": ["250-mx.example", "250-PIPELINING", "250-AUTH LOGIN", "250 CHUNKING"]},
    {"C": "AUTH LOGIN"},
    {"S": "334 VXNlcm5hbWU6"},
    {"C": "${base64(user)}"},
    {"S": "334 UGFzc3dvcmQ6"},
    {"C": "${base64(password)}"},
    {"S": "235 2.7.0 Authentication successful", "line_end": "LF", "chunks": [3, 1], "gap": "1ms"},
    {"pipeline": [{"C": "MAIL FROM:<alice@example.org>", "arg": "FROM:<[^>]*>( SIZE=[0-9]+)?"},
                  "RCPT TO:<bob@example.com>"]},
    {"S": "250 2.1.0 Ok"},
    {"S": "250 2.1.5 Ok"},
    {"one_of": [[{"C": "DATA"}, {"S": "354 End data with <CR><LF>.<CR><LF>"}, {"message": "x"},
                 {"S": "250 2.0.0 Ok: queued"}],
                [{"bdat": "x"}, {"S": "250 2.0.0 chunk"}, {"bdat": "y", "last": true}, {"S": "250 2.0.0 Ok"}]]},
    {"C": "MAIL FROM:<alice@example.org>", "match": "verb"},
    {"S": "250 2.1.0 Ok"},
    {"C": "RCPT TO:<carol@example.com>"},
    {"S": "250 2.1.5 Ok"},
    {"C": "DATA"},
    {"S": "354 go ahead"},
    {"C": "Subject: lines"},
    {"C": ""},
    {"C": "..dot"},
    {"C": "."},
    {"S": "250 2.0.0 Ok"},
    {"C": "NOOP", "optional": true},
    {"S": "250 2.0.0 Ok"},
    {"one_of": [[{"C": "QUIT"}, {"S": "221 2.0.0 Bye", "cut": 9}],
                [{"C": "RSET", "match": "any"}, {"S": "250 2.0.0 Ok", "stall": "5s"}]]}
  ]
})json";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const ehlo::scenario::scenario sc = ehlo::fuzz::load_fixed(scenario_json);
  ehlo::fuzz::check_session<ehlo::session::server_session>(sc, data, size);
  return 0;
}
