// Where a session stands in its scenario: a path through the step tree, since
// a one_of nests lists of steps, and a pipeline holds commands the server
// role reads one at a time.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"

namespace ehlo::session {

/// Which side sends a step, and so which side checks it.
enum class sender : std::uint8_t {
  client,  ///< C, message, bdat, pipeline, close C
  server,  ///< S, close S
  both,    ///< tls, pause: each role does it
};

/// The sender of a step; for one_of, of the first step of its first branch.
sender sender_of(const scenario::step& s) noexcept;

class step_cursor {
 public:
  step_cursor() = default;
  explicit step_cursor(const std::vector<scenario::step>& steps);

  bool at_end() const noexcept { return frames_.empty(); }
  /// The current step; not at_end().
  const scenario::step& step() const noexcept { return (*frames_.back().list)[frames_.back().index]; }
  /// The command of a pipeline the server role reads next (0 elsewhere).
  std::size_t element() const noexcept { return frames_.back().element; }
  /// The current pipeline command, or the C step itself, or nullptr.
  const scenario::command_step* command() const noexcept;
  /// "steps/4", or "steps/4/pipeline/1" inside a pipeline past its first command.
  std::string pointer() const;
  /// The current step's pointer, a view into the scenario ("" at the end).
  std::string_view step_pointer() const noexcept;

  /// Past the current step (and out of any branch it ends).
  void next();
  /// Past the current pipeline command: to the next one, or past the pipeline.
  void next_element();
  /// Into branch `i` of the current one_of step.
  void enter(std::size_t branch);

  friend bool operator==(const step_cursor&, const step_cursor&) = default;

 private:
  struct frame {
    const std::vector<scenario::step>* list = nullptr;
    std::size_t index = 0;
    std::size_t element = 0;
    friend bool operator==(const frame&, const frame&) = default;
  };
  void settle();

  std::vector<frame> frames_;
};

}  // namespace ehlo::session
