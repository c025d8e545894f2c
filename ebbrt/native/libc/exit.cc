// SPDX-License-Identifier: Apache-2.0
// _exit and abort for newlib, and the exit banner (see exit.h).
#include "ebbrt/native/libc/exit.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ebbrt/base/check.h"
#include "ebbrt/base/console.h"
#include "ebbrt/native/debug_exit.h"

namespace ebbrt {
namespace native {
namespace {

uint8_t ToExitStatus(int status) {
  if (status < 0 || status > kMaxExitStatus) return kMaxExitStatus;
  return static_cast<uint8_t>(status);
}

}  // namespace

void ExitMachine(int status) {
  const uint8_t exit_status = ToExitStatus(status);
  // The QEMU test runner looks for this exact line as the done banner; it must agree
  // with the status QEMU exits with.
  char line[32];
  const int n = snprintf(line, sizeof(line), "[ebbrt] exit status=%u\n",
                         static_cast<unsigned>(exit_status));
  ConsoleWrite(line, static_cast<size_t>(n));
  QemuDebugExit(exit_status);
}

void FatalError(const char* message) {
  // The one fatal report: "[ebbrt] FATAL ...", a symbolized backtrace, kQemuFatalStatus.
  ::ebbrt::FatalError(__FILE__, __LINE__, "fatal", message);
}

}  // namespace native
}  // namespace ebbrt

extern "C" {

// newlib's exit() (after atexit handlers and the stdio flush) and _Exit() end here.
void _exit(int status) { ebbrt::native::ExitMachine(status); }

// Also reached from libc++ when a __throw_* helper runs without exceptions (e.g.
// std::get on the wrong std::variant alternative), and from assert() after newlib has
// printed the failed assertion.
void abort() { ebbrt::native::FatalError("abort() called"); }

}  // extern "C"
