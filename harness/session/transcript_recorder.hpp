// The conversation as it went on the wire, from one role's view, as S/C
// transcript steps: a reply is one step with its lines (codes included), every
// client line (command, SASL response, data line) one step. Bytes that are not
// whole lines (raw steps, BDAT chunks, messages) are cut at CRLF; a piece
// without one ends its step when the other side speaks or the session ends.
//
// Bounded: past max_bytes of line text nothing more is kept, only counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/transcript.hpp"

namespace ehlo::session {

/// What never reaches a transcript or a failure message: the values of the
/// scenario's "secrets" variables, and the base64 of AUTH exchanges (which
/// encode passwords and tokens).
class redactor {
 public:
  static constexpr std::string_view mark = "<redacted>";

  bool show = false;                 ///< settings::show_secrets
  std::vector<std::string> secrets;  ///< the values to hide; empty ones are ignored

  /// Every secret value in `text` replaced by the mark.
  std::string text(std::string_view text) const;
  /// A SASL response line: the mark, but "*" (cancel) and "" as they are.
  std::string sasl_response(std::string_view line) const;
  /// A command line: "AUTH <mechanism> <initial response>" keeps its first two
  /// words; secrets are hidden in any line.
  std::string command(std::string_view line) const;
};

class transcript_recorder {
 public:
  transcript_recorder(std::size_t max_bytes, const redactor& r) : max_bytes_(max_bytes), redact_(&r) {}

  /// One step of whole lines, already redacted (a reply, a client line).
  void add(scenario::side from, std::vector<std::string> lines, std::uint32_t at_line);
  /// Bytes from one side, cut at CRLF; each whole line goes through redactor::text().
  void add_bytes(scenario::side from, std::string_view bytes, std::uint32_t at_line);
  /// Ends a piece of a line left by add_bytes() as its own step.
  void flush();
  /// Adds a line to the note of the last step kept (printed as "# " before it).
  void note(std::string_view text);
  /// Adds a line to the note of the next step (what happened between the two:
  /// a silence); the last step's if none follows (finish()).
  void note_next(std::string_view text);
  /// The end of the session: a note waiting for a next step goes to the last.
  void finish();

  const std::vector<scenario::transcript_step>& steps() const noexcept { return steps_; }
  /// Steps (or parts of lines) left out past the limit.
  std::size_t dropped() const noexcept { return dropped_; }

 private:
  void complete();

  std::size_t max_bytes_;
  const redactor* redact_;
  std::size_t bytes_ = 0;
  std::size_t dropped_ = 0;
  std::vector<scenario::transcript_step> steps_;
  std::optional<scenario::side> partial_side_;
  std::string partial_;
  bool partial_over_ = false;  ///< the piece of a line passed the budget: it is dropped
  bool partial_cr_ = false;    ///< the last byte added was a CR
  std::uint32_t partial_line_ = 0;
  std::string next_note_;  ///< note_next(), for the step add() adds next
};

}  // namespace ehlo::session
