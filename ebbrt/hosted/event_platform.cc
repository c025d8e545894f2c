// SPDX-License-Identifier: Apache-2.0
// Hosted implementation of the event loop's platform hooks (ebbrt/event/internal/platform.h)
// and of fd watches (fd_watch.h): per core, one epoll set holding a wake-up eventfd, a
// timerfd for the next timer deadline, and the watched file descriptors.
#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/internal/platform.h"
#include "ebbrt/hosted/fd_watch.h"
#include "ebbrt/hosted/idle_poll.h"
#include "ebbrt/hosted/internal/hosted_core.h"
#include "ebbrt/hosted/system_error.h"

namespace ebbrt {
namespace {

struct FdWatch {
  uint32_t generation = 0;
  bool active = false;
  MovableFunction<void(uint32_t)> handler;
};

struct HostedCore {
  int epoll_fd = -1;
  int wake_fd = -1;
  int timer_fd = -1;
  uint64_t armed_deadline = event_internal::kNoDeadline;
  Vector<FdWatch> watches;  // Indexed by fd.
  uint32_t next_generation = 1;
  Vector<MovableFunction<void()>> exit_hooks;
  // Idle polling's share of the CPU (idle_poll.h): the current window and how long the
  // core slept in it.
  uint64_t window_start_ns = 0;
  uint64_t window_slept_ns = 0;
};

HostedCore g_cores[kMaxCores];

// epoll data tags for the two internal fds; watched fds use (generation << 32 | fd).
constexpr uint64_t kWakeTag = ~uint64_t{0};
constexpr uint64_t kTimerTag = ~uint64_t{0} - 1;

constexpr size_t kPageSize = 4096;
constexpr uint64_t kBusyWindowNs = 10'000'000;

hosted::IdlePoll g_idle_poll;           // What the program chose (SetIdlePoll).
hosted::IdlePoll g_idle_poll_this_run;  // In effect: that, or the environment's override.
constexpr int kMaxEventsPerWait = 64;

void AddToEpoll(int epoll_fd, int fd, uint64_t tag) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = tag;
  EBBRT_CHECK_MSG(epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) == 0, "epoll_ctl ADD failed");
}

void DrainCounter(int fd) {
  uint64_t value;
  // Non-blocking: EAGAIN just means someone else drained it already.
  (void)!read(fd, &value, sizeof(value));
}

void ArmTimer(HostedCore& core, uint64_t deadline_ns) {
  if (deadline_ns == core.armed_deadline) return;
  itimerspec spec{};
  if (deadline_ns != event_internal::kNoDeadline) {
    // A zero it_value would disarm the timer; a deadline of 0 is "now".
    uint64_t when = deadline_ns == 0 ? 1 : deadline_ns;
    spec.it_value.tv_sec = static_cast<time_t>(when / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(when % 1'000'000'000);
  }
  EBBRT_CHECK_MSG(timerfd_settime(core.timer_fd, TFD_TIMER_ABSTIME, &spec, nullptr) == 0,
                  "timerfd_settime failed");
  core.armed_deadline = deadline_ns;
}

void Dispatch(HostedCore& core, const epoll_event* events, int count) {
  for (int i = 0; i < count; ++i) {
    uint64_t tag = events[i].data.u64;
    if (tag == kWakeTag) {
      DrainCounter(core.wake_fd);
    } else if (tag == kTimerTag) {
      DrainCounter(core.timer_fd);
      core.armed_deadline = event_internal::kNoDeadline;
    } else {
      int fd = static_cast<int>(tag & 0xffffffff);
      uint32_t generation = static_cast<uint32_t>(tag >> 32);
      uint32_t ready = events[i].events;
      // Queued, not called here: a handler may block, and the loop owns dispatch order.
      event_internal::QueueLocalEvent([fd, generation, ready] {
        HostedCore& self = g_cores[MyCore()];
        size_t index = static_cast<size_t>(fd);
        if (index >= self.watches.Size()) return;
        FdWatch& watch = self.watches[index];
        if (!watch.active || watch.generation != generation) return;  // Unwatched since.
        // Call a local: the handler may unwatch (destroying the stored function) or watch
        // other fds (moving the table) while it runs.
        MovableFunction<void(uint32_t)> handler = std::move(watch.handler);
        handler(ready);
        if (index < self.watches.Size()) {
          FdWatch& after = self.watches[index];
          if (after.active && after.generation == generation && !after.handler) {
            after.handler = std::move(handler);
          }
        }
      });
    }
  }
}

// Returns how many events it dispatched.
int WaitOnEpoll(HostedCore& core, int timeout_ms) {
  epoll_event events[kMaxEventsPerWait];
  int count = epoll_wait(core.epoll_fd, events, kMaxEventsPerWait, timeout_ms);
  if (count < 0) {
    EBBRT_CHECK_MSG(errno == EINTR, "epoll_wait failed");
    return 0;
  }
  Dispatch(core, events, count);
  return count;
}

// Whether the core may poll now: it has slept enough of the current window.
bool MayPoll(HostedCore& core, uint64_t now) {
  if (now - core.window_start_ns >= kBusyWindowNs) {
    core.window_start_ns = now;
    core.window_slept_ns = 0;
    return true;
  }
  uint64_t elapsed = now - core.window_start_ns;
  uint64_t busy = elapsed - core.window_slept_ns;
  return busy * 100 <= elapsed * g_idle_poll_this_run.max_busy_percent;
}

// Polls for up to the configured time; true when something arrived (or the deadline
// passed), so the caller need not sleep.
bool PollBeforeSleep(HostedCore& core, uint64_t deadline_ns) {
  uint64_t start = event_internal::PlatformNowNs();
  if (!MayPoll(core, start)) return false;
  uint64_t now = start;
  while (now - start < g_idle_poll_this_run.poll_ns) {
    if (WaitOnEpoll(core, 0) > 0) return true;
    now = event_internal::PlatformNowNs();
    if (now >= deadline_ns) return true;
  }
  return false;
}

}  // namespace

namespace hosted_internal {

void CreateCores(size_t num_cores) {
  g_idle_poll_this_run = g_idle_poll;
  if (const char* poll_us = getenv("EBBRT_IDLE_POLL_US")) {
    g_idle_poll_this_run.poll_ns = strtoull(poll_us, nullptr, 10) * 1000;
  }
  for (size_t i = 0; i < num_cores; ++i) {
    HostedCore& core = g_cores[i];
    core.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    core.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    core.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    EBBRT_CHECK_MSG(core.epoll_fd >= 0 && core.wake_fd >= 0 && core.timer_fd >= 0,
                    "could not create a core's epoll/eventfd/timerfd (fd limit?)");
    AddToEpoll(core.epoll_fd, core.wake_fd, kWakeTag);
    AddToEpoll(core.epoll_fd, core.timer_fd, kTimerTag);
    core.armed_deadline = event_internal::kNoDeadline;
  }
}

void AddCoreExitHook(MovableFunction<void()> hook) {
  g_cores[MyCore()].exit_hooks.PushBack(std::move(hook));
}

void RunCoreExitHooks() {
  HostedCore& core = g_cores[MyCore()];
  // Last registered, first run: later subsystems may depend on earlier ones.
  while (!core.exit_hooks.Empty()) {
    MovableFunction<void()> hook = std::move(core.exit_hooks.Back());
    core.exit_hooks.PopBack();
    hook();
  }
}

void DestroyCores(size_t num_cores) {
  for (size_t i = 0; i < num_cores; ++i) {
    HostedCore& core = g_cores[i];
    close(core.epoll_fd);
    close(core.wake_fd);
    close(core.timer_fd);
    core.watches.Clear();
    core = HostedCore();
  }
}

}  // namespace hosted_internal

namespace event_internal {

uint64_t PlatformNowNs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<uint64_t>(now.tv_sec) * 1'000'000'000 + static_cast<uint64_t>(now.tv_nsec);
}

void PlatformWait(uint64_t deadline_ns) {
  HostedCore& core = g_cores[MyCore()];
  if (g_idle_poll_this_run.poll_ns == 0) {
    ArmTimer(core, deadline_ns);
    WaitOnEpoll(core, -1);
    return;
  }
  if (PollBeforeSleep(core, deadline_ns)) return;
  ArmTimer(core, deadline_ns);
  uint64_t before = PlatformNowNs();
  WaitOnEpoll(core, -1);
  core.window_slept_ns += PlatformNowNs() - before;
}

void PlatformPoll() { WaitOnEpoll(g_cores[MyCore()], 0); }

// Nothing: the only check would be epoll_wait, a system call costing more than many
// events' dispatch, and a busy hosted core is a Linux thread that the kernel preempts
// anyway. Watched fds are seen when the queue empties; timers by the loop's own check.
void PlatformPollBusy() {}

void PlatformNotify(size_t core) {
  uint64_t one = 1;
  // EAGAIN only if the counter is about to overflow, i.e. a wake-up is pending anyway.
  (void)!write(g_cores[core].wake_fd, &one, sizeof(one));
}

void* PlatformAllocateStack(size_t size) {
  EBBRT_CHECK(size % kPageSize == 0);
  void* region = mmap(nullptr, size + kPageSize, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (region == MAP_FAILED) return nullptr;
  // The lowest page is the guard: an overflow faults instead of corrupting a neighbour.
  EBBRT_CHECK(mprotect(region, kPageSize, PROT_NONE) == 0);
  return static_cast<char*>(region) + kPageSize;
}

void PlatformFreeStack(void* base, size_t size) {
  munmap(static_cast<char*>(base) - kPageSize, size + kPageSize);
}

}  // namespace event_internal

namespace hosted {

void SetIdlePoll(const IdlePoll& config) { g_idle_poll = config; }

Status WatchFd(int fd, uint32_t events, MovableFunction<void(uint32_t)> handler) {
  if (fd < 0) return Status(StatusCode::kInvalidArgument, "WatchFd: negative fd");
  HostedCore& core = g_cores[MyCore()];
  while (core.watches.Size() <= static_cast<size_t>(fd)) core.watches.EmplaceBack();
  FdWatch& watch = core.watches[static_cast<size_t>(fd)];
  if (watch.active) return Status(StatusCode::kAlreadyExists, "WatchFd: fd already watched");
  uint32_t generation = core.next_generation++;
  epoll_event event{};
  event.events = events;
  event.data.u64 = (static_cast<uint64_t>(generation) << 32) | static_cast<uint32_t>(fd);
  if (epoll_ctl(core.epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
    return SystemError("WatchFd: epoll_ctl ADD", errno);
  }
  watch.generation = generation;
  watch.active = true;
  watch.handler = std::move(handler);
  return Status::Ok();
}

Status ModifyFdWatch(int fd, uint32_t events) {
  HostedCore& core = g_cores[MyCore()];
  if (fd < 0 || static_cast<size_t>(fd) >= core.watches.Size() ||
      !core.watches[static_cast<size_t>(fd)].active) {
    return Status(StatusCode::kNotFound, "ModifyFdWatch: fd not watched on this core");
  }
  FdWatch& watch = core.watches[static_cast<size_t>(fd)];
  epoll_event event{};
  event.events = events;
  event.data.u64 = (static_cast<uint64_t>(watch.generation) << 32) | static_cast<uint32_t>(fd);
  if (epoll_ctl(core.epoll_fd, EPOLL_CTL_MOD, fd, &event) != 0) {
    return SystemError("ModifyFdWatch: epoll_ctl MOD", errno);
  }
  return Status::Ok();
}

Status UnwatchFd(int fd) {
  HostedCore& core = g_cores[MyCore()];
  if (fd < 0 || static_cast<size_t>(fd) >= core.watches.Size() ||
      !core.watches[static_cast<size_t>(fd)].active) {
    return Status(StatusCode::kNotFound, "UnwatchFd: fd not watched on this core");
  }
  FdWatch& watch = core.watches[static_cast<size_t>(fd)];
  // The fd may already be closed (epoll then dropped it): not an error.
  (void)epoll_ctl(core.epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
  watch.active = false;
  watch.handler.Reset();
  return Status::Ok();
}

}  // namespace hosted
}  // namespace ebbrt
