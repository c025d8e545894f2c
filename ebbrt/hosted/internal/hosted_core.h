// SPDX-License-Identifier: Apache-2.0
// Per-core kernel objects of the hosted runtime (event_platform.cc owns them).
#pragma once

#include <stddef.h>

#include "ebbrt/base/movable_function.h"

namespace ebbrt::hosted_internal {

// Creates each core's epoll set, wake-up eventfd and timerfd (before the threads start).
void CreateCores(size_t num_cores);
// Closes them again (after every thread has stopped).
void DestroyCores(size_t num_cores);

// Registers `hook` to run on the calling core after its loop stopped, before its thread
// exits (e.g. the network closes that core's sockets). No events run any more then.
void AddCoreExitHook(MovableFunction<void()> hook);
// Runs and forgets the calling core's hooks, last registered first (the runtime calls it).
void RunCoreExitHooks();

}  // namespace ebbrt::hosted_internal
