// A finding: the peer (or an input) broke a rule at a byte offset.
//
// A broken rule is not an error: a parser records a finding and, where a named
// leniency allows it, goes on; only when it cannot make sense of the input does
// it also fail with an error_code. Findings point at static data, so recording
// one never allocates beyond the log's bounded storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <span>
#include <string_view>
#include <vector>

#include "proto/rules.hpp"

namespace ehlo::proto {

struct finding {
  const rule* broken = nullptr;  ///< never null in a recorded finding
  std::string_view what;         ///< what was seen; static storage
  std::uint64_t offset = 0;      ///< byte offset in the parser's input stream

  friend bool operator==(const finding&, const finding&) = default;
};

std::ostream& operator<<(std::ostream& os, const finding& f);

/// The findings of one parser. Bounded: hostile input may break a rule a
/// million times, but only the first `capacity` findings are kept; the rest are
/// counted in dropped().
class finding_log {
 public:
  static constexpr std::size_t default_capacity = 64;

  explicit finding_log(std::size_t capacity = default_capacity) : capacity_(capacity) {}

  void add(const rule& r, std::string_view what, std::uint64_t offset) {
    if (items_.size() < capacity_)
      items_.push_back({&r, what, offset});
    else
      ++dropped_;
  }

  std::span<const finding> items() const noexcept { return items_; }
  bool empty() const noexcept { return items_.empty() && dropped_ == 0; }
  std::size_t dropped() const noexcept { return dropped_; }
  void clear() noexcept {
    items_.clear();
    dropped_ = 0;
  }

 private:
  std::vector<finding> items_;
  std::size_t capacity_;
  std::size_t dropped_ = 0;
};

}  // namespace ehlo::proto
