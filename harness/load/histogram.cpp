#include "load/histogram.hpp"

#include <algorithm>
#include <bit>

namespace ehlo::load {

namespace {

constexpr std::uint64_t exact = std::uint64_t{1} << histogram::sub_bits;  // values below are their own bucket
constexpr std::uint64_t half = exact / 2;                                 // buckets per power of two above

}  // namespace

std::size_t histogram::index_of(std::uint64_t v) noexcept {
  v = std::min(v, max_trackable);
  if (v < exact) return static_cast<std::size_t>(v);
  const unsigned top = static_cast<unsigned>(std::bit_width(v)) - 1;  // 2^top <= v < 2^(top+1), top >= sub_bits
  const unsigned shift = top - sub_bits + 1;
  return static_cast<std::size_t>(exact + (top - sub_bits) * half + ((v >> shift) - half));
}

std::uint64_t histogram::lowest(std::size_t index) noexcept {
  if (index < exact) return index;
  const std::uint64_t octave = (index - exact) / half;  // top - sub_bits
  const std::uint64_t within = (index - exact) % half;
  const unsigned shift = static_cast<unsigned>(octave) + 1;
  return (half + within) << shift;
}

std::uint64_t histogram::highest(std::size_t index) noexcept {
  if (index < exact) return index;
  const unsigned shift = static_cast<unsigned>((index - exact) / half) + 1;
  return lowest(index) + (std::uint64_t{1} << shift) - 1;
}

void histogram::add(std::uint64_t v, std::uint64_t n) {
  if (n == 0) return;
  v = std::min(v, max_trackable);
  if (counts_.empty()) counts_.assign(bucket_count, 0);
  counts_[index_of(v)] += n;
  min_ = count_ == 0 ? v : std::min(min_, v);
  max_ = std::max(max_, v);
  count_ += n;
  sum_ += v * n;
}

void histogram::add_bucket(std::size_t index, std::uint64_t n) {
  if (n == 0 || index >= bucket_count) return;
  if (counts_.empty()) counts_.assign(bucket_count, 0);
  counts_[index] += n;
  min_ = count_ == 0 ? lowest(index) : std::min(min_, lowest(index));
  max_ = std::max(max_, highest(index));
  count_ += n;
  sum_ += lowest(index) * n;
}

void histogram::set_exact(std::uint64_t min, std::uint64_t max, std::uint64_t sum) noexcept {
  if (count_ == 0) return;
  min_ = min;
  max_ = max;
  sum_ = sum;
}

void histogram::merge(const histogram& other) {
  if (other.count_ == 0) return;
  if (counts_.empty()) counts_.assign(bucket_count, 0);
  for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void histogram::clear() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = min_ = max_ = sum_ = 0;
}

std::uint64_t histogram::at(std::uint32_t per_million) const noexcept {
  if (count_ == 0) return 0;
  per_million = std::min<std::uint32_t>(per_million, 1'000'000);
  // The rank, 1-based: ceil(count * p / 10^6), at least 1, without overflow:
  // count = a * 10^6 + b.
  const std::uint64_t a = count_ / 1'000'000, b = count_ % 1'000'000;
  std::uint64_t rank = a * per_million + (b * per_million + 999'999) / 1'000'000;
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(highest(i), min_, max_);
  }
  return max_;
}

}  // namespace ehlo::load
