// SPDX-License-Identifier: Apache-2.0
// Console output for fatal reports (CPU exceptions, failed CHECKs) on native.
//
// ConsoleWrite serializes cores with a lock; a fault inside ConsoleWrite itself (a stack
// overflow at the bottom of printf's write, an NMI) would make the report wait forever
// for the lock its own core holds, and the machine would hang with no report. This write
// waits a bounded time for the lock and then writes without it (once it has given up, it
// no longer waits): a report interleaved with another core's line beats no report.
#pragma once

#include <stddef.h>

namespace ebbrt::native {

void FatalConsoleWrite(const char* data, size_t size);

}  // namespace ebbrt::native
