// A scenario: one SMTP conversation, server steps (S) and client steps (C) in
// order, playable from either side (scenarios/README.md is the reference of
// the file format; scenarios/scenario.schema.json its JSON Schema).
//
// The model keeps text as written: `${...}` expansions are checked when the
// file is loaded and evaluated only when a runner plays the step, because
// captures are known only then. Every step remembers where it was written
// (file line and column, JSON pointer) so that a runner's failure can name it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "scenario/transcript.hpp"

namespace ehlo::scenario {

/// The version of the format this build reads and writes ("version": 1).
inline constexpr int format_version = 1;

using duration = std::chrono::milliseconds;

/// Where a value was written. Not part of a value's identity: two steps that
/// say the same thing compare equal wherever they were written.
struct source_pos {
  std::uint32_t line = 0;    ///< 1-based; 0 for a step made in code
  std::uint32_t column = 0;  ///< 1-based, in characters
  friend bool operator==(const source_pos&, const source_pos&) noexcept { return true; }
};

/// "250", "2xx", "25x": a reply code, or a pattern where 'x' is any digit.
struct code_pattern {
  char c[3] = {'x', 'x', 'x'};
  bool matches(int code) const noexcept;
  friend bool operator==(const code_pattern&, const code_pattern&) = default;
};

/// "250", "2xx", "25x": three of 0-9 or 'x'.
bool parse_code_pattern(std::string_view s, code_pattern& out) noexcept;
std::string to_string(const code_pattern& c);

/// A named regular expression (RE2's syntax: regex_syntax.hpp) whose first group, or whole
/// match when it has none, is stored in a variable.
struct capture {
  std::string var;
  std::string regex;
  friend bool operator==(const capture&, const capture&) = default;
};

/// {"S": ...}: a reply. Sent as written by the server role; the client role
/// reads one reply and checks it: by default its code against the code of the
/// first line of `lines`, or against `codes` when given.
struct reply_step {
  std::vector<std::string> lines;  ///< without CRLF; one string when raw
  bool raw = false;                ///< send `lines[0]` byte for byte, no CRLF added
  std::vector<code_pattern> codes;
  std::optional<std::string> status;  ///< enhanced status code, "5.7.0" or "5.7.x"
  std::optional<std::string> text;    ///< regex the reply's text must match somewhere
  std::vector<std::string> offers;    ///< EHLO keywords ("PIPELINING", "AUTH LOGIN") that must be offered
  std::vector<std::string> lacks;     ///< EHLO keywords that must not be offered
  std::vector<capture> captures;
  friend bool operator==(const reply_step&, const reply_step&) = default;
};

/// How the server role checks a command against its C step.
enum class command_match : std::uint8_t {
  exact,  ///< the verb in any case, the rest byte for byte (after expansion)
  verb,   ///< the verb only
  any,    ///< any command at all
};

/// {"C": ...}: a command or one data line. Sent (with CRLF) by the client
/// role; read and checked by the server role.
struct command_step {
  std::string line;  ///< without CRLF unless raw
  bool raw = false;  ///< send `line` byte for byte, no CRLF added
  command_match match = command_match::exact;
  std::optional<std::string> arg;  ///< regex the whole argument must match (the verb still must)
  friend bool operator==(const command_step&, const command_step&) = default;
};

struct attachment {
  std::string name;     ///< the file name the recipient sees
  std::string type;     ///< media type; "" guesses from the name
  std::string file;     ///< read at run time, relative to the scenario's folder; or
  std::string content;  ///< inline content, when `file` is empty
  friend bool operator==(const attachment&, const attachment&) = default;
};

/// {"message": ...}: the content after DATA's 354, dot-stuffed and ended with
/// CRLF.CRLF by the runner. Either the text of a whole message (`text`, LF
/// line ends made CRLF) or one built from headers, bodies and attachments.
/// The server role reads a message up to the end of data and keeps it.
struct message_step {
  std::optional<std::string> text;
  std::vector<std::string> headers;  ///< "Name: value", in order
  std::optional<std::string> body;   ///< text/plain
  std::optional<std::string> html;   ///< text/html
  std::vector<attachment> attachments;
  friend bool operator==(const message_step&, const message_step&) = default;
};

/// {"bdat": ...}: "BDAT <size>[ LAST]" and the chunk's bytes, exactly (RFC 3030).
struct bdat_step {
  std::string chunk;
  bool last = false;
  friend bool operator==(const bdat_step&, const bdat_step&) = default;
};

/// {"pipeline": [...]}: commands sent in one write before any reply is read
/// (RFC 2920); their replies are the S steps that follow.
struct pipeline_step {
  std::vector<command_step> commands;
  friend bool operator==(const pipeline_step&, const pipeline_step&) = default;
};

/// {"tls": "start"}: both sides run the TLS handshake here (after STARTTLS's 220).
/// {"tls": "abort"}: a fault: the server role reads the client's first
/// handshake bytes and closes the connection; the client role runs the
/// handshake as for "start" (and sees it fail).
struct tls_step {
  bool abort = false;
  friend bool operator==(const tls_step&, const tls_step&) = default;
};

/// {"pause": "500ms"}: both roles wait this long before going on.
struct pause_step {
  duration length{};
  friend bool operator==(const pause_step&, const pause_step&) = default;
};

/// {"close": "S"} or {"close": "C"}: that side closes the connection; the
/// other side expects the close.
struct close_step {
  bool by_server = true;
  friend bool operator==(const close_step&, const close_step&) = default;
};

/// {"silent": "S", "for": "3s"}: that side sends nothing for `length`. The
/// receiving role reads for that long and passes the step when nothing came
/// (anything that comes does not fit it); the sending role sends nothing. As
/// the first step of a `one_of` branch it is the branch taken when the other
/// branches' first steps did not come within `length`: how a probe tells "the
/// server took <LF>.<LF> as the end of data and answered" from "it is still
/// reading the message".
struct silent_step {
  bool by_server = true;
  duration length{};
  friend bool operator==(const silent_step&, const silent_step&) = default;
};

struct step;
/// {"one_of": [[...], [...]]}: alternatives. The receiving role takes the first
/// branch whose first step matches what came; the sending role plays the first.
struct one_of_step {
  std::vector<std::vector<step>> branches;
  friend bool operator==(const one_of_step&, const one_of_step&);
};

/// Conformance probes (scenarios/README.md, "Probes"; harness/check/).
///
/// What a probe concludes about the peer it checks: conforms to the rule;
/// violates it; violates it in a way an attacker can use (the smuggled
/// commands after an end-of-data look-alike were executed, not only the
/// look-alike taken); could not tell (a 421, a refused connection, a timeout
/// the probe does not call a violation); or does not apply (the server does
/// not offer what the probe needs, the client is not configured to use it).
enum class verdict_kind : std::uint8_t { conforms, violates, exploitable, inconclusive, not_applicable };

/// How much a violation weighs: a MUST of the RFC; a SHOULD; a peer that
/// accepts what it should refuse (lenient acceptance, often the door to an
/// attack); a pedantic point that rarely matters in practice.
enum class severity : std::uint8_t { must, should, lenient, pedantic };

/// "verdict" on a step: when the role that checks the probe's peer passes
/// this step (reads the reply or command it expects, sees the close, or the
/// silence), the probe's verdict becomes this. The last mark passed stands.
struct verdict_mark {
  verdict_kind is = verdict_kind::conforms;
  std::string rule;               ///< violates/exploitable: the rule broken; "" means the probe's first rule
  std::optional<severity> level;  ///< unset: the probe's severity
  std::string why;                ///< a sentence for reports: what the peer did
  friend bool operator==(const verdict_mark&, const verdict_mark&) = default;
};

/// "probe": the scenario is a conformance probe (scenarios/conformance/).
struct probe_info {
  std::string title;                ///< one line: what is checked
  std::string category;             ///< "smuggling", "starttls", "sequencing"...: --category, report groups
  std::vector<std::string> rules;   ///< rule ids (`ehlo rules`) it checks, at least one
  severity level = severity::must;  ///< of a violation, unless a mark says otherwise
  side checks = side::server;       ///< whose behaviour it judges: a server's (ehlo plays the client) or a client's
  std::vector<std::string> needs;   ///< server probes: EHLO keywords the server must offer ("PIPELINING", "AUTH PLAIN")
  /// Client probes: what the client must be set up to do ("starttls", "auth", "require-tls").
  std::vector<std::string> client_uses;
  bool opt_in = false;  ///< played only when named (--probe, --category): open relay tests and the like
  /// Client probes run with --client-cmd: the verdict by the client's exit status, when the steps left none.
  std::optional<verdict_mark> exit_zero, exit_nonzero;
  source_pos pos;  ///< where the "probe" object starts
  friend bool operator==(const probe_info&, const probe_info&) = default;
};

/// The static checks a step may switch off because it breaks a rule on purpose.
enum class allowance : std::uint8_t {
  mixed_codes = 1 << 0,            ///< "mixed-codes": lines of one reply carry different codes
  continuation = 1 << 1,           ///< "continuation": "250-" on the last line, or "250 " before it
  bad_code = 1 << 2,               ///< "bad-code": a code outside 2xx-5xx, or not three digits
  auth_not_offered = 1 << 3,       ///< "auth-not-offered": AUTH after an EHLO reply without AUTH
  no_tls_after_starttls = 1 << 4,  ///< "no-tls-after-starttls": STARTTLS got 220, no {"tls"} follows
  tls_without_starttls = 1 << 5,   ///< "tls-without-starttls": a {"tls"} step without STARTTLS/220 before
  long_line = 1 << 6,              ///< "long-line": a command or reply line over 512 octets
  lmtp_reply_count = 1 << 7,       ///< "lmtp-reply-count": not one reply per accepted recipient after the data
};

/// How the role that sends a step misbehaves while sending it: fault
/// injection (scenarios/README.md, "Faults"). Only the sending role acts on
/// it; the receiving role reads what comes as it always does, so a self-play
/// run shows how a strict peer takes the fault.
struct fault_plan {
  enum class split : std::uint8_t {
    whole,     ///< one write
    sizes,     ///< writes of `chunks` bytes, the last size repeating
    bytewise,  ///< a byte per write
    random,    ///< writes of 1 to max_random_chunk bytes, from the run's --seed
  };
  static constexpr std::uint32_t max_random_chunk = 64;
  enum class line_end : std::uint8_t { crlf, lf, cr };

  std::optional<duration> delay;      ///< "delay": wait this long before the first byte
  split how = split::whole;           ///< "chunks"
  std::vector<std::uint32_t> chunks;  ///< "chunks": [sizes], each at least 1
  duration gap{};                     ///< "gap": the pause between two writes of a split step
  line_end ends = line_end::crlf;     ///< "line_end": every CRLF the step sends becomes this
  std::optional<std::uint64_t> cut;   ///< "cut": send this many bytes of the step, then close
  std::vector<std::string> inject;    ///< "inject": lines sent right after the step, not expected by the peer
  std::optional<duration> stall;      ///< "stall": send nothing; wait this long for the peer to close

  /// Whether the step is sent other than plainly.
  bool any() const noexcept {
    return delay || how != split::whole || ends != line_end::crlf || cut || !inject.empty() || stall;
  }
  /// Whether playing it draws on the run's random seed.
  bool random() const noexcept { return how == split::random; }
  friend bool operator==(const fault_plan&, const fault_plan&) = default;
};

struct step {
  using kind = std::variant<reply_step, command_step, message_step, bdat_step, pipeline_step, tls_step, pause_step,
                            close_step, one_of_step, silent_step>;
  kind what;
  std::string note;                  ///< "note": a comment for the reader, printed with failures
  std::optional<duration> timeout;   ///< "timeout": how long the receiving role waits for this step
  bool optional = false;             ///< "optional": the receiving role may find it missing
  std::uint8_t allowed = 0;          ///< "allow": allowance bits
  fault_plan fault;                  ///< "delay", "chunks", "gap", "line_end", "cut", "inject", "stall"
  std::optional<verdict_mark> mark;  ///< "verdict": probes only
  source_pos pos;                    ///< where the step's object starts
  std::string pointer;               ///< its JSON pointer, "steps/3"; not part of its identity

  bool allows(allowance a) const noexcept { return (allowed & static_cast<std::uint8_t>(a)) != 0; }
  friend bool operator==(const step& a, const step& b) {
    return a.what == b.what && a.note == b.note && a.timeout == b.timeout && a.optional == b.optional &&
           a.allowed == b.allowed && a.fault == b.fault && a.mark == b.mark;
  }
};

inline bool operator==(const one_of_step& a, const one_of_step& b) { return a.branches == b.branches; }

struct variable {
  std::string name;
  std::optional<std::string> value;  ///< null in the file: must be given with --var
  friend bool operator==(const variable&, const variable&) = default;
};

enum class outcome : std::uint8_t { pass, fail };

struct scenario {
  int version = format_version;
  std::string name;
  std::string description;
  std::vector<std::string> rfc;  ///< sections it exercises, "RFC 5321 §4.1.1.4"
  std::vector<std::string> tags;
  std::vector<variable> vars;         ///< in file order
  std::vector<std::string> secrets;   ///< variables whose values are never printed
  std::optional<duration> timeout;    ///< default per-step timeout
  bool implicit_tls = false;          ///< "tls": "implicit": TLS from the first byte (port 465)
  bool lmtp = false;                  ///< "protocol": "lmtp" (RFC 2033)
  outcome expect = outcome::pass;     ///< "outcome": the verdict a self-play run should reach
  std::vector<std::string> findings;  ///< "findings": rule ids a run is expected to report
  std::optional<probe_info> probe;    ///< "probe": a conformance probe
  std::vector<step> steps;
  friend bool operator==(const scenario&, const scenario&) = default;
};

/// Whether playing `sc` draws on the run's random seed (a "chunks": "random" fault).
bool uses_seed(const scenario& sc) noexcept;

}  // namespace ehlo::scenario
