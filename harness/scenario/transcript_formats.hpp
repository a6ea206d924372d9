// Captured SMTP transcripts of real tools, read into transcript steps, and the
// S:/C: form written back. tests/data/captures/README.md describes each format.
//
// Every reader gives the model of transcript.hpp: a server step is one reply
// (a tool's one line per reply line grouped by the "-" after the code, the rule
// read_sc_transcript uses), a client step one command or one data line. What
// the capture says is kept, quirks and AUTH base64 included; the readers
// correct nothing. Lines after STARTTLS and its 220 are just more steps: TLS
// handshake output never becomes a step. Data lines are as the wire had them
// (dot-stuffed where the client stuffed). Tool output that is not SMTP (info
// lines, progress meters, configuration dumps, TLS records) is skipped; a few
// lines worth keeping become notes of the next step:
//
//   sc           "#" comments.
//   swaks        "===", "***", "**>", "*~>", "???" lines, whole, but "=== Trying ...",
//                "=== Connected to ..." and "=== Connection closed ...".
//   curl-v       "* SSL connection using" and "* SSL certificate verify result"
//   curl-trace   info lines and "curl: (N) ..." errors, whole (the trace's
//                "== Info: " form likewise).
//   smtplib      none (the level-2 time stamp is dropped).
//   msmtp        "TLS session parameters: ..." (the next line added), and the
//                "msmtp: ..." errors, which go to the LAST step: msmtp writes them
//                first into a file (README notes) although they come last.
//
// Where a capture hides the message content:
//   curl -v      prints "} [N bytes data]" for the body: one data_not_shown step
//                stands for the body and the end-of-data line, right after the 354
//                reply (when a reply follows, or "} [" marks show the upload).
//   curl-trace   shows the body but not curl's end of data: the reader adds it as
//                curl 7.88 sends it (note "end of data added: not in the trace"):
//                a "." line, after an empty line when the body did not end with
//                CR LF (curl sends CR LF "." CR LF then). The dump hides CR LF
//                (its offsets show where) but prints LF, CR, TAB and every byte
//                outside 0x20-0x7F as ".", so a body with CR LF lines is split at
//                them and its dots are dots; a body with no CR LF at all (an LF-only
//                file sent without --crlf) is split at LF, which the reader can only
//                guess: in a run of k dots between characters p and n, the first is
//                a literal dot if k > 1 and p is a letter or digit ("it..Bye"), the
//                last is a literal dot if n is a lowercase letter, digit or space
//                ("example.com", ",...this" = LF LF ".this"), a single dot is a
//                literal one only then, and every other dot is an LF. Lines are the
//                guessed bytes split at LF, a CR before it removed; the first data
//                step's note says the breaks were guessed.
//   smtplib      "send: b'...'" holds the whole message: split at LF, one CR before
//                each LF removed; text after the last LF joins the next "send:"
//                unless something else comes first, then it is a line of its own.
//
// Errors: transcript_error names the first line that belongs to no step and
// makes no sense in the format: a line with bytes no tool prints (C0 controls
// other than TAB and CR, DEL), a malformed line of the format's own kind (a
// "send:"/"reply:" whose Python literal does not parse, a trace dump line
// outside a block or whose offsets do not add up, a trace block header without
// its size), or in sc what read_sc_transcript rejects. Other unknown lines are
// tool chatter and skipped. After an error the steps read so far are returned.
//
// Time and memory are linear in the input.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/transcript.hpp"

namespace ehlo::scenario {

enum class transcript_format { sc, swaks, curl_verbose, curl_trace, smtplib, msmtp };

/// "sc", "swaks", "curl-v", "curl-trace", "smtplib", "msmtp".
std::string_view format_name(transcript_format f) noexcept;
/// The format a name of format_name stands for.
std::optional<transcript_format> format_of(std::string_view name) noexcept;

/// Looks at the first 64 meaningful lines (not blank, no progress meter or
/// msmtp configuration dump) and names the format whose marks most of them
/// carry, if that format also shows a server reply line there; sc only when
/// its first line that is not a comment is an S: or C: line. nullopt: none.
std::optional<transcript_format> detect_format(std::string_view text) noexcept;

std::vector<transcript_step> read_transcript(std::string_view text, transcript_format f, transcript_error& err,
                                             const transcript_limits& limits = {});

/// Why detect_format found no format in `text`, at the line that shows it: an
/// empty file, one of white space only, a line with control bytes (binary
/// data), JSON (a scenario in a file not named *.json), or no line of any
/// format (the first meaningful line).
transcript_error explain_no_format(std::string_view text);

/// The S:/C: form: each note as "# " lines before its step, every step line
/// with its prefix ("S: ", "C: "), a data_not_shown step as sc_data_not_shown,
/// LF line ends (one CR more where a line itself ends with CR, which the reader
/// removes). read_sc_transcript gives back the same steps but for their `line`
/// (positions in the written text), for every step the readers make. What
/// cannot round-trip:
///   - a line or note holding LF;
///   - a server step with no lines, or whose line after the first has no code
///     or follows a line without "-" (written as a reply of its own);
///   - a server step whose first line has a code right after a server step
///     whose last line has "-" (read as more of that reply);
///   - a client step with other than one line, unless data_not_shown;
///   - a data_not_shown server step or one with lines (read as a client one without);
///   - a note "" and no note are the same; comments after the last step join its note.
std::string write_sc_transcript(std::span<const transcript_step> steps);

}  // namespace ehlo::scenario
