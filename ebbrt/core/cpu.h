// SPDX-License-Identifier: Apache-2.0
// Which core the caller runs on. A "core" is an EbbRT event loop: a vCPU natively, a
// pinned thread on hosted (ebbrt::Run). Implemented per platform.
#pragma once

#include <stddef.h>

namespace ebbrt {

inline constexpr size_t kMaxCores = 256;

// True when the caller runs on an EbbRT core (inside an event, or the loop itself).
bool OnCore();

// The caller's core index in [0, NumCores()); checked: must be called on a core.
size_t MyCore();

// How many cores the running runtime has (0 when none is running).
size_t NumCores();

}  // namespace ebbrt
