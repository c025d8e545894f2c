// SPDX-License-Identifier: Apache-2.0
// How a native image ends: the one place that prints the exit banner the QEMU test
// runner looks for and reports the status through isa-debug-exit.
//
// The C library's exit() (newlib: atexit handlers, stdio flush) ends in _exit(), which
// calls ExitMachine; ebbrt_native_start calls exit(AppMain()) (docs/boot.md step 10).
//
//   ebbrt::native::ExitMachine(0);           // "[ebbrt] exit status=0", QEMU exits 1
//   ebbrt::native::FatalError("bad state");  // "[ebbrt] FATAL ...: bad state", no banner
#pragma once

namespace ebbrt {
namespace native {

// The largest status isa-debug-exit can carry (ebbrt/native/debug_exit.h); also the
// status of fatal errors.
inline constexpr int kMaxExitStatus = 127;

// Prints "[ebbrt] exit status=N" and makes QEMU exit with N. `status` is clamped to
// 0..kMaxExitStatus; negative values become kMaxExitStatus, so a C-style `return -1`
// is never reported as success.
[[noreturn]] void ExitMachine(int status);

// The fatal report of ebbrt/base/check.h ("[ebbrt] FATAL <file:line>: fatal: <message>",
// a backtrace) and stops the machine with kQemuFatalStatus but without the exit banner:
// the QEMU runner reports FATAL, never a clean exit.
[[noreturn]] void FatalError(const char* message);

}  // namespace native
}  // namespace ebbrt
