// A session plays one role of a scenario (scenarios/README.md): the client
// role sends the C steps and checks every reply against the S steps; the
// server role sends the S steps and checks every command against the C steps.
// It never touches a socket: bytes and events go in, actions come out, so a
// test or a fuzz target drives a whole conversation in memory.
//
// The driver's loop, until next() says done:
//
//   send:      write a.bytes, then sent(); timed_out() when the peer took
//              nothing of a piece for a.wait
//   read:      read until a.wait, then received(bytes), peer_closed() or timed_out()
//   start_tls: the handshake, within a.wait, then tls_started(version),
//              tls_failed(why) or timed_out(); the client role first
//              tls_unverified(why) when the server's certificate would not
//              pass a verifying client
//   pause:     wait a.wait, then paused()
//   close:     close, then closed()
//
// and at any time failed(why) when the transport breaks, expired(limit) when
// the whole session has run longer than the driver allows it.
//
// next() only reports: calling it twice gives the same action. Every change
// of state happens in the event functions, through set_state(), the one place
// the state changes, which logs `from -> to` by name. received() takes bytes
// in any split: the verdict, findings and transcript are the same whether a
// peer's bytes arrive whole or one at a time (but for what a role discards at
// a TLS start, which is what had arrived by then). Memory stays bounded by
// the settings whatever the peer sends.
//
// client_session.hpp and server_session.hpp are the two roles; this base holds
// what they share: the driver's API, the step cursor with optional steps and
// alternatives, variables and captures, the state machine, the reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "proto/conversation.hpp"
#include "proto/ehlo_capabilities.hpp"
#include "proto/finding.hpp"
#include "scenario/regex_syntax.hpp"
#include "scenario/scenario.hpp"
#include "scenario/text_template.hpp"
#include "scenario/transcript.hpp"
#include "session/fault_writer.hpp"
#include "session/session_types.hpp"
#include "session/step_cursor.hpp"
#include "session/transcript_recorder.hpp"

namespace ehlo::session {

class session {
 public:
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  virtual ~session() = default;

  /// What the driver must do now.
  action next() const noexcept;

  /// The bytes of the last send action were written.
  void sent();
  /// Bytes from the peer, as one read returned them (any split).
  void received(std::string_view bytes);
  /// The peer closed the connection (EOF, or TLS close_notify).
  void peer_closed();
  /// The deadline of the last read, send or start_tls action passed (a send's:
  /// the peer took nothing of a piece within the wait).
  void timed_out();
  /// The TLS handshake asked for by start_tls finished ("TLSv1.3").
  void tls_started(std::string_view version);
  void tls_failed(std::string_view why);
  /// Client role, while starting TLS (before tls_started()): the server's
  /// certificate would not pass a verifying client ("self-signed
  /// certificate"). A finding (3207-4.1) at the TLS step, `why` its detail;
  /// the session goes on. Ignored in the server role.
  void tls_unverified(std::string_view why);
  /// Server role, before the conversation (--proxy): the PROXY protocol
  /// header the client had to send first is missing or malformed (`why`). A
  /// finding (proxy-2), and the session fails there: nothing is played.
  void proxy_header_failed(std::string_view why);
  /// The pause asked for has passed.
  void paused();
  /// The connection was closed as asked.
  void closed();
  /// The transport failed in a way that is not a clean close (a reset, a write error).
  void failed(std::string_view why);
  /// The peer reset the connection (`why`: the transport's words). Where the
  /// peer's close is the step (a server that closes after 221 with the
  /// client's pipelined bytes unread resets instead of closing), that close;
  /// elsewhere failed(why).
  void peer_reset(std::string_view why);
  /// The peer reset the connection (or it broke) while this role was sending
  /// a step: the step is over, what the peer took of it unknown (a client
  /// that refuses a 100 kB reply line closes with the rest of it unread).
  /// Where the peer's close comes next, that close (as peer_reset); elsewhere
  /// failed(why).
  void reset_while_sending(std::string_view why);
  /// The whole session ran longer than `limit` (the driver's watchdog, beside
  /// each step's own deadline): ends it with a failure naming the step it was at.
  void expired(duration limit);

  /// Which role this session plays.
  scenario::side role() const noexcept { return role_; }
  state current() const noexcept { return state_; }
  /// The verdict; final once next() says done.
  const verdict& result() const noexcept { return verdict_; }
  std::span<const finding> findings() const noexcept { return findings_; }
  std::size_t findings_dropped() const noexcept { return findings_dropped_; }
  /// The conversation as it went on the wire, secrets redacted (settings::show_secrets).
  std::span<const scenario::transcript_step> transcript() const noexcept { return recorder_.steps(); }
  std::size_t transcript_dropped() const noexcept { return recorder_.dropped(); }
  /// The last settings::max_state_log transitions.
  std::span<const transition> state_log() const noexcept { return log_; }
  std::size_t state_log_dropped() const noexcept { return log_dropped_; }
  /// The variables: the scenario's, the settings', and captures.
  const scenario::variables& variables() const noexcept { return vars_; }
  /// Bytes received and not yet consumed. When a read is asked for, at most
  /// one unfinished unit (bounded by the parser limits); after received(),
  /// that and what the read returned.
  std::size_t buffered() const noexcept { return in_.size() - pos_; }
  /// The TLS version tls_started() gave; "" before.
  std::string_view tls_version() const noexcept { return tls_version_; }
  /// A probe's verdict so far: the last "verdict" mark on a step this role
  /// received (or a not-applicable stop: the server offers less than the probe
  /// needs). Unset while no mark was passed.
  const std::optional<probe_mark>& mark() const noexcept { return mark_; }
  /// Client role, probes: the keywords of "needs" that no EHLO reply offered
  /// so far (in the probe's order).
  std::vector<std::string> unmet_needs() const;

 protected:
  session(const scenario::scenario& sc, const settings& s, scenario::side role);
  /// Derived constructors call it last: checks the variables and plays up to
  /// the first action.
  void start();

  /// How what came fits a step this role receives.
  enum class fit : std::uint8_t { yes, no, more };
  /// Why it did not fit: "expected E, got G", or a sentence of its own.
  struct mismatch {
    std::string expected;
    std::string got;
    std::string message;  ///< when set, the whole message (naming the step itself)
    bool fatal = false;   ///< the input cannot be read at all: no alternative can help
  };

  // The role's half.

  /// Does the input (input(), peer_eof()) fit the step at `at`, one this role
  /// receives? Must not consume; may parse and keep the unit for commit().
  virtual fit match(const step_cursor& at, mismatch& why) = 0;
  /// Takes the unit match() accepted and moves the cursor past it (or starts
  /// streaming, setting state reading_message or reading_chunk).
  virtual void commit() = 0;
  /// Plays a step this role sends: S, C, message, bdat, pipeline. Calls send() or fail().
  virtual void play(const scenario::step& s) = 0;
  /// reading_message, reading_chunk: consumes what is buffered. Returns true
  /// when the step is over (cursor moved, or failed).
  virtual bool stream() { return true; }
  /// Forgets a unit match() kept but commit() did not take; its bytes stay
  /// in input() to be read again.
  virtual void drop_unit() {}
  /// True while match() holds a parsed unit not yet consumed.
  virtual bool holds_unit() const { return false; }
  /// TLS started: parsers start over at offset().
  virtual void restart_parsers() = 0;

  // For the roles.

  /// The one place where the state changes; logs it with the current step.
  void set_state(state to);
  /// Ends the session with a failure at `pointer`.
  void fail(std::string pointer, std::string_view note, std::string expected, std::string got, std::string message);
  /// fail() at the cursor's step (its pointer and note) with `message`.
  void fail_step(std::string message);
  /// fail() at the cursor's step from a mismatch.
  void fail_here(const mismatch& why);
  /// Sends `bytes` (state sending).
  void send(std::string bytes);
  /// The input against the bytes of a raw step: yes when they are all there,
  /// more while a prefix of them is, no (with `why`, shown up to the first byte
  /// that differs: what came after it depends on how reads were cut) otherwise.
  fit compare_raw(std::string_view expected, std::string_view label, mismatch& why) const;
  /// Expands `written` with the variables; fails the session (false) on error.
  bool expand(std::string_view written, std::string& out);
  void add_finding(const proto::rule& r, std::string_view what, std::uint64_t offset);
  void add_findings(const proto::finding_log& log, std::uint64_t base);
  /// Runs a capture's regex over `subject` and stores the result; fails the
  /// session (false) when it does not match.
  bool apply_captures(const std::vector<scenario::capture>& captures, std::string_view subject);
  /// A scenario regex searched for in, or matched against the whole of, a
  /// bounded subject, compiled at its first use in the session; false with
  /// `why` set when the subject is too long or the regex cannot run, with
  /// `why` empty when it does not match. `group` as scenario::regex::search.
  enum class regex_mode : std::uint8_t { search, whole };
  bool run_regex(const std::string& pattern, std::string_view subject, regex_mode mode, std::string& why,
                 std::string_view* group = nullptr);

  /// A whole line of the client (sent or read): the conversation learns what
  /// it is, and the transcript gets it, redacted as what it is.
  void record_client_line(std::string_view line);
  /// Client bytes cut at CRLF: each whole line as record_client_line(); a
  /// piece without CRLF waits for the rest (raw steps).
  void record_client_bytes(std::string_view bytes);
  /// A piece of a client line left waiting goes to the transcript as it is
  /// (the other side speaks now).
  void flush_client_line();

  /// A step this role received carried a "verdict": it becomes the probe's.
  void note_mark(const scenario::step& s, std::string_view pointer, std::string evidence);
  /// Ends the session, passed, with the probe not applicable (`why`).
  void stop_not_applicable(std::string why);
  /// Client role: the keywords an EHLO reply offered, for the probe's "needs".
  void offered_needs(const proto::ehlo_capabilities& caps);

  /// The unconsumed input, and its stream offset.
  std::string_view input() const noexcept { return std::string_view(in_).substr(pos_); }
  std::uint64_t offset() const noexcept { return erased_ + pos_; }
  void consume(std::size_t n) noexcept { pos_ += n; }
  bool peer_eof() const noexcept { return eof_; }
  /// The wait for the step at `at`: --timeout, else the step's, the scenario's, the default.
  duration wait_for(const scenario::step& s) const noexcept;
  /// The wait of what is done outside the steps (the implicit TLS handshake):
  /// --timeout, else the scenario's, the default.
  duration scenario_wait() const noexcept;
  /// The wait for the step the cursor is at, or scenario_wait() outside the steps.
  duration step_wait() const noexcept;
  /// The peer, as messages name it: "server" or "client".
  std::string_view peer() const noexcept { return role_ == scenario::side::client ? "server" : "client"; }

  const scenario::scenario sc_;  ///< a copy: the session's views into it live as long as it does
  const settings settings_;
  step_cursor cursor_;
  proto::conversation conv_;
  redactor redact_;
  transcript_recorder recorder_;
  scenario::variables vars_;
  scenario::expansion_env env_;
  /// Set when the close step was taken or played: no more steps can be played.
  bool conn_closed_ = false;

 private:
  struct probe_result {
    fit how = fit::no;
    bool stop = false;  ///< a step this role plays, or the end, was reached by passing optional steps
    step_cursor at;
    mismatch why;
  };
  void proceed();
  probe_result probe(step_cursor at);
  bool play_step();
  void begin_tls();
  void finish();
  bool plays(const scenario::step& s) const noexcept;
  std::size_t branch_to_play(const scenario::one_of_step& o) const;
  bool take_silence();
  void compact();
  void refresh_secrets();
  bool streaming() const noexcept { return state_ == state::reading_message || state_ == state::reading_chunk; }

  // Faults (scenario::fault_plan): how this role sends its own step.
  void follow(fault_writer::move m);
  bool hold_on();
  void record_peer_bytes(std::string_view bytes);
  void discard_plaintext();

  scenario::side role_;
  state state_ = state::start;
  verdict verdict_;
  std::vector<finding> findings_;
  std::size_t findings_dropped_ = 0;
  std::vector<transition> log_;
  std::size_t log_dropped_ = 0;
  std::string_view logged_at_;  ///< the step of the last transition logged

  std::string in_;
  std::size_t pos_ = 0;       ///< consumed bytes at the front of in_
  std::uint64_t erased_ = 0;  ///< bytes dropped from the front of in_ since the start
  bool eof_ = false;
  /// What a pausing, closing or reading state stands for besides the step of its name.
  enum class hold : std::uint8_t {
    none,
    delay,  ///< pausing: "delay" before the first write
    gap,    ///< pausing: "gap" between two writes
    cut,    ///< closing: "cut" (or "tls": "abort") ends the connection
    stall,  ///< reading: "stall": what comes is dropped until the peer closes
    abort,  ///< reading: "tls": "abort": the first bytes of the handshake, then close
  };
  /// The step being sent: written in pieces, as its fault plan says.
  fault_writer writer_;
  hold hold_ = hold::none;
  duration wait_{};
  std::uint32_t deadline_ = 0;
  const scenario::step* waiting_on_ = nullptr;
  std::size_t waiting_element_ = 0;
  bool implicit_tls_ = false;  ///< the TLS start pending is the file's "tls": "implicit"
  std::string tls_version_;
  std::string client_line_;  ///< a piece of a client line, not yet ended by CRLF
  std::optional<probe_mark> mark_;
  std::vector<bool> needs_met_;  ///< per sc_.probe->needs
  /// Each regex of the scenario compiled once, keyed by the scenario's string
  /// (which outlives the session).
  std::unordered_map<const std::string*, scenario::regex> regexes_;
};

}  // namespace ehlo::session
