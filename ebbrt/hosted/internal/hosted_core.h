// Per-core kernel objects of the hosted runtime (event_platform.cc owns them).
#pragma once

#include <stddef.h>

namespace ebbrt::hosted_internal {

// Creates each core's epoll set, wake-up eventfd and timerfd (before the threads start).
void CreateCores(size_t num_cores);
// Closes them again (after every thread has stopped).
void DestroyCores(size_t num_cores);

}  // namespace ebbrt::hosted_internal
