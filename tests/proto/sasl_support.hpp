// Owned, printable views of what the SASL machines report, for exact CHECKs.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "proto/finding.hpp"
#include "proto/sasl.hpp"
#include "proto/sasl_client.hpp"
#include "proto/sasl_server.hpp"
#include "support/findings.hpp"

namespace ehlo::test {

/// A step with its line copied out of the machine.
struct owned_step {
  proto::sasl::status state = proto::sasl::status::more;
  bool send = false;
  std::string line;
  std::error_code ec;

  owned_step() = default;
  owned_step(const proto::sasl::step& s) : state(s.state), send(s.send), line(s.line), ec(s.ec) {}  // NOLINT
  owned_step(proto::sasl::status st, bool sn, std::string l, std::error_code e = {})
      : state(st), send(sn), line(std::move(l)), ec(e) {}

  friend bool operator==(const owned_step&, const owned_step&) = default;
  friend std::ostream& operator<<(std::ostream& os, const owned_step& s) {
    // Tests print lines in full: their secrets are test data.
    os << '{' << s.state;
    if (s.send) os << " send \"" << s.line << '"';
    if (s.ec) os << " (" << s.ec.message() << ')';
    return os << '}';
  }
};

inline owned_step more(std::string line) { return {proto::sasl::status::more, true, std::move(line)}; }
inline owned_step done() { return {proto::sasl::status::done, false, {}}; }
inline owned_step done(std::string line) { return {proto::sasl::status::done, true, std::move(line)}; }
inline owned_step failed(std::error_code ec) { return {proto::sasl::status::failed, false, {}, ec}; }
inline owned_step cancelled() { return {proto::sasl::status::cancelled, false, {}, proto::sasl::error::cancelled}; }

/// What a whole client-server exchange ended with.
struct exchange_result {
  std::vector<std::string> wire;  ///< "C: ..." and "S: 334 ..." lines, in order
  proto::sasl::status client_state = proto::sasl::status::more;
  proto::sasl::status server_state = proto::sasl::status::more;
  std::error_code client_ec;
  std::error_code server_ec;
};

/// Plays a client against a server until either stops, as a session would:
/// the AUTH command's initial response goes to server.start(), each 334's
/// text to the client, each response line to the server.
inline exchange_result exchange(proto::sasl::client& c, proto::sasl::server& s) {
  using proto::sasl::status;
  exchange_result r;
  proto::sasl::step cs = c.start();
  r.wire.push_back("C: " + std::string(cs.line));
  if (!cs.send) {
    r.client_state = cs.state;
    r.client_ec = cs.ec;
    return r;
  }
  const std::string_view command = cs.line;
  const auto space = command.find(' ', 5);
  std::optional<std::string_view> ir;
  if (space != std::string_view::npos) ir = command.substr(space + 1);
  proto::sasl::step ss = s.start(ir);
  for (int round = 0; ss.state == status::more && round < 8; ++round) {
    r.wire.push_back("S: 334 " + std::string(ss.line));
    cs = c.on_challenge(ss.line);
    if (!cs.send) break;
    r.wire.push_back("C: " + std::string(cs.line));
    ss = s.on_response(cs.line);
  }
  r.client_state = cs.state;
  r.client_ec = cs.ec;
  r.server_state = ss.state;
  r.server_ec = ss.ec;
  return r;
}

}  // namespace ehlo::test
