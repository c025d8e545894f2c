// SPDX-License-Identifier: Apache-2.0
// Histogram: a log-linear latency histogram (HdrHistogram-style), our own code so the
// load generator depends on nothing but libc and the C++ library.
//
// Values (nanoseconds here) below 2^kPrecisionBits land in exact unit-wide buckets;
// above that, every power-of-two range [2^e, 2^(e+1)) is split into 2^(kPrecisionBits-1)
// equal sub-buckets, so a bucket is never wider than 1/128 of its lower bound (< 0.8%
// relative error) from 1 ns up to 2^64 ns, in a fixed array of about 7.4k counters.
// Recording is a few shifts and an increment: no allocation, no floating point.
//
//   Histogram h;
//   h.Record(1234);              // one latency sample, in ns
//   other.Merge(h);              // per-thread histograms are merged after the run
//   uint64_t p99 = h.Percentile(99.0);
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <vector>

namespace mcbench {

class Histogram {
 public:
  // Sub-bucket resolution: 2^(kPrecisionBits-1) sub-buckets per power of two.
  static constexpr int kPrecisionBits = 8;
  static constexpr uint64_t kHalf = uint64_t{1} << (kPrecisionBits - 1);
  // Values < 2^kPrecisionBits use indices [0, 2^kPrecisionBits); exponent e in
  // [1, 64 - kPrecisionBits] uses [(e+1)*kHalf, (e+2)*kHalf).
  static constexpr size_t kNumBuckets = (64 - kPrecisionBits + 2) * kHalf;

  Histogram();

  void Record(uint64_t value) { RecordN(value, 1); }
  void RecordN(uint64_t value, uint64_t n);
  void Merge(const Histogram& other);
  void Reset();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const;

  // The smallest recorded-bucket value v such that at least `percent`% of the samples are
  // <= v, reported as the bucket's upper bound (so it never understates), clamped to
  // the exact maximum. 0 when the histogram is empty. `percent` in [0, 100].
  uint64_t Percentile(double percent) const;

  // Bucket mapping, exposed for tests and for printing the distribution.
  static size_t BucketIndex(uint64_t value);
  static uint64_t BucketLow(size_t index);
  static uint64_t BucketHigh(size_t index);  // inclusive

  // Non-empty buckets in increasing order, for printing: calls fn(low, high, count).
  template <typename Fn>
  void ForEachBucket(Fn fn) const {
    for (size_t i = 0; i < kNumBuckets; ++i) {
      if (counts_[i] != 0) fn(BucketLow(i), BucketHigh(i), counts_[i]);
    }
  }

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  // Sum for the mean; 128-bit so hours of nanosecond samples cannot overflow.
  unsigned __int128 sum_ = 0;
};

}  // namespace mcbench
