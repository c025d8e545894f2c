// SPDX-License-Identifier: Apache-2.0
// Fixed point with 32 fractional bits, for clock conversions (TSC and APIC ticks to and
// from nanoseconds, kvmclock's scale). Only multiplications happen at run time, because a
// 128-bit division would need compiler-rt, which native images do not link.
//
//   uint64_t ticks_per_ns_q32 = RatioQ32(tsc_hz, 1'000'000'000);
//   uint64_t ticks = MulQ32(wait_ns, ticks_per_ns_q32);
#pragma once

#include <stdint.h>

namespace ebbrt::x86_64 {

// (value * factor_q32) >> 32, through a 128-bit product.
constexpr uint64_t MulQ32(uint64_t value, uint64_t factor_q32) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(value) * factor_q32) >> 32);
}

// (numerator << 32) / denominator, without overflowing 64 bits (denominator < 2^32).
constexpr uint64_t RatioQ32(uint64_t numerator, uint64_t denominator) {
  return ((numerator / denominator) << 32) + ((numerator % denominator) << 32) / denominator;
}

}  // namespace ebbrt::x86_64
