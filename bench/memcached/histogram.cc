// SPDX-License-Identifier: Apache-2.0
#include "bench/memcached/histogram.h"

namespace mcbench {

Histogram::Histogram() : counts_(kNumBuckets, 0) {}

size_t Histogram::BucketIndex(uint64_t value) {
  if (value < (uint64_t{1} << kPrecisionBits)) return static_cast<size_t>(value);
  int msb = 63 - __builtin_clzll(value);
  // Shift so the mantissa keeps kPrecisionBits-1 bits below its leading one:
  // mantissa in [kHalf, 2*kHalf).
  int e = msb - kPrecisionBits + 1;
  uint64_t mantissa = value >> e;
  return static_cast<size_t>(static_cast<uint64_t>(e) * kHalf + mantissa);
}

uint64_t Histogram::BucketLow(size_t index) {
  if (index < (size_t{1} << kPrecisionBits)) return index;
  uint64_t e = index / kHalf - 1;
  uint64_t mantissa = index - e * kHalf;
  return mantissa << e;
}

uint64_t Histogram::BucketHigh(size_t index) {
  if (index < (size_t{1} << kPrecisionBits)) return index;
  uint64_t e = index / kHalf - 1;
  uint64_t mantissa = index - e * kHalf;
  // The last bucket's upper bound is 2^64 - 1; compute it without overflowing.
  return (mantissa << e) + ((uint64_t{1} << e) - 1);
}

void Histogram::RecordN(uint64_t value, uint64_t n) {
  if (n == 0) return;
  counts_[BucketIndex(value)] += n;
  count_ += n;
  if (value < min_) min_ = value;
  if (value > max_) max_ = value;
  sum_ += static_cast<unsigned __int128>(value) * n;
}

void Histogram::Merge(const Histogram& other) {
  for (size_t i = 0; i < kNumBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  if (other.min_ < min_) min_ = other.min_;
  if (other.max_ > max_) max_ = other.max_;
  sum_ += other.sum_;
}

void Histogram::Reset() {
  for (auto& c : counts_) c = 0;
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

double Histogram::mean() const {
  if (count_ == 0) return 0.0;
  return static_cast<double>(sum_) / static_cast<double>(count_);
}

uint64_t Histogram::Percentile(double percent) const {
  if (count_ == 0) return 0;
  if (percent < 0.0) percent = 0.0;
  if (percent > 100.0) percent = 100.0;
  // Rank of the sample we want, 1-based: ceil(percent/100 * count), at least 1.
  double exact = percent / 100.0 * static_cast<double>(count_);
  uint64_t rank = static_cast<uint64_t>(exact);
  if (static_cast<double>(rank) < exact) ++rank;
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < kNumBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      uint64_t high = BucketHigh(i);
      return high < max_ ? high : max_;
    }
  }
  return max_;
}

}  // namespace mcbench
