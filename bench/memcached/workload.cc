// SPDX-License-Identifier: Apache-2.0
#include "bench/memcached/workload.h"

#include <math.h>
#include <stdio.h>

#include <utility>

#include "bench/memcached/rng.h"

namespace mcbench {

double GevInverseCdf(double u, double mu, double sigma, double k) {
  return mu + sigma * (pow(-log(u), -k) - 1.0) / k;
}

double GpdInverseCdf(double u, double theta, double sigma, double k) {
  return theta + sigma * (pow(1.0 - u, -k) - 1.0) / k;
}

double GpdCdf(double x, double theta, double sigma, double k) {
  if (x <= theta) return 0.0;
  return 1.0 - pow(1.0 + k * (x - theta) / sigma, -1.0 / k);
}

uint32_t EtcKeySize(double u, uint32_t min_size) {
  // u = 0 would be -log(0) = inf; nudge into (0, 1).
  if (u <= 0.0) u = 0x1.0p-53;
  double x = round(GevInverseCdf(u, kEtcKeyGevMu, kEtcKeyGevSigma, kEtcKeyGevK));
  if (!(x >= min_size)) return min_size;  // also catches NaN
  if (x > kMaxKeySize) return kMaxKeySize;
  return static_cast<uint32_t>(x);
}

uint32_t EtcValueSize(double u_choice, double u_tail, uint32_t value_max) {
  double cumulative = 0.0;
  for (const auto& small : kEtcSmallValues) {
    cumulative += small.probability;
    if (u_choice < cumulative) return small.size <= value_max ? small.size : value_max;
  }
  if (value_max < kEtcValueTailStart) return value_max;
  // Tail: sizes in [15, value_max]. floor(x) <= value_max iff x < value_max + 1, so sample
  // the GPD restricted to [0, value_max + 1 - 15) by scaling u into [0, F(that bound)).
  double bound = static_cast<double>(value_max) + 1.0 - kEtcValueTailStart;
  double f_max = GpdCdf(bound, 0.0, kEtcValueGpdSigma, kEtcValueGpdK);
  double x = GpdInverseCdf(u_tail * f_max, 0.0, kEtcValueGpdSigma, kEtcValueGpdK);
  double size = floor(x) + kEtcValueTailStart;
  if (!(size <= value_max)) return value_max;  // rounding at the very edge, or NaN
  return static_cast<uint32_t>(size);
}

static uint32_t Digits(uint32_t n) {
  uint32_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

bool Workload::Create(const WorkloadOptions& options, Workload* out, std::string* error) {
  if (options.keys == 0) {
    *error = "--keys must be at least 1";
    return false;
  }
  uint32_t min_key = Digits(options.keys - 1);
  if (options.key_dist == SizeDist::kFixed &&
      (options.key_size < min_key || options.key_size > kMaxKeySize)) {
    *error = "--key-size must be in [" + std::to_string(min_key) + ", 250] for " +
             std::to_string(options.keys) + " keys (a key is its zero-padded number)";
    return false;
  }
  if (options.value_dist == SizeDist::kEtc && options.value_max == 0) {
    *error = "--value-max must be at least 1";
    return false;
  }
  Workload w;
  w.num_keys_ = options.keys;
  w.key_offset_.reserve(options.keys + 1);
  w.value_size_.reserve(options.keys);
  Rng rng(options.seed);
  char buf[kMaxKeySize + 1];
  w.key_offset_.push_back(0);
  for (uint32_t i = 0; i < options.keys; ++i) {
    // Draw all three uniforms every time so a key's sizes do not depend on the other
    // distribution's setting.
    double u_key = rng.Uniform();
    double u_choice = rng.Uniform();
    double u_tail = rng.Uniform();
    uint32_t key_size =
        options.key_dist == SizeDist::kFixed ? options.key_size : EtcKeySize(u_key, min_key);
    uint32_t value_size = options.value_dist == SizeDist::kFixed
                              ? options.value_size
                              : EtcValueSize(u_choice, u_tail, options.value_max);
    // The key is its number, zero-padded to the drawn length: unique, printable, no
    // spaces or control characters (protocol.txt's key rules).
    snprintf(buf, sizeof(buf), "%0*u", static_cast<int>(key_size), i);
    w.key_bytes_.append(buf, key_size);
    w.key_offset_.push_back(static_cast<uint32_t>(w.key_bytes_.size()));
    w.value_size_.push_back(value_size);
    if (value_size > w.max_value_size_) w.max_value_size_ = value_size;
  }
  static constexpr char kAlphabet[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  w.pattern_.resize(w.max_value_size_ + kPatternPeriod);
  for (size_t i = 0; i < w.pattern_.size(); ++i) {
    w.pattern_[i] = kAlphabet[(i * 7 + i / 62) % 62];
  }
  *out = std::move(w);
  return true;
}

double Workload::mean_key_size() const {
  return static_cast<double>(key_bytes_.size()) / num_keys_;
}

double Workload::mean_value_size() const {
  uint64_t total = 0;
  for (uint32_t s : value_size_) total += s;
  return static_cast<double>(total) / num_keys_;
}

uint64_t Workload::total_bytes() const {
  uint64_t total = key_bytes_.size();
  for (uint32_t s : value_size_) total += s;
  return total;
}

}  // namespace mcbench
