// SPDX-License-Identifier: Apache-2.0
// Native implementation of ConsoleWrite: the first serial port (COM1).
// The boot code (ebbrt/native/boot/start.cc) initialises the UART before the
// first byte is written.
#include "ebbrt/base/console.h"

#include <atomic>

#include "ebbrt/base/spin_lock.h"
#include "ebbrt/drivers/uart_16550/uart_16550.h"
#include "ebbrt/native/fatal_console.h"

namespace ebbrt {
namespace {

// constexpr: the console must not depend on a global constructor having run,
// since the boot code prints before and while running them.
constexpr Uart16550 kConsoleUart(Uart16550::kCom1);

// Cores write whole buffers, not interleaved bytes, so lines from different cores stay
// readable.
SpinLock g_console_lock;

// Set once a fatal write gave up waiting for the lock (see fatal_console.h).
std::atomic<bool> g_fatal_bypass{false};

}  // namespace

void ConsoleWrite(const char* data, size_t size) {
  SpinLockGuard guard(g_console_lock);
  kConsoleUart.Write(data, size);
}

namespace native {

void FatalConsoleWrite(const char* data, size_t size) {
  // Long enough for another core to finish a line (a few ms of 115200-baud output).
  constexpr int kAttempts = 1'000'000;
  bool locked = false;
  if (!g_fatal_bypass.load(std::memory_order_relaxed)) {
    locked = g_console_lock.TryLockFor(kAttempts);
    if (!locked) g_fatal_bypass.store(true, std::memory_order_relaxed);
  }
  kConsoleUart.Write(data, size);
  if (locked) g_console_lock.Unlock();
}

}  // namespace native
}  // namespace ebbrt
