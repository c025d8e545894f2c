// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/debug_exit.h"

#include "ebbrt/native/arch/x86_64/io_port.h"

namespace ebbrt {
namespace {

// Must match the `iobase=` the QEMU runner passes to isa-debug-exit.
constexpr uint16_t kDebugExitPort = 0xf4;

}  // namespace

void QemuDebugExit(uint8_t status) {
  x86_64::OutB(kDebugExitPort, status);
  // Reached only when the device is absent (a real machine, or QEMU without
  // the device). HLT with IF clear sleeps until an NMI or SMI; loop so those
  // cannot resume execution past this point.
  for (;;) {
    asm volatile("cli; hlt" : : : "memory");
  }
}

}  // namespace ebbrt
