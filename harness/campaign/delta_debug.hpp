// Delta debugging (Zeller and Hildebrandt, "Simplifying and isolating
// failure-inducing input", 2002): the smallest subset of n items that still
// reproduces a failure, found by trying subsets and complements at a
// granularity that doubles when none reproduces. As a state machine, as the
// sessions are: candidate() says what to try, result() takes whether it
// reproduced; the caller runs the tries (over the network, one at a time).
//
// The minimizer of `ehlo fuzz` runs it twice: over the steps of a finding's
// scenario, then over the bytes of each step left. A candidate that is not a
// valid scenario is answered `false` without being run.
#pragma once

#include <cstddef>
#include <set>
#include <vector>

namespace ehlo::campaign {

class delta_debugger {
 public:
  /// Items 0 .. n-1, all of which reproduce; at most `max_tests` tries.
  explicit delta_debugger(std::size_t n, std::size_t max_tests = 500);

  /// Whether there is nothing more to try (one-minimal, or the budget spent).
  bool done() const noexcept { return done_; }
  /// The items to try next, in order (indices into the original items).
  const std::vector<std::size_t>& candidate() const noexcept { return candidate_; }
  /// Whether the candidate reproduced.
  void result(bool reproduces);
  /// The smallest set that reproduced so far (all items at first).
  const std::vector<std::size_t>& best() const noexcept { return current_; }
  std::size_t tests() const noexcept { return tests_; }

 private:
  void next();
  void make_candidate();
  void skip_tried();

  std::vector<std::size_t> current_;
  /// Candidates that did not reproduce: a later granularity can cut the same
  /// set again, and is answered from here instead of being run again.
  std::set<std::vector<std::size_t>> failed_;
  std::vector<std::size_t> candidate_;
  std::size_t n_ = 2;      ///< granularity: current_ cut into n_ chunks
  std::size_t chunk_ = 0;  ///< the chunk tried
  bool complements_ = false;
  std::size_t tests_ = 0;
  std::size_t max_tests_;
  bool done_ = false;
};

}  // namespace ehlo::campaign
