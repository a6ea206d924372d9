// The corpus of a campaign and what each case plays: a parent from the corpus,
// mutated either by the next item of its deterministic sweep (mutator.hpp) or
// by havoc from a seed of the case's own. Socket-free and deterministic: case
// k's plan depends only on the campaign's seed, k, and the entries of cases
// that finished before k could start (with --jobs N, those up to k - N), so a
// campaign plays the same cases whatever the order its cases finish in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scenario/scenario.hpp"

namespace ehlo::campaign {

struct corpus_entry {
  std::shared_ptr<const scenario::scenario> sc;
  std::string origin;          ///< "seed servers/auth-plain-success.json", "case 812 (insert steps/3) of ..."
  std::uint64_t added_by = 0;  ///< the case that added it; 0: a seed, or one read back from --dir
  /// The slots of its sweep (indices into mutator::sweep_slots() of it), each
  /// to be tried at every length: items slot-major.
  std::vector<std::size_t> sweep_slots = {};
  std::size_t swept = 0;  ///< sweep items planned so far
  std::size_t sweep_size() const noexcept;
};

struct case_plan {
  std::shared_ptr<const scenario::scenario> parent;
  std::shared_ptr<const scenario::scenario> other;  ///< for a splice
  std::string parent_origin;
  /// The sweep's item: the parent's slot and the length's index; unset: havoc.
  std::optional<std::pair<std::size_t, std::size_t>> sweep;
  std::uint64_t seed = 0;  ///< havoc's
};

class corpus {
 public:
  explicit corpus(std::size_t max_entries = 2000) : max_(max_entries) {}

  /// Adds an entry; past the limit the oldest entry no seed (added_by 0) goes.
  void add(corpus_entry e);

  /// The plan of case `number` (from 1) of a campaign seeded `campaign_seed`,
  /// with `jobs` cases at once. nullopt when the corpus is empty.
  std::optional<case_plan> plan(std::uint64_t number, std::uint64_t campaign_seed, std::size_t jobs);

  std::size_t size() const noexcept { return entries_.size(); }
  const corpus_entry& operator[](std::size_t i) const { return entries_[i]; }
  std::size_t evicted() const noexcept { return evicted_; }

 private:
  std::vector<corpus_entry> entries_;
  std::size_t max_;
  std::size_t evicted_ = 0;
};

/// The seed of case `number` of a campaign: splitmix64 of both, so that
/// neighbouring cases differ in every bit.
std::uint64_t case_seed(std::uint64_t campaign_seed, std::uint64_t number) noexcept;

}  // namespace ehlo::campaign
