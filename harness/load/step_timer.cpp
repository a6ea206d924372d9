#include "load/step_timer.hpp"

namespace ehlo::load {

std::uint64_t micros(step_timer::time from, step_timer::time to) noexcept {
  const auto d = std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
  return d > 0 ? static_cast<std::uint64_t>(d) : 0;
}

void step_timer::sent(time t, std::size_t awaiting) {
  while (queued_.size() < awaiting) queued_.push_back(t);
}

std::optional<step_timer::sample> step_timer::reply(time t, proto::conversation::answered what, proto::verb verb) {
  using answered = proto::conversation::answered;
  switch (what) {
    case answered::greeting:
      return sample{step_kind::greeting, micros(connected_, t)};
    case answered::nothing:
      return std::nullopt;
    case answered::command:
    case answered::sasl_response:
    case answered::message:
    case answered::untracked:
      break;
  }
  if (queued_.empty()) return std::nullopt;
  const time from = queued_.front();
  queued_.pop_front();
  const step_kind k = what == answered::message         ? step_kind::data_end
                      : what == answered::sasl_response ? step_kind::auth_response
                      : what == answered::untracked     ? step_kind::other
                                                        : step_of(verb);
  return sample{k, micros(from, t)};
}

void step_timer::settle(std::size_t awaiting) {
  while (queued_.size() > awaiting) queued_.pop_back();
}

}  // namespace ehlo::load
