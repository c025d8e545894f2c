// SPDX-License-Identifier: Apache-2.0
// Hosted only: file descriptors as event sources of the calling core's loop.
//
//   EBBRT_TRY(ebbrt::hosted::WatchFd(fd, EPOLLIN, [fd](uint32_t events) { Drain(fd); }));
//   ...
//   EBBRT_TRY(ebbrt::hosted::UnwatchFd(fd));
//
// Level-triggered: while `fd` is ready for `events`, `handler(ready_events)` is queued
// as an event on the core that called WatchFd (once per loop wake-up), so a handler
// should consume what it was told about (read to EAGAIN, say). After UnwatchFd returns,
// the handler is never called again, even if a call was already queued. All three calls
// must be made on the core that owns the watch.
#pragma once

#include <stdint.h>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/status.h"

namespace ebbrt::hosted {

Status WatchFd(int fd, uint32_t events, MovableFunction<void(uint32_t)> handler);
Status ModifyFdWatch(int fd, uint32_t events);
Status UnwatchFd(int fd);

}  // namespace ebbrt::hosted
