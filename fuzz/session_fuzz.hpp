// The harness the two session targets share: a fixed scenario played by one
// role, the fuzz input as what the peer sends, and the properties.
//
// Input: byte 0 says how the run ends and which limits apply (see options),
// byte 1 how many cut bytes follow (0-15); each cut byte gives the size of a
// read (1-256, used in turn); the rest is the peer's byte stream.
//
// Properties:
//  (a) the session reaches `done` within a bounded number of actions, and
//      when it asks for a read it holds at most one unfinished unit (a reply,
//      a command line, a data line: bounded by the parser limits);
//  (b) split invariance: the verdict, findings and transcript are the same
//      whether the stream arrives cut into the reads the input chooses, or
//      whole. A TLS start is a boundary that cannot move: bytes that arrived
//      before it are discarded (RFC 3207 §5) and the rest is read after it,
//      so "whole" means each stretch between the TLS starts of the cut run
//      (its epochs) arrives in one read;
//  (c) every finding lies inside the bytes received, and names a step.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "check.hpp"
#include "scenario/scenario_load.hpp"
#include "session/session.hpp"

namespace ehlo::fuzz {

struct options {
  bool timeout_at_end = false;  ///< after the stream: the read times out (else EOF)
  bool tls_fails = false;
  session::settings settings;
  std::vector<std::size_t> cuts;
  std::string_view stream;
};

EHLO_FUZZ_HARNESS inline options options_of(const std::uint8_t* data, std::size_t size) {
  options o;
  o.settings.now = [] { return std::int64_t{1219617825}; };
  o.settings.unique_token = [] { return std::string("f00d"); };
  o.settings.max_transcript_bytes = 64 * 1024;
  o.settings.data.max_size = 64 * 1024;
  if (size < 2) {
    o.stream = {reinterpret_cast<const char*>(data), size};
    return o;
  }
  const std::uint8_t flags = data[0];
  o.timeout_at_end = (flags & 1) != 0;
  o.tls_fails = (flags & 2) != 0;
  if ((flags & 4) != 0) {  // small limits, reached quickly
    o.settings.reply.max_line_length = 128;
    o.settings.reply.max_lines = 8;
    o.settings.reply.max_reply_bytes = 512;
    o.settings.command.max_line_length = 128;
    o.settings.max_data_line = 128;
    o.settings.data.max_size = 256;
    o.settings.max_regex_subject = 64;
  }
  o.settings.reply.allow_bare_lf = o.settings.command.allow_bare_lf = (flags & 8) != 0;
  o.settings.reply.allow_mixed_codes = (flags & 16) != 0;
  o.settings.command.allow_space_around_colon = o.settings.command.allow_extra_spaces = (flags & 32) != 0;
  o.settings.show_secrets = (flags & 64) != 0;
  const std::size_t n = std::min<std::size_t>(data[1] & 15, size - 2);
  for (std::size_t i = 0; i < n; ++i) o.cuts.push_back(std::size_t{data[2 + i]} + 1);
  o.stream = {reinterpret_cast<const char*>(data) + 2 + n, size - 2 - n};
  return o;
}

/// What a run reported, owned and comparable.
struct outcome {
  session::verdict verdict;
  std::vector<session::finding> findings;
  std::vector<scenario::transcript_step> transcript;
  std::size_t actions = 0;
  std::vector<std::size_t> tls_at;  ///< bytes delivered when each TLS start was asked for
  std::uint64_t delivered = 0;
};

/// Plays `s` against the stream: each read gets the next piece. `pieces`
/// lists the sizes of the reads (in turn); `epochs`, when not empty, the
/// stream offsets where reads must stop (TLS starts of another run).
template <class Session>
EHLO_FUZZ_HARNESS outcome play(const scenario::scenario& sc, const options& o, const std::vector<std::size_t>& pieces,
                               const std::vector<std::size_t>& epochs) {
  Session s(sc, o.settings);
  outcome out;
  const std::size_t unit_limit =
      std::max({o.settings.reply.max_reply_bytes, o.settings.command.max_line_length, o.settings.max_data_line});
  std::size_t at = 0, piece = 0, epoch = 0;
  // Every action either consumes input, ends a step, or ends the session:
  // a bound the session must keep whatever it is sent.
  const std::size_t max_actions = 8 * (o.stream.size() + 64);
  for (;;) {
    FUZZ_CHECK(out.actions < max_actions);
    const session::action a = s.next();
    ++out.actions;
    if (a.what == session::action::done) break;
    switch (a.what) {
      case session::action::send:
        s.sent();
        break;
      case session::action::read: {
        if (at >= o.stream.size()) {
          if (o.timeout_at_end)
            s.timed_out();
          else
            s.peer_closed();
          break;
        }
        std::size_t n = o.stream.size() - at;
        if (!pieces.empty()) n = std::min(n, pieces[piece++ % pieces.size()]);
        while (epoch < epochs.size() && epochs[epoch] <= at) ++epoch;
        if (epoch < epochs.size()) n = std::min(n, epochs[epoch] - at);
        s.received(o.stream.substr(at, n));
        at += n;
        break;
      }
      case session::action::start_tls:
        out.tls_at.push_back(at);
        if (o.tls_fails)
          s.tls_failed("fuzz");
        else
          s.tls_started("TLSv1.3");
        break;
      case session::action::pause:
        s.paused();
        break;
      case session::action::close:
        s.closed();
        break;
      case session::action::done:
        break;
    }
    if (s.next().what == session::action::read) FUZZ_CHECK(s.buffered() <= unit_limit);
  }
  out.verdict = s.result();
  out.findings.assign(s.findings().begin(), s.findings().end());
  out.transcript.assign(s.transcript().begin(), s.transcript().end());
  out.delivered = at;
  return out;
}

template <class Session>
EHLO_FUZZ_HARNESS void check_session(const scenario::scenario& sc, const std::uint8_t* data, std::size_t size) {
  const options o = options_of(data, size);
  const outcome cut = play<Session>(sc, o, o.cuts, {});
  // (c)
  for (const auto& f : cut.findings) {
    FUZZ_CHECK(f.broken != nullptr);
    FUZZ_CHECK(f.offset <= cut.delivered);
    FUZZ_CHECK(!f.pointer.empty());
  }
  FUZZ_CHECK(cut.verdict.passed() == cut.verdict.message.empty());
  // (b)
  const outcome whole = play<Session>(sc, o, {}, cut.tls_at);
  FUZZ_CHECK(whole.verdict == cut.verdict);
  FUZZ_CHECK(whole.findings == cut.findings);
  FUZZ_CHECK(whole.transcript == cut.transcript);
  FUZZ_CHECK(whole.tls_at == cut.tls_at);
}

/// Loads the target's scenario once; a scenario that does not load is a bug
/// of the target itself.
EHLO_FUZZ_HARNESS inline scenario::scenario load_fixed(std::string_view json) {
  auto loaded = scenario::load_scenario(json);
  FUZZ_CHECK(loaded.ok());
  return std::move(loaded.sc);
}

}  // namespace ehlo::fuzz
