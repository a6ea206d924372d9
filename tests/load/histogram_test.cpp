// The log-linear histogram: its buckets tile the values without gap or
// overlap, a value is known to within 1/64 of itself, percentiles are by
// nearest rank, and two histograms merge into exactly what one would have
// counted.
#include "load/histogram.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using ehlo::load::histogram;

TEST_CASE("histogram: the buckets tile every value from 0, each within 1/64 of its values") {
  CHECK(histogram::lowest(0) == 0);
  for (std::size_t i = 0; i + 1 < histogram::bucket_count; ++i) {
    CAPTURE(i);
    REQUIRE(histogram::highest(i) + 1 == histogram::lowest(i + 1));
    REQUIRE(histogram::index_of(histogram::lowest(i)) == i);
    REQUIRE(histogram::index_of(histogram::highest(i)) == i);
    const std::uint64_t width = histogram::highest(i) - histogram::lowest(i) + 1;
    REQUIRE(width * 64 <= std::max<std::uint64_t>(histogram::lowest(i), 64));
  }
  CHECK(histogram::highest(histogram::bucket_count - 1) == histogram::max_trackable);
  CHECK(histogram::index_of(~std::uint64_t{0}) == histogram::bucket_count - 1);
  // Exact below 128.
  for (std::uint64_t v = 0; v < 128; ++v) CHECK(histogram::lowest(histogram::index_of(v)) == v);
}

TEST_CASE("histogram: percentiles by nearest rank, exact extremes, no rounding error at p99") {
  histogram h;
  CHECK(h.at(990'000) == 0);
  CHECK(h.empty());
  for (std::uint64_t v = 1; v <= 100; ++v) h.add(v);
  CHECK(h.count() == 100);
  CHECK(h.min() == 1);
  CHECK(h.max() == 100);
  CHECK(h.mean() == 50);
  CHECK(h.at(500'000) == 50);
  CHECK(h.at(990'000) == 99);  // the 99th of 100, not the 100th
  CHECK(h.at(999'000) == 100);
  CHECK(h.at(1'000'000) == 100);
  CHECK(h.at(1) == 1);

  // Large values: the bucket's highest value, never below the true one, within 1/64.
  histogram big;
  big.add(1'000'000, 99);
  big.add(5'000'000);
  CHECK(big.at(500'000) >= 1'000'000);
  CHECK(big.at(500'000) <= 1'000'000 + 1'000'000 / 64);
  CHECK(big.at(999'000) == 5'000'000);  // clamped to the exact max
  CHECK(big.sum() == 104'000'000);
}

TEST_CASE("histogram: two merge into what one histogram of all the samples holds") {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> latency(8.0, 1.2);
  histogram a, b, all;
  for (int i = 0; i < 20000; ++i) {
    const auto v = static_cast<std::uint64_t>(latency(random));
    (i % 3 == 0 ? a : b).add(v);
    all.add(v);
  }
  histogram merged = a;
  merged.merge(b);
  CHECK(merged == all);
  for (const std::uint32_t q : {500'000u, 900'000u, 990'000u, 999'000u}) CHECK(merged.at(q) == all.at(q));
  histogram empty;
  merged.merge(empty);
  CHECK(merged == all);
  empty.merge(all);
  CHECK(empty == all);
}

TEST_CASE("histogram: rebuilt from its buckets and exact figures, as a report gives them back") {
  histogram h;
  for (const std::uint64_t v : {3u, 150u, 151u, 9000u, 123456u}) h.add(v, 2);
  histogram back;
  h.each([&](std::size_t i, std::uint64_t n) { back.add_bucket(i, n); });
  back.set_exact(h.min(), h.max(), h.sum());
  CHECK(back == h);
  back.add_bucket(histogram::bucket_count, 5);  // no such bucket: ignored
  CHECK(back.count() == h.count());
  h.clear();
  CHECK(h.empty());
  CHECK(h.max() == 0);
  CHECK(h.at(500'000) == 0);
}

TEST_CASE("histogram: fixed memory, however many samples") {
  histogram h;
  h.add(5);
  const histogram one = h;
  for (std::uint64_t i = 0; i < 1'000'000; ++i) h.add(i * 37 % 5'000'000);
  // Equal size: the counters were all taken at the first sample.
  std::size_t buckets_one = 0, buckets_many = 0;
  one.each([&](std::size_t, std::uint64_t) { ++buckets_one; });
  h.each([&](std::size_t, std::uint64_t) { ++buckets_many; });
  CHECK(buckets_one == 1);
  CHECK(buckets_many < histogram::bucket_count);
  CHECK(h.count() == 1'000'001);
}
