#include "session/step_cursor.hpp"

#include <variant>

namespace ehlo::session {

sender sender_of(const scenario::step& s) noexcept {
  using namespace scenario;
  return std::visit(
      [](const auto& k) {
        using T = std::decay_t<decltype(k)>;
        if constexpr (std::is_same_v<T, reply_step>) {
          return sender::server;
        } else if constexpr (std::is_same_v<T, close_step> || std::is_same_v<T, silent_step>) {
          return k.by_server ? sender::server : sender::client;
        } else if constexpr (std::is_same_v<T, tls_step> || std::is_same_v<T, pause_step>) {
          return sender::both;
        } else if constexpr (std::is_same_v<T, one_of_step>) {
          // The loader refuses empty branches; one made in code counts as played by both.
          if (k.branches.empty() || k.branches[0].empty()) return sender::both;
          return sender_of(k.branches[0][0]);
        } else {
          return sender::client;
        }
      },
      s.what);
}

step_cursor::step_cursor(const std::vector<scenario::step>& steps) {
  frames_.push_back({&steps, 0, 0});
  settle();
}

const scenario::command_step* step_cursor::command() const noexcept {
  if (at_end()) return nullptr;
  const auto& s = step();
  if (const auto* c = std::get_if<scenario::command_step>(&s.what)) return c;
  if (const auto* p = std::get_if<scenario::pipeline_step>(&s.what))
    return element() < p->commands.size() ? &p->commands[element()] : nullptr;
  return nullptr;
}

std::string step_cursor::pointer() const {
  if (at_end()) return {};
  std::string p = step().pointer;
  if (std::holds_alternative<scenario::pipeline_step>(step().what) && element() > 0)
    p += "/pipeline/" + std::to_string(element());
  return p;
}

std::string_view step_cursor::step_pointer() const noexcept { return at_end() ? std::string_view() : step().pointer; }

void step_cursor::next() {
  if (at_end()) return;
  frame& f = frames_.back();
  if (f.answering) {
    f.answering = false;
    ++f.answered;
    return;
  }
  f.index += 1 + f.answered;
  f.element = 0;
  f.answered = 0;
  wrap();
  settle();
}

void step_cursor::next_element() {
  if (at_end()) return;
  const auto* p = std::get_if<scenario::pipeline_step>(&step().what);
  if (p != nullptr && frames_.back().element + 1 < p->commands.size()) {
    ++frames_.back().element;
    return;
  }
  next();
}

bool step_cursor::answer_ahead() noexcept {
  if (at_end()) return false;
  frame& f = frames_.back();
  if (f.answering || f.answered >= f.element || !std::holds_alternative<scenario::pipeline_step>(step().what))
    return false;
  const std::size_t reply = f.index + 1 + f.answered;
  if (reply >= f.list->size() || !std::holds_alternative<scenario::reply_step>((*f.list)[reply].what)) return false;
  f.answering = true;
  return true;
}

void step_cursor::repeat(std::size_t first, std::size_t end, std::size_t times) noexcept {
  if (first >= end || times < 2) return;
  repeat_first_ = first;
  repeat_end_ = end;
  repeats_left_ = times - 1;
}

/// Back to the start of the repeated part when the top level has just walked past its end.
void step_cursor::wrap() noexcept {
  if (repeats_left_ == 0 || frames_.size() != 1 || frames_.back().index != repeat_end_) return;
  frames_.back().index = repeat_first_;
  --repeats_left_;
}

void step_cursor::enter(std::size_t branch) {
  const auto& o = std::get<scenario::one_of_step>(step().what);
  frames_.push_back({&o.branches[branch], 0, 0});
  settle();
}

/// A list that has ended gives way to the step after the one_of that held it.
void step_cursor::settle() {
  while (!frames_.empty() && frames_.back().index >= frames_.back().list->size()) {
    frames_.pop_back();
    if (!frames_.empty()) {
      ++frames_.back().index;
      frames_.back().element = 0;
      frames_.back().answered = 0;
      wrap();
    }
  }
}

}  // namespace ehlo::session
