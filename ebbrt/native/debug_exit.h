// SPDX-License-Identifier: Apache-2.0
// Ends a native test run by making QEMU exit with a chosen status.
//
// QEMU started with `-device isa-debug-exit,iobase=0xf4,iosize=0x04` exits as
// soon as the guest writes a value to I/O port 0xf4, with process exit code
// `(value << 1) | 1`. So status 0 shows up as exit code 1, status 3 as 7, and
// QEMU can never report 0 this way: a runner must map 1 back to success and
// treat a plain 0 (e.g. a triple fault with -no-reboot) as "no status reported".
// Only statuses 0..127 survive the shift into an 8-bit process exit code.
//
//   ebbrt::QemuDebugExit(0);  // QEMU exits with code 1.
#pragma once

#include <stdint.h>

namespace ebbrt {

// The status of fatal errors (CHECK failures, CPU exceptions, out of memory in operator
// new): the largest isa-debug-exit can carry, so QEMU exits with 255. Fatal reports print
// a line starting "[ebbrt] FATAL" and no exit banner, which the runner reports as FATAL.
inline constexpr uint8_t kQemuFatalStatus = 127;

// Never returns: without the device the write is ignored and the CPU halts
// with interrupts off, so a runner sees a hang rather than a false status.
[[noreturn]] void QemuDebugExit(uint8_t status);

}  // namespace ebbrt
