// A latency histogram of fixed size, log-linear as HdrHistogram's: values
// below 2^sub_bits are counted exactly; above, each power of two is split into
// 2^(sub_bits-1) buckets of equal width, so a value is known to within
// 1/2^(sub_bits-1) of itself (0.8 %) whatever its size. The memory is fixed
// (bucket_count counters, taken at the first sample) however many samples
// come, and two histograms merge exactly: counters add up, min and max are
// kept. `ehlo load` counts microseconds; the histogram does not care.
//
// Percentiles are by nearest rank (the smallest value with at least p % of the
// samples at or below it) and given as the highest value of that sample's
// bucket, clamped to the exact min and max: never below the true value, at
// most 0.8 % above it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ehlo::load {

class histogram {
 public:
  static constexpr unsigned sub_bits = 7;
  /// Larger values are counted as this one (12.7 days in microseconds).
  static constexpr std::uint64_t max_trackable = (std::uint64_t{1} << 40) - 1;
  static constexpr std::size_t bucket_count =
      (std::size_t{1} << sub_bits) + (40 - sub_bits) * (std::size_t{1} << (sub_bits - 1));

  /// The bucket of `v` (clamped to max_trackable).
  static std::size_t index_of(std::uint64_t v) noexcept;
  /// The smallest and the largest value a bucket holds.
  static std::uint64_t lowest(std::size_t index) noexcept;
  static std::uint64_t highest(std::size_t index) noexcept;

  void add(std::uint64_t v, std::uint64_t n = 1);
  /// Adds `n` samples to bucket `index` (< bucket_count): how a histogram read
  /// back from a report is rebuilt. min and max become the bucket's bounds
  /// unless set_extremes() says better.
  void add_bucket(std::size_t index, std::uint64_t n);
  /// The exact extremes and sum, as a report gives them (after add_bucket()).
  void set_exact(std::uint64_t min, std::uint64_t max, std::uint64_t sum) noexcept;
  void merge(const histogram& other);
  void clear() noexcept;

  std::uint64_t count() const noexcept { return count_; }
  bool empty() const noexcept { return count_ == 0; }
  /// 0 when empty.
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const noexcept { return max_; }
  std::uint64_t sum() const noexcept { return sum_; }
  std::uint64_t mean() const noexcept { return count_ == 0 ? 0 : sum_ / count_; }
  /// The value at `per_million` (990000: p99, 999000: p99.9, 1000000: the
  /// max), by nearest rank; 0 when empty. Integer arithmetic: p99 of 100
  /// samples is the 99th, never the 100th by a rounding error.
  std::uint64_t at(std::uint32_t per_million) const noexcept;

  /// Calls f(index, count) for each bucket with samples, in increasing order.
  template <typename F>
  void each(F&& f) const {
    for (std::size_t i = 0; i < counts_.size(); ++i)
      if (counts_[i] != 0) f(i, counts_[i]);
  }

  friend bool operator==(const histogram&, const histogram&) = default;

 private:
  std::vector<std::uint64_t> counts_;  ///< bucket_count once a sample came
  std::uint64_t count_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  std::uint64_t sum_ = 0;
};

}  // namespace ehlo::load
