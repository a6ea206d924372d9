#include "load/message_part.hpp"

#include "proto/conversation.hpp"
#include "session/step_cursor.hpp"

namespace ehlo::load {

namespace {

bool sends_mail(const scenario::step& s) {
  using proto::conversation;
  if (const auto* c = std::get_if<scenario::command_step>(&s.what))
    return !c->raw && conversation::verb_of(c->line) == proto::verb::mail;
  if (const auto* p = std::get_if<scenario::pipeline_step>(&s.what))
    return !p->commands.empty() && !p->commands.front().raw &&
           conversation::verb_of(p->commands.front().line) == proto::verb::mail;
  return false;
}

bool ends_data(const scenario::step& s) {
  if (std::holds_alternative<scenario::message_step>(s.what)) return true;
  if (const auto* b = std::get_if<scenario::bdat_step>(&s.what)) return b->last;
  if (const auto* c = std::get_if<scenario::command_step>(&s.what)) return c->line == "." || c->line == ".\r\n";
  return false;
}

}  // namespace

std::optional<message_part> find_message_part(const scenario::scenario& sc, std::string& why) {
  const auto& steps = sc.steps;
  std::size_t i = 0;
  while (i < steps.size() && !sends_mail(steps[i])) ++i;
  if (i == steps.size()) {
    why = "no top-level step sends MAIL (a C step, or a pipeline that begins with it)";
    return std::nullopt;
  }
  std::size_t j = i + 1;
  while (j < steps.size() && !ends_data(steps[j])) ++j;
  if (j == steps.size()) {
    why = "no message after " + steps[i].pointer +
          " (a \"message\" step, a \"bdat\" step with \"last\", or a C step \".\")";
    return std::nullopt;
  }
  std::size_t k = j + 1;
  while (k < steps.size() && !std::holds_alternative<scenario::reply_step>(steps[k].what)) {
    // QUIT pipelined behind the message would be played each time.
    if (session::sender_of(steps[k]) == session::sender::client) {
      why = steps[k].pointer + " is sent between the message at " + steps[j].pointer +
            " and its reply: the part to repeat must end with that reply";
      return std::nullopt;
    }
    ++k;
  }
  if (k == steps.size()) {
    why = "no reply after the message at " + steps[j].pointer;
    return std::nullopt;
  }
  return message_part{i, k + 1};
}

}  // namespace ehlo::load
