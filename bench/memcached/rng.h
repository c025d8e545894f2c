// SPDX-License-Identifier: Apache-2.0
// Rng: a small, fast, seedable pseudo-random generator for the load generator
// (xoshiro256**, Blackman & Vigna, "Scrambled Linear Pseudorandom Number Generators",
// ACM TOMS 2021), seeded through splitmix64 so nearby seeds give unrelated streams.
// Each worker thread owns one; nothing here is shared or locked.
//
//   Rng rng(seed);
//   uint32_t key = rng.Below(num_keys);   // uniform in [0, num_keys)
//   double gap = rng.Exponential(rate);   // Poisson-process inter-arrival time
#pragma once

#include <math.h>
#include <stdint.h>

namespace mcbench {

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& word : s_) word = SplitMix64(&seed);
  }

  uint64_t Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias < n / 2^64).
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Exponentially distributed with the given rate (mean 1/rate): inverse-CDF sampling.
  // 1 - Uniform() is in (0, 1], so the logarithm is finite.
  double Exponential(double rate) { return -log(1.0 - Uniform()) / rate; }

  static uint64_t SplitMix64(uint64_t* state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace mcbench
