// What a session and its driver exchange: the actions a session asks for, the
// settings it runs with, and what it reports (verdict, findings, state log).
//
// A session never touches a socket. The driver (the runner over Asio, a test,
// a fuzz target) asks next() what to do, does it, and tells the session how it
// went through one of its event functions (session.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/command_parser.hpp"
#include "proto/data_reader.hpp"
#include "proto/reply_parser.hpp"
#include "proto/rules.hpp"
#include "scenario/scenario.hpp"
#include "scenario/text_template.hpp"

namespace ehlo::session {

using duration = scenario::duration;

/// Where a session stands. Each role uses the states its steps need.
enum class state : std::uint8_t {
  start,            ///< constructed, before the first step
  sending,          ///< the driver sends action::bytes, then calls sent()
  reading,          ///< waiting for one unit from the peer: a reply, a command, a data line, raw bytes, the close
  reading_message,  ///< server: the content after DATA's 354, up to CRLF "." CRLF
  reading_chunk,    ///< server: the octets of a BDAT chunk
  starting_tls,     ///< the driver runs the TLS handshake, then calls tls_started() or tls_failed()
  pausing,          ///< the driver waits action::wait, then calls paused()
  closing,          ///< the driver closes the connection, then calls closed()
  done,             ///< finished: result() holds the verdict
};

std::string_view name(state s) noexcept;
std::ostream& operator<<(std::ostream& os, state s);

/// What the driver must do now.
struct action {
  enum kind : std::uint8_t { send, read, start_tls, pause, close, done };
  kind what = done;
  /// send: the bytes, a view into the session valid until the next event call.
  std::string_view bytes;
  /// read: how long to wait for the peer; pause: how long to pause; send:
  /// how long the peer may take to accept each piece of the bytes (a peer that
  /// stops reading holds a write no longer); start_tls: how long the whole
  /// handshake may take. Always the step's wait (session::wait_for), so
  /// --timeout bounds every one of them.
  duration wait{};
  /// read: reads with the same id share one deadline of `wait` that starts
  /// with the first of them; a new id starts a new deadline. A unit (a reply,
  /// a command) must arrive whole within its step's wait, so a peer that
  /// dribbles one byte at a time cannot stretch it; inside a message or a
  /// BDAT chunk each read gets a new deadline (progress keeps it alive).
  std::uint32_t deadline = 0;
};

std::string_view name(action::kind k) noexcept;

struct settings {
  /// How long a role waits for each step when neither the step nor the
  /// scenario says ("timeout").
  duration default_timeout = std::chrono::seconds(10);
  /// --timeout: every wait of the run, whatever the scenario or its steps say
  /// (the person at the command line knows the network they run over).
  std::optional<duration> timeout;
  /// --var NAME=VALUE: they override the scenario's "vars".
  scenario::variables vars;
  /// Time and randomness of ${date()}, ${message_id()} and built messages;
  /// unset: the system clock and random tokens. Tests fix them.
  std::function<std::int64_t()> now;
  std::function<std::string()> unique_token;
  /// --seed: the randomness of fault injection ("chunks": "random"); the
  /// same seed plays the same faults again.
  std::uint64_t seed = 0;

  /// Client role: the reply parser (reply line, lines per reply, reply size, leniencies).
  proto::reply_settings reply;
  /// Server role: the command parser (command line length, leniencies).
  proto::command_settings command;
  /// Server role: messages after DATA (message size, text line findings).
  proto::data::reader::settings data;
  /// Server role: the longest data line, CRLF included, compared against a C
  /// step after DATA's 354.
  std::size_t max_data_line = 32768;
  /// A "text", "capture" or "arg" regular expression is run over at most this
  /// many bytes; a longer subject fails the step. 64 KiB is the largest reply
  /// the reply parser accepts (max_reply_bytes), and more than a command or
  /// data line, so by default no subject is refused. RE2 matches in time
  /// linear in it (times the pattern's program, which the loader bounds:
  /// load_settings::max_regex_program), with no recursion, so a longer limit
  /// costs time in proportion, not a stack or an exponential blow-up.
  std::size_t max_regex_subject = std::size_t{64} * 1024;
  /// Bounded reports: findings kept, transcript bytes, state transitions,
  /// messages kept (server role). Past each, the rest are counted.
  std::size_t max_findings = 256;
  std::size_t max_transcript_bytes = std::size_t{1} << 20;
  std::size_t max_state_log = 256;
  std::size_t max_messages = 100;
  /// Where message attachments named by "file" are read from.
  std::filesystem::path folder;
  /// Print secrets: values of the scenario's "secrets" variables and the
  /// base64 of AUTH exchanges. Off: both are `<redacted>` in the transcript
  /// and in failure messages.
  bool show_secrets = false;
  /// Conformance probes: of a one_of, the sending role plays the first branch
  /// marked with this verdict (scenario::verdict_mark) instead of the first
  /// branch, so that ehlo's own peer can be made to conform or to commit the
  /// violation a probe looks for (`ehlo check --self-test`).
  std::optional<scenario::verdict_kind> play;

  /// Client role, `ehlo load --messages-per-session`: the top-level steps
  /// [first, end) are played `times` times in a row (load/message_part.hpp
  /// finds them); 1, the default, plays them once as written.
  struct repeat_part {
    std::size_t first = 0;
    std::size_t end = 0;
    std::size_t times = 1;
  };
  repeat_part repeat;
  /// Client role: keep what each reply answered (client_session::replies())
  /// for a driver that times the steps (`ehlo load`); it must take them
  /// (clear_replies()) after each event.
  bool reply_events = false;
};

/// What a probe's marks said, as the role that checks the peer passed them
/// (scenarios/README.md, "Probes"): the last mark passed, where, and on what.
struct probe_mark {
  scenario::verdict_mark mark;
  std::string pointer;   ///< the step that carried it
  unsigned code = 0;     ///< client role: the code of the reply that reached it; 0 for a close or a silence
  std::string evidence;  ///< what the peer did there: the reply's first line, the command, "closed", "silent for 3s"

  friend bool operator==(const probe_mark&, const probe_mark&) = default;
};

/// The outcome of a session. When it failed: which step, what the step
/// expected and what came instead, and the sentence a report prints.
struct verdict {
  scenario::outcome result = scenario::outcome::pass;
  std::string pointer;   ///< the failing step ("steps/7"), "vars/NAME" for a missing variable
  std::string note;      ///< that step's "note"
  std::string expected;  ///< `250 (S "250 2.1.5 Ok")`
  std::string got;       ///< `550 5.1.1 <nobody@example.com>: Recipient address rejected`
  /// `steps/7: expected 250 (S "250 2.1.5 Ok"), got 550 5.1.1 ...`,
  /// `timed out after 10s waiting for steps/3`.
  std::string message;

  bool passed() const noexcept { return result == scenario::outcome::pass; }
  friend bool operator==(const verdict&, const verdict&) = default;
};

std::ostream& operator<<(std::ostream& os, const verdict& v);

/// A rule the peer broke, seen while a step was played.
struct finding {
  const proto::rule* broken = nullptr;
  std::string_view what;     ///< static storage
  std::uint64_t offset = 0;  ///< in the bytes this role received, counted from the first
  std::string pointer;       ///< the step being played
  /// What only the run can tell, for the few findings that name it (OpenSSL's
  /// reason a certificate does not verify); reports show it after `what`.
  std::string detail = {};

  friend bool operator==(const finding&, const finding&) = default;
};

std::ostream& operator<<(std::ostream& os, const finding& f);

/// One entry of the state log: the state changed to `to`, at step `pointer`.
struct transition {
  state from = state::start;
  state to = state::start;
  std::string_view pointer;  ///< into the scenario; "" at the end of the steps

  friend bool operator==(const transition&, const transition&) = default;
};

/// "steps/3: reading -> sending".
std::string to_string(const transition& t);

/// A message the server role read, with the envelope the client gave it: the
/// MAIL and RCPT command lines (parameters included) that the scenario
/// answered 2xx, in order. For the spool the runner writes.
struct kept_message {
  std::string mail_from;             ///< "MAIL FROM:<a@b> SIZE=10"
  std::vector<std::string> rcpt_to;  ///< "RCPT TO:<c@d> NOTIFY=NEVER"
  std::string content;               ///< unstuffed (DATA) or the chunks joined (BDAT)
  std::string pointer;               ///< the step that read it

  friend bool operator==(const kept_message&, const kept_message&) = default;
};

}  // namespace ehlo::session
