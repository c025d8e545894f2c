// SPDX-License-Identifier: Apache-2.0
// XorShift64Star: a small deterministic pseudo-random generator (Marsaglia's xorshift64
// with Vigna's multiplicative output step, "xorshift*"). For tests, stress loops and
// fuzz drivers that need a reproducible sequence of numbers, not for anything that needs
// unpredictability. Portable, no allocation, constexpr.
//
//   ebbrt::XorShift64Star rng(42);
//   size_t slot = rng.Next() % kSlots;
//   size_t size = rng.Below(300) + 1;    // uniform enough for tests in [0, 300)
#pragma once

#include <stdint.h>

namespace ebbrt {

class XorShift64Star {
 public:
  // A zero state would stay zero forever: it is replaced with a fixed non-zero one.
  constexpr explicit XorShift64Star(uint64_t seed) : state_(seed != 0 ? seed : kZeroSeed) {}

  constexpr uint64_t Next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 2685821657736338717ull;
  }

  // Next() % bound (bound > 0); the modulo bias is irrelevant at the bounds tests use.
  constexpr uint64_t Below(uint64_t bound) { return Next() % bound; }

 private:
  static constexpr uint64_t kZeroSeed = 0x9e3779b97f4a7c15ull;
  uint64_t state_;
};

}  // namespace ebbrt
