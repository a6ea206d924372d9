#include "campaign/corpus.hpp"

#include <algorithm>

#include "campaign/mutator.hpp"
#include "session/fault_writer.hpp"

namespace ehlo::campaign {

std::uint64_t case_seed(std::uint64_t campaign_seed, std::uint64_t number) noexcept {
  session::splitmix64 r(campaign_seed ^ (number * 0xd1b54a32d192ed03u));
  r.next();
  return r.next();
}

std::size_t corpus_entry::sweep_size() const noexcept {
  return sweep_slots.size() * mutator::interesting_lengths().size();
}

void corpus::add(corpus_entry e) {
  if (entries_.size() >= max_) {
    const auto old =
        std::find_if(entries_.begin(), entries_.end(), [](const corpus_entry& x) { return x.added_by != 0; });
    if (old == entries_.end()) return;  // all seeds: nothing makes room
    entries_.erase(old);
    ++evicted_;
  }
  entries_.push_back(std::move(e));
}

std::optional<case_plan> corpus::plan(std::uint64_t number, std::uint64_t campaign_seed, std::size_t jobs) {
  std::vector<std::size_t> visible;
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].added_by == 0 || entries_[i].added_by + jobs <= number) visible.push_back(i);
  if (visible.empty()) return std::nullopt;
  session::splitmix64 r(case_seed(campaign_seed, number));
  case_plan p;
  // Every other case: the next item of the first sweep not finished.
  if (number % 2 == 0) {
    for (const std::size_t i : visible) {
      corpus_entry& e = entries_[i];
      if (e.swept >= e.sweep_size()) continue;
      const std::size_t lengths = mutator::interesting_lengths().size();
      p.parent = e.sc;
      p.parent_origin = e.origin;
      p.sweep = std::make_pair(e.sweep_slots[e.swept / lengths], e.swept % lengths);
      ++e.swept;
      return p;
    }
  }
  // Havoc on an entry: half the time one of the newest tenth, where new states were found last.
  const std::size_t recent = std::max<std::size_t>(1, visible.size() / 10);
  const std::size_t pick = r.below(2) == 0 ? visible.size() - 1 - r.below(recent) : r.below(visible.size());
  const corpus_entry& e = entries_[visible[pick]];
  p.parent = e.sc;
  p.parent_origin = e.origin;
  p.other = entries_[visible[r.below(visible.size())]].sc;
  p.seed = r.next();
  return p;
}

}  // namespace ehlo::campaign
