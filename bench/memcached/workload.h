// SPDX-License-Identifier: Apache-2.0
// Workload: the key set the load generator uses and the size of each key's value,
// fixed up front from a seed so every run (and every server compared) sees the same data.
//
// Sizes are either fixed or drawn from a reproduction of Facebook's ETC pool, after
// Atikoglu, Xu, Frachtenberg, Jiang, Paleczny, "Workload Analysis of a Large-Scale
// Key-Value Store", SIGMETRICS 2012 (§5 and Table 5):
//
//   key size    GEV(mu = 30.7984, sigma = 8.20449, k = 0.078688), rounded to bytes and
//               clamped to [digits needed for the key's number, 250 (memcached's limit)].
//   value size  with probability 0.44155 a size in 0..14 bytes from a 15-point table
//               (kEtcSmallValues below: the paper's measured head, as tabulated by
//               mutilate's createFacebookValue and YCSB's FacebookFieldLengthGenerator);
//               otherwise 15 + GPD(theta = 0, sigma = 214.476, k = 0.348238) bytes, the
//               paper's generalized Pareto fit shifted to start where the table ends,
//               truncated (exactly, by inverse-CDF sampling on [0, F(max)]) at --value-max.
//
// Each key's sizes are drawn once, so a key's value length never changes and a GET can
// check the exact length and bytes it gets back. Key popularity is uniform (the paper's
// ETC keys are skewed; uniform is the conservative choice for a cache-resident set).
//
//   Workload w;
//   std::string error;
//   if (!Workload::Create(options, &w, &error)) Die(error);
//   std::string_view key = w.key(17);
//   std::string_view value = w.value(17);   // the bytes a SET of key 17 stores
#pragma once

#include <stdint.h>

#include <string>
#include <string_view>
#include <vector>

namespace mcbench {

enum class SizeDist { kFixed, kEtc };

struct WorkloadOptions {
  uint32_t keys = 10000;
  SizeDist key_dist = SizeDist::kFixed;
  uint32_t key_size = 30;  // kFixed only
  SizeDist value_dist = SizeDist::kFixed;
  uint32_t value_size = 32;    // kFixed only
  uint32_t value_max = 65536;  // kEtc only: the truncation point of the tail
  uint64_t seed = 1;
};

// memcached's longest key (protocol.txt: "the length limit of a key is set at 250
// characters").
inline constexpr uint32_t kMaxKeySize = 250;

// The ETC model's pieces, exposed for tests.
struct EtcSmallValue {
  uint32_t size;
  double probability;
};
inline constexpr EtcSmallValue kEtcSmallValues[] = {
    {0, 0.00536},  {1, 0.00047},  {2, 0.17820},  {3, 0.09239},  {4, 0.00018},
    {5, 0.02740},  {6, 0.00065},  {7, 0.00606},  {8, 0.00023},  {9, 0.00837},
    {10, 0.00837}, {11, 0.08989}, {12, 0.00092}, {13, 0.00326}, {14, 0.01980},
};
inline constexpr double kEtcKeyGevMu = 30.7984;
inline constexpr double kEtcKeyGevSigma = 8.20449;
inline constexpr double kEtcKeyGevK = 0.078688;
inline constexpr double kEtcValueGpdSigma = 214.476;
inline constexpr double kEtcValueGpdK = 0.348238;
inline constexpr uint32_t kEtcValueTailStart = 15;

// Inverse CDFs. GEV: F(x) = exp(-(1 + k (x - mu) / sigma)^(-1/k)).
// GPD: F(x) = 1 - (1 + k (x - theta) / sigma)^(-1/k). u in (0, 1).
double GevInverseCdf(double u, double mu, double sigma, double k);
double GpdInverseCdf(double u, double theta, double sigma, double k);
double GpdCdf(double x, double theta, double sigma, double k);

// One ETC draw from two independent uniforms in [0, 1).
uint32_t EtcKeySize(double u, uint32_t min_size);
uint32_t EtcValueSize(double u_choice, double u_tail, uint32_t value_max);

class Workload {
 public:
  // Builds the key set; false (with a message) when the options cannot work, e.g. a fixed
  // key size too short to hold every key's number.
  static bool Create(const WorkloadOptions& options, Workload* out, std::string* error);

  uint32_t num_keys() const { return num_keys_; }
  std::string_view key(uint32_t i) const {
    return std::string_view(key_bytes_.data() + key_offset_[i],
                            key_offset_[i + 1] - key_offset_[i]);
  }
  // The value a SET of key i stores: value_size(i) bytes of a key-dependent pattern.
  std::string_view value(uint32_t i) const {
    return std::string_view(pattern_.data() + i % kPatternPeriod, value_size_[i]);
  }
  uint32_t value_size(uint32_t i) const { return value_size_[i]; }
  uint32_t max_value_size() const { return max_value_size_; }
  double mean_key_size() const;
  double mean_value_size() const;
  uint64_t total_bytes() const;  // keys + values, what a preload stores

 private:
  static constexpr uint32_t kPatternPeriod = 61;  // prime, so neighbours' values differ
  uint32_t num_keys_ = 0;
  std::string key_bytes_;             // every key, back to back
  std::vector<uint32_t> key_offset_;  // num_keys_ + 1 offsets into key_bytes_
  std::vector<uint32_t> value_size_;
  uint32_t max_value_size_ = 0;
  std::string pattern_;  // max_value_size_ + kPatternPeriod printable bytes
};

}  // namespace mcbench
