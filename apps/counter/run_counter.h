// SPDX-License-Identifier: Apache-2.0
// RunCounter: the counter example's body, the same on both platforms (apps/counter).
//
//   int status = counter::RunCounter(4);  // prints "total=400000 expected=400000", returns 0
//
// Starts `cores` EbbRT cores (ebbrt::Run), has each increment its rep of one Counter Ebb
// kIncrementsPerCore times, each increment an event on that core, and checks what came out:
// every core reports exactly kIncrementsPerCore, and the root's sum over the reps equals
// both what the cores reported and cores * kIncrementsPerCore. Returns 0 if all of that
// holds (printing the totals), 1 otherwise (printing what differed), or Run's own status if
// the cores could not be started.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace counter {

inline constexpr uint64_t kIncrementsPerCore = 100'000;

int RunCounter(size_t cores);

}  // namespace counter
