#include "session/fault_writer.hpp"

#include <algorithm>
#include <climits>

namespace ehlo::session {

void fault_writer::apply_line_end(std::string& bytes, scenario::fault_plan::line_end ends) {
  if (ends == scenario::fault_plan::line_end::crlf) return;
  const char end = ends == scenario::fault_plan::line_end::lf ? '\n' : '\r';
  std::size_t to = 0;
  for (std::size_t from = 0; from < bytes.size(); ++from) {
    if (bytes[from] == '\r' && from + 1 < bytes.size() && bytes[from + 1] == '\n') {
      bytes[to++] = end;
      ++from;
    } else {
      bytes[to++] = bytes[from];
    }
  }
  bytes.resize(to);
}

fault_writer::move fault_writer::start(std::string bytes, const scenario::fault_plan& plan) {
  bytes_ = std::move(bytes);
  written_ = piece_ = size_at_ = 0;
  plan_ = &plan;
  end_ = plan.cut ? static_cast<std::size_t>(std::min<std::uint64_t>(*plan.cut, bytes_.size())) : bytes_.size();
  if (plan.delay && plan.delay->count() > 0) {
    wait_ = *plan.delay;
    return move::delay;
  }
  return advance();
}

fault_writer::move fault_writer::wrote() {
  written_ += piece_;
  if (written_ < end_ && plan_->gap.count() > 0) {
    wait_ = plan_->gap;
    return move::gap;
  }
  return advance();
}

fault_writer::move fault_writer::resume() { return advance(); }

/// The next write of the step, or what follows its last.
fault_writer::move fault_writer::advance() {
  if (written_ < end_) {
    piece_ = std::min<std::size_t>(write_size(), end_ - written_);
    return move::write;
  }
  const bool cut = plan_->cut.has_value();
  reset();
  return cut ? move::cut : move::done;
}

std::uint32_t fault_writer::write_size() {
  const scenario::fault_plan& f = *plan_;
  switch (f.how) {
    case scenario::fault_plan::split::whole:
      break;
    case scenario::fault_plan::split::bytewise:
      return 1;
    case scenario::fault_plan::split::sizes: {
      const std::uint32_t n = f.chunks[std::min(size_at_, f.chunks.size() - 1)];
      ++size_at_;
      return n;
    }
    case scenario::fault_plan::split::random:
      return 1 + static_cast<std::uint32_t>(random_.below(scenario::fault_plan::max_random_chunk));
  }
  return static_cast<std::uint32_t>(std::min<std::size_t>(bytes_.size(), UINT32_MAX));
}

void fault_writer::reset() {
  bytes_ = {};
  written_ = end_ = piece_ = size_at_ = 0;
  plan_ = nullptr;
}

}  // namespace ehlo::session
