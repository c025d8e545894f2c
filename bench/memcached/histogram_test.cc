// SPDX-License-Identifier: Apache-2.0
#include "bench/memcached/histogram.h"

#include <stdint.h>

#include "gtest/gtest.h"

namespace mcbench {
namespace {

TEST(HistogramTest, SmallValuesAreExact) {
  for (uint64_t v = 0; v < 256; ++v) {
    size_t i = Histogram::BucketIndex(v);
    EXPECT_EQ(Histogram::BucketLow(i), v);
    EXPECT_EQ(Histogram::BucketHigh(i), v);
  }
}

TEST(HistogramTest, BucketsAreContiguousAndNarrow) {
  // Every bucket starts one past the previous one's end, and is at most 1/128 of its
  // lower bound wide.
  for (size_t i = 1; i < Histogram::kNumBuckets; ++i) {
    ASSERT_EQ(Histogram::BucketLow(i), Histogram::BucketHigh(i - 1) + 1) << i;
    uint64_t low = Histogram::BucketLow(i);
    uint64_t width = Histogram::BucketHigh(i) - low + 1;
    ASSERT_LE(width, low / 128 + 1) << i;
  }
  EXPECT_EQ(Histogram::BucketHigh(Histogram::kNumBuckets - 1), UINT64_MAX);
}

TEST(HistogramTest, ValuesLandInTheirBucket) {
  const uint64_t values[] = {256,
                             257,
                             511,
                             512,
                             1000,
                             12345,
                             999999,
                             uint64_t{1} << 40,
                             (uint64_t{1} << 40) + 12345,
                             UINT64_MAX - 1,
                             UINT64_MAX};
  for (uint64_t v : values) {
    size_t i = Histogram::BucketIndex(v);
    ASSERT_LT(i, Histogram::kNumBuckets);
    EXPECT_LE(Histogram::BucketLow(i), v);
    EXPECT_GE(Histogram::BucketHigh(i), v);
  }
}

TEST(HistogramTest, PercentilesOfUniformSamples) {
  Histogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.Record(v * 10);  // 10 ns .. 1 ms
  EXPECT_EQ(h.count(), 100000u);
  EXPECT_EQ(h.min(), 10u);
  EXPECT_EQ(h.max(), 1000000u);
  EXPECT_NEAR(h.mean(), 500005.0, 0.5);
  // Reported as the bucket's upper bound: never below the truth, at most 1/128 above.
  const double kPercents[] = {50, 90, 99, 99.9};
  for (double p : kPercents) {
    double truth = p / 100 * 1000000;
    double got = static_cast<double>(h.Percentile(p));
    EXPECT_GE(got, truth) << p;
    EXPECT_LE(got, truth * (1 + 1.0 / 128) + 1) << p;
  }
  EXPECT_EQ(h.Percentile(100), 1000000u);
  EXPECT_EQ(h.Percentile(0), 10u);
}

TEST(HistogramTest, MergeAddsAndResetEmpties) {
  Histogram a;
  Histogram b;
  a.Record(100);
  b.RecordN(5000, 3);
  a.Merge(b);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(a.min(), 100u);
  EXPECT_EQ(a.max(), 5000u);
  EXPECT_EQ(a.Percentile(25), 100u);
  EXPECT_GE(a.Percentile(50), 5000u);
  EXPECT_EQ(a.Percentile(50), 5000u);  // clamped to the exact max
  a.Reset();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.Percentile(99), 0u);
  EXPECT_EQ(a.max(), 0u);
}

}  // namespace
}  // namespace mcbench
