// Where a session stands in its scenario: a path through the step tree, since
// a one_of nests lists of steps, and a pipeline holds commands the server
// role reads one at a time, answering each before it reads the next.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace ehlo::session {

/// Which side sends a step, and so which side checks it.
enum class sender : std::uint8_t {
  client,  ///< C, message, bdat, pipeline, close C, silent C
  server,  ///< S, close S, silent S
  both,    ///< tls, pause: each role does it
};

/// The sender of a step; for one_of, of the first step of its first branch.
sender sender_of(const scenario::step& s) noexcept;

class step_cursor {
 public:
  step_cursor() = default;
  explicit step_cursor(const std::vector<scenario::step>& steps);

  bool at_end() const noexcept { return frames_.empty(); }
  /// The current step; not at_end(). While answering ahead, the reply.
  const scenario::step& step() const noexcept {
    const frame& f = frames_.back();
    return (*f.list)[f.answering ? f.index + 1 + f.answered : f.index];
  }
  /// The command of a pipeline the server role reads next (0 elsewhere, and while answering ahead).
  std::size_t element() const noexcept { return frames_.back().answering ? 0 : frames_.back().element; }
  /// The current pipeline command, or the C step itself, or nullptr.
  const scenario::command_step* command() const noexcept;
  /// "steps/4", or "steps/4/pipeline/1" inside a pipeline past its first command.
  std::string pointer() const;
  /// The current step's pointer, a view into the scenario ("" at the end).
  std::string_view step_pointer() const noexcept;

  /// Past the current step (and out of any branch it ends). While answering
  /// ahead: back to the pipeline's next command, that reply answered.
  void next();
  /// Past the current pipeline command: to the next one, or past the pipeline
  /// and the replies to it already answered ahead.
  void next_element();
  /// The server role inside a pipeline, some of its commands read: makes the
  /// current step the reply to the first one not answered yet (the S steps
  /// after the pipeline answer its commands in order, RFC 2920 §3.1), so that
  /// it goes out before the next command is read. Only a plain S step right
  /// after the replies answered so far is; false (nothing changed) otherwise.
  bool answer_ahead() noexcept;
  /// Into branch `i` of the current one_of step.
  void enter(std::size_t branch);
  /// The top-level steps [first, end) are walked `times` times in a row: past
  /// step end - 1, the cursor goes back to `first` until they were. Set before
  /// the walk reaches `end`.
  void repeat(std::size_t first, std::size_t end, std::size_t times) noexcept;

  friend bool operator==(const step_cursor&, const step_cursor&) = default;

 private:
  struct frame {
    const std::vector<scenario::step>* list = nullptr;
    std::size_t index = 0;
    std::size_t element = 0;
    std::size_t answered = 0;  ///< replies after the pipeline at `index` sent ahead of its last command
    bool answering = false;    ///< the current step is the next of those replies
    friend bool operator==(const frame&, const frame&) = default;
  };
  void settle();
  void wrap() noexcept;

  std::vector<frame> frames_;
  std::size_t repeat_first_ = 0;
  std::size_t repeat_end_ = 0;
  std::size_t repeats_left_ = 0;  ///< times the part is still to be walked again
};

}  // namespace ehlo::session
