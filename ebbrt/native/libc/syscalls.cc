// SPDX-License-Identifier: Apache-2.0
// The system calls beneath newlib on native.
//
// newlib is built with REENTRANT_SYSCALLS_PROVIDED (third_party/newlib/BUILD.newlib):
// its stdio and everything else call the reentrant forms below (_write_r, ...), which
// report errors in the struct _reent they are given, and newlib's own syscalls/
// directory supplies the POSIX names on top (write() -> _write_r(_REENT, ...)). So
// these functions are the whole system-call layer:
//
//   - fds 0, 1 and 2 are the console: writing to 1 or 2 goes to ebbrt::ConsoleWrite,
//     isatty() says yes, fstat() says character device (stdio then treats stdout as a
//     terminal: line-buffered once malloc works, unbuffered until then);
//   - the clocks (gettimeofday, clock_gettime, clock_getres) are in time.cc;
//   - everything else (files, processes, signals, sleeping, reading the console) is not
//     implemented: it returns -1 with errno = ENOSYS and prints
//     "[ebbrt] unimplemented syscall: <name>", once per call (docs/design.md: every
//     unimplemented call fails with a clear error, never silently);
//   - sbrk fails with ENOMEM: memory comes from AllocateBytes, never from a break;
//   - _exit is in exit.cc.
#include <errno.h>
#include <reent.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <time.h>

#include "ebbrt/base/console.h"

namespace ebbrt {
namespace native {
namespace {

constexpr int kStdinFd = 0;
constexpr int kStdoutFd = 1;
constexpr int kStderrFd = 2;

bool IsConsole(int fd) { return fd >= kStdinFd && fd <= kStderrFd; }

// Logs the call and fails it the POSIX way: -1 with errno = ENOSYS.
int Unimplemented(struct _reent* reent, const char* name) {
  ConsolePrint("[ebbrt] unimplemented syscall: ");
  ConsolePrint(name);
  ConsolePrint("\n");
  reent->_errno = ENOSYS;
  return -1;
}

}  // namespace
}  // namespace native
}  // namespace ebbrt

using ebbrt::native::IsConsole;
using ebbrt::native::Unimplemented;

// Signatures as newlib's <reent.h> declares them (which this file includes, so the
// compiler checks each one).
extern "C" {

// --- The console --------------------------------------------------------------------
_ssize_t _write_r(struct _reent* reent, int fd, const void* buf, size_t count) {
  if (fd != ebbrt::native::kStdoutFd && fd != ebbrt::native::kStderrFd) {
    return Unimplemented(reent, "write");
  }
  ebbrt::ConsoleWrite(static_cast<const char*>(buf), count);
  return static_cast<_ssize_t>(count);
}

int _isatty_r(struct _reent* reent, int fd) {
  if (IsConsole(fd)) return 1;
  reent->_errno = EBADF;  // No other descriptor is open: there are no files.
  return 0;
}

int _fstat_r(struct _reent* reent, int fd, struct stat* st) {
  if (!IsConsole(fd)) return Unimplemented(reent, "fstat");
  *st = {};
  st->st_mode = S_IFCHR;  // A terminal-like character device.
  return 0;
}

// --- Memory ---------------------------------------------------------------------------
void* _sbrk_r(struct _reent* reent, ptrdiff_t increment) {
  // Not "unimplemented": native memory is never a program break (allocate_bytes.h).
  reent->_errno = ENOMEM;
  return reinterpret_cast<void*>(-1);
}

// --- Not implemented ------------------------------------------------------------------
// Reading the console needs an interrupt-driven UART driver; files need a file system.
_ssize_t _read_r(struct _reent* reent, int fd, void* buf, size_t count) {
  return Unimplemented(reent, "read");
}
int _open_r(struct _reent* reent, const char* path, int flags, int mode) {
  return Unimplemented(reent, "open");
}
int _close_r(struct _reent* reent, int fd) { return Unimplemented(reent, "close"); }
_off_t _lseek_r(struct _reent* reent, int fd, _off_t offset, int whence) {
  return Unimplemented(reent, "lseek");
}
int _stat_r(struct _reent* reent, const char* path, struct stat* st) {
  return Unimplemented(reent, "stat");
}
int _link_r(struct _reent* reent, const char* old_path, const char* new_path) {
  return Unimplemented(reent, "link");
}
int _unlink_r(struct _reent* reent, const char* path) {
  return Unimplemented(reent, "unlink");
}
int _fcntl_r(struct _reent* reent, int fd, int cmd, int arg) {
  return Unimplemented(reent, "fcntl");
}

// There are no processes or signals: one application is the whole machine.
int _getpid_r(struct _reent* reent) { return Unimplemented(reent, "getpid"); }
int _kill_r(struct _reent* reent, int pid, int sig) {
  return Unimplemented(reent, "kill");
}
int _fork_r(struct _reent* reent) { return Unimplemented(reent, "fork"); }
int _execve_r(struct _reent* reent, const char* path, char* const argv[],
              char* const envp[]) {
  return Unimplemented(reent, "execve");
}
int _wait_r(struct _reent* reent, int* status) { return Unimplemented(reent, "wait"); }

// Clocks that can be read are in time.cc. times() would report the process's CPU
// time, which nothing counts. Setting the clock has no use without a time service.
clock_t _times_r(struct _reent* reent, struct tms* buf) {
  return Unimplemented(reent, "times");
}
int clock_settime(clockid_t clock_id, const struct timespec* tp) {
  return Unimplemented(_REENT, "clock_settime");
}

// Sleeping would stop the core's event loop for the whole interval: an event runs to
// completion, so nothing else (timers, IPIs, network receive) runs on that core until it
// returns. An event that wants to wait uses ebbrt::timer (ebbrt/event/timer.h) and
// returns, or blocks on a future the timer fulfils. newlib's sleep() and usleep() call
// this and fail with it (BUILD.newlib, libc_sleep).
int nanosleep(const struct timespec* request, struct timespec* remaining) {
  return Unimplemented(_REENT, "nanosleep");
}

}  // extern "C"
