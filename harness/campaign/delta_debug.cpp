#include "campaign/delta_debug.hpp"

#include <algorithm>
#include <numeric>

namespace ehlo::campaign {

delta_debugger::delta_debugger(std::size_t n, std::size_t max_tests) : current_(n), max_tests_(max_tests) {
  std::iota(current_.begin(), current_.end(), std::size_t{0});
  done_ = n < 2 || max_tests == 0;
  if (!done_) make_candidate();
  skip_tried();
}

void delta_debugger::skip_tried() {
  while (!done_ && failed_.contains(candidate_)) {
    next();
    if (!done_) make_candidate();
  }
}

void delta_debugger::make_candidate() {
  // Chunk k of n over current_: [k * size / n, (k + 1) * size / n).
  const std::size_t size = current_.size();
  const std::size_t from = chunk_ * size / n_, to = (chunk_ + 1) * size / n_;
  candidate_.clear();
  if (complements_) {
    candidate_.insert(candidate_.end(), current_.begin(), current_.begin() + static_cast<std::ptrdiff_t>(from));
    candidate_.insert(candidate_.end(), current_.begin() + static_cast<std::ptrdiff_t>(to), current_.end());
  } else {
    candidate_.assign(current_.begin() + static_cast<std::ptrdiff_t>(from),
                      current_.begin() + static_cast<std::ptrdiff_t>(to));
  }
}

void delta_debugger::result(bool reproduces) {
  if (done_) return;
  ++tests_;
  if (reproduces) {
    const bool was_complement = complements_;
    current_ = candidate_;
    n_ = was_complement ? std::max<std::size_t>(n_ - 1, 2) : 2;
    chunk_ = 0;
    complements_ = false;
    if (current_.size() < 2) {
      done_ = true;
      return;
    }
    n_ = std::min(n_, current_.size());
  } else {
    if (failed_.size() < max_tests_) failed_.insert(candidate_);
    next();
    if (done_) return;
  }
  if (tests_ >= max_tests_) {
    done_ = true;
    return;
  }
  make_candidate();
  skip_tried();
}

void delta_debugger::next() {
  if (++chunk_ < n_) return;
  chunk_ = 0;
  // With two chunks, each complement is the other chunk: already tried.
  if (!complements_ && n_ > 2) {
    complements_ = true;
    return;
  }
  complements_ = false;
  if (n_ >= current_.size()) {
    done_ = true;
    return;
  }
  n_ = std::min(n_ * 2, current_.size());
}

}  // namespace ehlo::campaign
