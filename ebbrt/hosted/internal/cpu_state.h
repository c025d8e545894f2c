// SPDX-License-Identifier: Apache-2.0
// The hosted runtime's record of which thread is which core (backs ebbrt/core/cpu.h).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ebbrt::hosted_internal {

inline constexpr size_t kNotACore = SIZE_MAX;

// Marks the calling thread as core `core` (or as no core: kNotACore).
void SetMyCore(size_t core);
// Sets NumCores() to `num_cores` unless a runtime is already active; false if one is.
bool ClaimCores(size_t num_cores);
// NumCores() becomes 0 again.
void ReleaseCores();

}  // namespace ebbrt::hosted_internal
