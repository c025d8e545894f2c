// SPDX-License-Identifier: Apache-2.0
// PerCore<T>: one T for each core EbbRT can run (kMaxCores), indexed by core, each on
// cache lines of its own so that cores updating their own T do not slow each other
// down. For plain per-core state of a component that is not an Ebb (a counter block, a
// registry of a core's sockets); state with a lifetime, a root or lazy construction is a
// MulticoreEbb (multicore_ebb.h).
//
//   PerCore<Stats> stats;                 // every T default-constructed, up front
//   ++stats.Mine().requests;              // the calling core's T (MyCore())
//   for (size_t core = 0; core < NumCores(); ++core) total += stats[core].requests;
//
// Each core should write only its own T; reading another core's is up to T (atomics).
// Being kMaxCores x 64 bytes at least, a PerCore lives in static storage or on the heap,
// not on an event stack. With a constexpr-constructible T it is constant-initialized: as
// a global it needs no constructor at boot.
#pragma once

#include <stddef.h>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"

namespace ebbrt {

template <typename T>
class PerCore {
 public:
  // The cache line size of every x86_64 part EbbRT runs on.
  static constexpr size_t kCacheLineBytes = 64;

  constexpr PerCore() = default;
  PerCore(const PerCore&) = delete;
  PerCore& operator=(const PerCore&) = delete;

  T& operator[](size_t core) {
    EBBRT_CHECK_MSG(core < kMaxCores, "PerCore: core index out of range");
    return slots_[core].value;
  }
  const T& operator[](size_t core) const {
    EBBRT_CHECK_MSG(core < kMaxCores, "PerCore: core index out of range");
    return slots_[core].value;
  }

  // The calling core's T (checked: must be called on a core).
  T& Mine() { return slots_[MyCore()].value; }

 private:
  struct alignas(kCacheLineBytes) Slot {
    T value{};
  };
  Slot slots_[kMaxCores];
};

}  // namespace ebbrt
