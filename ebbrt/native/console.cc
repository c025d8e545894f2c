// Native implementation of ConsoleWrite: the first serial port (COM1).
// The boot code (ebbrt/native/boot/start.cc) initialises the UART before the
// first byte is written.
#include "ebbrt/base/console.h"

#include "ebbrt/base/spin_lock.h"
#include "ebbrt/drivers/uart_16550/uart_16550.h"

namespace ebbrt {
namespace {

// constexpr: the console must not depend on a global constructor having run,
// since the boot code prints before and while running them.
constexpr Uart16550 kConsoleUart(Uart16550::kCom1);

// Cores write whole buffers, not interleaved bytes, so lines from different cores stay
// readable.
SpinLock g_console_lock;

}  // namespace

void ConsoleWrite(const char* data, size_t size) {
  SpinLockGuard guard(g_console_lock);
  kConsoleUart.Write(data, size);
}

}  // namespace ebbrt
