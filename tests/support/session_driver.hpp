// In-memory drivers for sessions: self-play (a client_session and a
// server_session connected to each other) and a scripted peer (a list of
// byte chunks it sends, one per read). Both can deliver bytes whole or one at
// a time, so a test can check that the split changes nothing.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario_load.hpp"
#include "session/client_session.hpp"
#include "session/server_session.hpp"

namespace ehlo::test {

/// Loads an inline scenario, CHECKing that it loads without errors.
inline scenario::scenario scenario_of(std::string_view json) {
  auto loaded = scenario::load_scenario(json);
  for (const auto& e : loaded.errors) FAIL_CHECK(scenario::to_string("inline", e));
  return std::move(loaded.sc);
}

/// Settings with time and randomness fixed.
inline session::settings fixed_settings() {
  session::settings s;
  s.now = [] { return std::int64_t{1219617825}; };
  s.unique_token = [] { return std::string("f00d"); };
  return s;
}

/// What one role reported, owned, comparable and printable.
struct role_outcome {
  session::verdict verdict;
  std::vector<std::string> findings;  ///< "[rule] pointer @offset: what"
  std::vector<scenario::transcript_step> transcript;
  scenario::variables vars;
  std::vector<session::kept_message> messages;  ///< server role

  friend bool operator==(const role_outcome&, const role_outcome&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const role_outcome& o) {
  os << "{" << o.verdict;
  for (const auto& f : o.findings) os << "\n  " << f;
  for (const auto& t : o.transcript) os << "\n  " << t;
  for (const auto& m : o.messages) os << "\n  message " << m.mail_from << " (" << m.content.size() << " bytes)";
  return os << "}";
}

inline role_outcome outcome_of(const session::session& s) {
  role_outcome o;
  o.verdict = s.result();
  for (const auto& f : s.findings()) {
    std::ostringstream line;
    line << f;
    o.findings.push_back(line.str());
  }
  o.transcript.assign(s.transcript().begin(), s.transcript().end());
  o.vars = s.variables();
  if (const auto* server = dynamic_cast<const session::server_session*>(&s))
    o.messages.assign(server->messages().begin(), server->messages().end());
  return o;
}

/// A transcript as its S:/C: lines, a string each.
inline std::vector<std::string> texts(const std::vector<scenario::transcript_step>& steps) {
  std::vector<std::string> out;
  for (const auto& s : steps)
    for (const auto& l : s.lines) out.push_back((s.from == scenario::side::server ? "S: " : "C: ") + l);
  return out;
}

inline std::vector<std::string> rule_ids(const session::session& s) {
  std::vector<std::string> ids;
  for (const auto& f : s.findings()) ids.emplace_back(f.broken->id);
  return ids;
}

struct play_outcome {
  role_outcome client, server;
  friend bool operator==(const play_outcome&, const play_outcome&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const play_outcome& o) {
  return os << "client " << o.client << "\nserver " << o.server;
}

struct play_options {
  bool byte_at_a_time = false;
  std::size_t max_actions = 100000;
};

/// Drives two sessions against each other: bytes one side sends are what the
/// other reads. TLS "starts" when both sides ask for it with nothing in flight;
/// pauses pass at once; a session that is done (or closed) is EOF to its peer
/// once its bytes are read; when both wait with nothing in flight, the
/// reading side with the shortest wait (both, when equal) times out.
inline void drive_pair(session::session& client, session::session& server, const play_options& options = {}) {
  session::session* sides[2] = {&client, &server};
  std::string inbox[2];  // bytes in flight to each side
  bool gone[2] = {false, false};
  std::size_t actions = 0;
  while (actions < options.max_actions) {
    bool progress = false;
    for (int me = 0; me < 2; ++me) {
      session::session& self = *sides[me];
      const int peer = 1 - me;
      const session::action a = self.next();
      switch (a.what) {
        case session::action::send:
          inbox[peer].append(a.bytes);
          self.sent();
          progress = true;
          break;
        case session::action::read:
          if (!inbox[me].empty()) {
            const std::size_t n = options.byte_at_a_time ? 1 : inbox[me].size();
            const std::string chunk = inbox[me].substr(0, n);
            inbox[me].erase(0, n);
            self.received(chunk);
            progress = true;
          } else if (gone[peer]) {
            self.peer_closed();
            progress = true;
          }
          break;
        case session::action::start_tls:
          if (gone[peer]) {
            self.tls_failed("the peer is gone");
            progress = true;
          } else if (sides[peer]->next().what == session::action::start_tls) {
            if (!inbox[me].empty() || !inbox[peer].empty()) {
              self.tls_failed("plaintext bytes in flight at the handshake");
              sides[peer]->tls_failed("plaintext bytes in flight at the handshake");
            } else {
              self.tls_started("TLSv1.3");
              sides[peer]->tls_started("TLSv1.3");
            }
            progress = true;
          }
          break;
        case session::action::pause:
          self.paused();
          progress = true;
          break;
        case session::action::close:
          self.closed();
          gone[me] = true;
          progress = true;
          break;
        case session::action::done:
          gone[me] = true;
          break;
      }
      if (progress) ++actions;
    }
    if (client.next().what == session::action::done && server.next().what == session::action::done) break;
    if (!progress) {
      // Time passes: the read with the shortest wait times out first (a silent
      // step's, before the other side's wait for what follows it).
      bool any = false;
      std::optional<session::duration> first;
      for (auto* side : sides)
        if (const auto a = side->next(); a.what == session::action::read && (!first || a.wait < *first)) first = a.wait;
      for (auto* side : sides) {
        if (const auto a = side->next(); a.what == session::action::read && a.wait == *first) {
          side->timed_out();
          any = true;
        }
      }
      if (!any) {
        FAIL_CHECK("self-play is stuck: client " << client.current() << ", server " << server.current());
        break;
      }
    }
  }
  CHECK(actions < options.max_actions);
}

/// Plays a scenario against itself (drive_pair) and returns what each role reported.
inline play_outcome self_play(const scenario::scenario& sc, const session::settings& s = fixed_settings(),
                              const play_options& options = {}) {
  session::client_session client(sc, s);
  session::server_session server(sc, s);
  drive_pair(client, server, options);
  return {outcome_of(client), outcome_of(server)};
}

/// Self-play with every byte delivered whole and one at a time; CHECKs both
/// give the same outcome and returns it.
inline play_outcome self_play_every_split(const scenario::scenario& sc, const session::settings& s = fixed_settings()) {
  const play_outcome whole = self_play(sc, s);
  const play_outcome bytes = self_play(sc, s, {.byte_at_a_time = true});
  CHECK(bytes == whole);
  return whole;
}

/// A chunk of a script that is not bytes: the read times out instead.
inline const std::string silence{"\0silence\0", 9};

/// What a scripted peer sends: one chunk per read (or `silence`); then EOF or silence.
struct script {
  script(std::vector<std::string> c, bool timeout_at_end = false)
      : chunks(std::move(c)), end_with_timeout(timeout_at_end) {}

  std::vector<std::string> chunks;
  bool end_with_timeout = false;  ///< after the chunks: time out instead of EOF
  bool byte_at_a_time = false;    ///< deliver each chunk one byte per read
  std::optional<std::string> tls_failure;
  /// A handshake that succeeds with a certificate a verifying client would refuse, and why.
  std::optional<std::string> tls_unverified;
};

struct script_run {
  std::string sent;                       ///< every byte the session sent
  std::vector<std::string> writes;        ///< the same, a string per send action
  std::vector<session::duration> pauses;  ///< the wait of each pause action
  std::vector<session::action::kind> actions;
  std::size_t max_buffered = 0;
  role_outcome outcome;
};

inline script_run run_script(session::session& s, const script& sc, std::size_t max_actions = 100000) {
  script_run run;
  std::size_t next_chunk = 0, at = 0;
  for (std::size_t i = 0; i < max_actions; ++i) {
    const session::action a = s.next();
    run.actions.push_back(a.what);
    if (a.what == session::action::done) break;
    switch (a.what) {
      case session::action::send:
        run.sent.append(a.bytes);
        run.writes.emplace_back(a.bytes);
        s.sent();
        break;
      case session::action::read:
        if (next_chunk < sc.chunks.size() && sc.chunks[next_chunk] == silence) {
          ++next_chunk;
          s.timed_out();
        } else if (next_chunk < sc.chunks.size()) {
          const std::string& chunk = sc.chunks[next_chunk];
          const std::size_t n = sc.byte_at_a_time ? std::min<std::size_t>(1, chunk.size() - at) : chunk.size();
          const std::string piece = chunk.substr(at, n);
          at += n;
          if (at >= chunk.size()) {
            ++next_chunk;
            at = 0;
          }
          s.received(piece);
        } else if (sc.end_with_timeout) {
          s.timed_out();
        } else {
          s.peer_closed();
        }
        break;
      case session::action::start_tls:
        if (sc.tls_failure) {
          s.tls_failed(*sc.tls_failure);
        } else {
          if (sc.tls_unverified) s.tls_unverified(*sc.tls_unverified);
          s.tls_started("TLSv1.3");
        }
        break;
      case session::action::pause:
        run.pauses.push_back(a.wait);
        s.paused();
        break;
      case session::action::close:
        s.closed();
        break;
      case session::action::done:
        break;
    }
    run.max_buffered = std::max(run.max_buffered, s.buffered());
  }
  CHECK(s.next().what == session::action::done);
  run.outcome = outcome_of(s);
  return run;
}

/// The run with the chunks whole and one byte at a time; CHECKs the outcome
/// and the bytes sent are the same, and returns the whole run.
template <class Session>
script_run run_every_split(const scenario::scenario& sc, const session::settings& settings, script peer) {
  Session whole_session(sc, settings);
  peer.byte_at_a_time = false;
  script_run whole = run_script(whole_session, peer);
  Session bytes_session(sc, settings);
  peer.byte_at_a_time = true;
  const script_run bytes = run_script(bytes_session, peer);
  CHECK(bytes.outcome == whole.outcome);
  CHECK(bytes.sent == whole.sent);
  return whole;
}

}  // namespace ehlo::test
