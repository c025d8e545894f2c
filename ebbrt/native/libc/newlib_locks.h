// SPDX-License-Identifier: Apache-2.0
// newlib's locks on native: the __retarget_lock_* hooks of newlib's retargetable locking
// (_RETARGETABLE_LOCKING, third_party/newlib/include/newlib.h) on EbbRT spin locks, so
// several cores may run stdio, atexit, getenv/setenv and tzset at once. newlib calls the
// hooks itself (through <sys/lock.h>); this header only exposes the lock pool's state,
// for tests.
//
// Design (docs/build.md#native-c-library):
//   - Every lock is a SpinLock plus an owner (the core index) and a recursion depth. The
//     recursive forms let the owning core re-acquire (stdio nests FILE locks: printf ->
//     fflush -> ...); the plain forms stop the machine with a fatal report when the
//     holding core asks again (that would spin forever).
//   - The owner is the core, not the event: an event cannot be switched out while it
//     holds a newlib lock. Events run with interrupts disabled: the event loop enables
//     them only between events (while halted in `sti; hlt`, and in the `sti; nop; cli`
//     window it opens before polling idle handlers and every 32 events on a core whose
//     queue never empties, ebbrt/native/event_platform.cc), and a core waiting for the
//     next ebbrt::Run halts outside any event. An event holds no newlib lock once it
//     returns, so no interrupt handler runs inside printf (the handlers only acknowledge
//     the interrupt and, for a device vector, mark it pending). And what newlib calls
//     while holding a lock (console write, malloc, the atexit handlers of exit(), which
//     runs after the event loops) never blocks. A C library call from an event that could block (a stdio stream whose
//     write function blocks on a future, were one ever added) would break this: two
//     events of one core would then share the lock.
//   - The owner is the core CallerCore() (reent.h) names: core 0 until the boot core's
//     per-core data exists (boot code may print through stdio before InitBootCore sets
//     the GS base MyCore() reads), MyCore() after; secondary cores set their GS base
//     before running any C library code. The same rule picks each core's struct _reent.
//   - Static locks (newlib's __lock___*_mutex objects) are zero-initialized data: they
//     work from the first instruction, with no constructor. Dynamic locks (one per FILE,
//     and one per unbuffered printf, whose temporary FILE on the stack gets a lock) come
//     from a fixed pool: nothing allocates. A full pool stops the machine with a fatal
//     report naming kNewlibLockPoolSize.
//
//   size_t before = ebbrt::native::NewlibLocksInUse();
//   fprintf(stderr, "x\n");  // takes and returns a pool lock
//   EXPECT_EQ(ebbrt::native::NewlibLocksInUse(), before);
#pragma once

#include <stddef.h>

#include "ebbrt/core/cpu.h"

namespace ebbrt::native {

// Dynamic locks that can exist at once: one transient lock per core (an unbuffered
// printf) plus the open FILEs (stdin, stdout, stderr and any memory stream).
inline constexpr size_t kNewlibLockPoolSize = kMaxCores + 64;

// How many pool locks are initialized and not yet closed.
size_t NewlibLocksInUse();

}  // namespace ebbrt::native
