// SPDX-License-Identifier: Apache-2.0
// newlib's per-core state on native: one struct _reent per core, so errno and the static
// state of newlib's non-reentrant functions (strtok, rand, asctime, ...) belong to the
// core that uses them. newlib finds the caller's structure through __getreent()
// (__DYNAMIC_REENT__, third_party/newlib/include/newlib.h), defined in reent.cc.
//
// Design (docs/build.md#native-c-library):
//   - Core 0's structure is newlib's global one (_GLOBAL_REENT, reent/impure.c), statically
//     initialized: C library code works from the first instruction, before per-core data
//     (the GS base) exists, and boot code keeps one errno across InitBootCore.
//   - Cores 1.. use a static array (kMaxCores - 1 entries, each on its own cache lines),
//     zero in the BSS and set up by the core itself when it starts: no allocation, no
//     constructor.
//   - What is one per machine stays in the global structure or in newlib's globals:
//     stdin/stdout/stderr (_REENT_GLOBAL_STDIO_STREAMS: one buffer and one lock each, so a
//     line printed on any core is whole), the list of every open FILE (exit() flushes it),
//     and the atexit list (_REENT_GLOBAL_ATEXIT).
//   - errno is per core, not per event: an event that blocks between a failing call and
//     reading errno may find another event's errno of the same core.
//
//   // ebbrt/native/smp, once the core's GS base is set:
//   ebbrt::native::InitCoreReent(core);
#pragma once

#include <stddef.h>

namespace ebbrt::native {

// Sets up `core`'s struct _reent and, on the boot core, stdio's shared streams. Called
// by every core on itself, once, right after its GS base is set and before it runs any
// C library code; from then on __getreent() returns the core's own structure.
void InitCoreReent(size_t core);

// The calling core's index, or 0 (the boot CPU) before the boot core's per-core data
// exists: what C library glue (reent, newlib's locks) uses to tell cores apart. Every
// secondary core sets its GS base before it runs any C library code.
size_t CallerCore();

}  // namespace ebbrt::native
