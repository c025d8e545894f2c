// SPDX-License-Identifier: Apache-2.0
// Termination signals through a self-pipe into one core's event loop (signals.h).
#include "ebbrt/hosted/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <atomic>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/hosted/fd_watch.h"
#include "ebbrt/hosted/internal/hosted_core.h"
#include "ebbrt/hosted/system_error.h"

namespace ebbrt::hosted {
namespace {

constexpr int kSignals[] = {SIGTERM, SIGINT};
constexpr int kSignalCount = sizeof(kSignals) / sizeof(kSignals[0]);

// Made once and never closed: a handler still running on another thread while the watch
// goes away must never write to a closed, or reused, descriptor.
int g_pipe[2] = {-1, -1};
std::atomic<bool> g_installed{false};
struct sigaction g_previous[kSignalCount];

void WriteSignalNumber(int signo) {
  int saved_errno = errno;
  unsigned char byte = static_cast<unsigned char>(signo);
  // Non-blocking: if the pipe is full, plenty of signals are already waiting.
  (void)!write(g_pipe[1], &byte, 1);
  errno = saved_errno;
}

void DrainPipe(MovableFunction<void(int)>* handler) {
  unsigned char bytes[64];
  while (true) {
    ssize_t n = read(g_pipe[0], bytes, sizeof(bytes));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // EAGAIN: drained
    if (handler == nullptr) continue;
    for (ssize_t i = 0; i < n; ++i) (*handler)(bytes[i]);
  }
}

void Uninstall() {
  for (int i = 0; i < kSignalCount; ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
  (void)UnwatchFd(g_pipe[0]);
  g_installed.store(false, std::memory_order_release);
}

}  // namespace

Status OnTerminationSignal(MovableFunction<void(int)> handler) {
  EBBRT_CHECK_MSG(OnCore(), "OnTerminationSignal must be called on an EbbRT core");
  if (g_installed.exchange(true, std::memory_order_acq_rel)) {
    return Status(StatusCode::kAlreadyExists, "a termination signal handler is installed");
  }
  if (g_pipe[0] < 0 && pipe2(g_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
    int error = errno;
    g_installed.store(false, std::memory_order_release);
    return SystemError("pipe2 (termination signals)", error);
  }
  DrainPipe(nullptr);  // a signal that came as an earlier Run stopped is not for us
  Status watched = WatchFd(g_pipe[0], EPOLLIN, [handler = std::move(handler)](uint32_t) mutable {
    DrainPipe(&handler);
  });
  if (!watched.ok()) {
    g_installed.store(false, std::memory_order_release);
    return watched;
  }
  struct sigaction action = {};
  action.sa_handler = WriteSignalNumber;
  sigemptyset(&action.sa_mask);
  // System calls a signal interrupts go on (those that cannot, like epoll_wait, return
  // EINTR, which the runtime retries).
  action.sa_flags = SA_RESTART;
  for (int i = 0; i < kSignalCount; ++i) sigaction(kSignals[i], &action, &g_previous[i]);
  hosted_internal::AddCoreExitHook([] { Uninstall(); });
  return Status::Ok();
}

}  // namespace ebbrt::hosted
