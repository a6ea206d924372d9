// The client side of one SASL exchange (RFC 4954 §4): from the credentials,
// the AUTH command and the answers to the server's challenges. No I/O: the
// session sends what the steps say and hands over the base64 text of each 334.
//
//   client c(mechanism::plain, {.authcid = "tim", .password = "tanstaaftanstaaf"});
//   step st = c.start();   // {done, "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm"}: send, read the reply
//   // a 334 instead of 235/535: st = c.on_challenge(text) -> {failed, "*", unexpected_challenge}
//
// The client checks its credentials with the parser a server uses: what
// start() refuses (unsendable_credentials) a strict server would refuse too.
// A failure is sticky: further challenges get the same error and nothing to send.
//
// Findings carry offsets into the challenges given (their base64 text, each
// counted with 2 for the CRLF that ended its line).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/finding.hpp"
#include "proto/sasl.hpp"

namespace ehlo::proto::sasl {

struct client_settings {
  /// Send the message with the AUTH command where the mechanism allows it
  /// (PLAIN, XOAUTH2): one round trip less.
  bool initial_response = true;
  /// The longest AUTH command line with its CRLF (RFC 5321 §4.5.3.1.4). RFC
  /// 4954 §4: a client whose initial response would make the line longer must
  /// not send one, and answers the server's empty challenge instead.
  std::size_t max_command_line = 512;
  /// The longest challenge text taken; RFC 4954 §4 calls 12288 octets enough.
  std::size_t max_challenge = 12288;
};

class client {
 public:
  /// PLAIN uses authzid, authcid and password; LOGIN and CRAM-MD5 authcid and
  /// password; XOAUTH2 authcid and token.
  client(mechanism m, credentials c, client_settings s = {});
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  client(client&&) noexcept = default;
  client& operator=(client&&) noexcept = default;

  /// The AUTH command: {more, "AUTH LOGIN"}, {done, "AUTH PLAIN <ir>"}, or
  /// {failed, unsendable_credentials} with nothing to send.
  step start();
  /// The base64 text of a 334 reply (after "334 "; "" for a bare challenge).
  step on_challenge(std::string_view text);

  /// Back to before start(), same credentials and settings. start() does this itself.
  void reset();

  mechanism mech() const noexcept { return mech_; }
  /// XOAUTH2: the server's error challenge, decoded (a JSON object), once
  /// on_challenge() reported token_rejected.
  std::string_view server_error() const noexcept { return server_error_; }
  const finding_log& findings() const noexcept { return findings_; }

 private:
  step send(status s, std::string_view response);
  step fail(error e, bool cancel);
  std::error_code check_credentials() const;
  /// The message of PLAIN or XOAUTH2 (one message each).
  std::string message() const;

  mechanism mech_;
  credentials creds_;
  client_settings settings_;
  bool started_ = false;
  bool failed_ = false;
  std::error_code error_;
  int answered_ = 0;  // challenges answered, and the initial response
  bool message_sent_ = false;
  std::string line_;  // what the last step's line views; wiped when replaced
  std::string server_error_;
  finding_log findings_;
  std::uint64_t offset_ = 0;
};

}  // namespace ehlo::proto::sasl
