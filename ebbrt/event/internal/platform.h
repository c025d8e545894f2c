// SPDX-License-Identifier: Apache-2.0
// What the portable event loop (event_manager.cc, timer.cc) needs from a platform.
// Hosted: ebbrt/hosted/event_platform.cc (epoll, eventfd, mmap). Native:
// ebbrt/native/event_platform.cc (sti;hlt, wake IPIs, event stacks from the VMemAllocator).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/movable_function.h"

namespace ebbrt::event_internal {

inline constexpr uint64_t kNoDeadline = ~uint64_t{0};

// Monotonic time in nanoseconds (the same clock on every core).
uint64_t PlatformNowNs();

// Sleeps the calling core until PlatformNotify() targets it, one of its event sources
// fires (the platform queues their handlers with SpawnLocal), or the monotonic clock
// reaches `deadline_ns`. May return early.
void PlatformWait(uint64_t deadline_ns);

// Checks the calling core's event sources without sleeping (for polling idle loops).
void PlatformPoll();

// Called by a core whose queue has not emptied for a while (every few dozen events, the
// loop's busy check), which therefore reaches neither PlatformWait nor PlatformPoll: lets
// the event sources that must not wait for the queue to empty queue their events. It is
// on the dispatch path of a busy core, so a platform leaves out any source too costly to
// check there.
void PlatformPollBusy();

// Wakes `core` from PlatformWait (or makes its next PlatformWait return at once).
void PlatformNotify(size_t core);

// Event stacks: `size` bytes, page aligned, with an inaccessible guard page below so an
// overflow faults instead of corrupting memory. Returns the lowest usable address.
void* PlatformAllocateStack(size_t size);
void PlatformFreeStack(void* base, size_t size);

// Provided by the event loop to the platform: queues `fn` as an event on the calling core
// (SpawnLocal without depending on the EventManager's header).
void QueueLocalEvent(MovableFunction<void()> fn);

}  // namespace ebbrt::event_internal
