// The first C++ code to run natively: pvh_entry.S calls ebbrt_native_start in
// 64-bit mode on the boot stack, with identity-mapped memory and SSE enabled.
// It brings up the console, runs global constructors, runs the application
// and reports its status to QEMU.
#include <stddef.h>
#include <stdint.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"
#include "ebbrt/drivers/uart_16550/uart_16550.h"
#include "ebbrt/native/debug_exit.h"

extern "C" {

// Bounds of the .init_array output section, defined by
// toolchains/native/image.ld. Entries are already in priority order.
extern void (*const __init_array_start[])();
extern void (*const __init_array_end[])();

[[noreturn]] void ebbrt_native_start(uint32_t start_info_paddr);

}  // extern "C"

namespace ebbrt {
namespace {

// The largest status isa-debug-exit can carry (see debug_exit.h).
constexpr int kMaxExitStatus = 127;

// Maps AppMain's result onto 0..kMaxExitStatus. Values above the range are
// clamped to the top; negative values also become kMaxExitStatus rather than
// 0, so a C-style `return -1` is still reported as a failure, never success.
uint8_t ToExitStatus(int app_status) {
  if (app_status < 0 || app_status > kMaxExitStatus) return kMaxExitStatus;
  return static_cast<uint8_t>(app_status);
}

void PrintUnsigned(unsigned value) {
  char digits[10];  // Enough for 2^32 - 1.
  size_t n = 0;
  do {
    digits[sizeof(digits) - 1 - n] = static_cast<char>('0' + value % 10);
    value /= 10;
    ++n;
  } while (value != 0);
  ConsoleWrite(digits + sizeof(digits) - n, n);
}

void RunGlobalConstructors() {
  for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) {
    (*ctor)();
  }
}

}  // namespace
}  // namespace ebbrt

// `start_info_paddr` is the physical address of the hvm_start_info structure
// (Xen's arch-x86/hvm/start_info.h: memory map, command line, RSDP). Memory
// setup will consume it; the boot path carries it from %ebx to here so it is
// not lost.
void ebbrt_native_start([[maybe_unused]] uint32_t start_info_paddr) {
  // Before anything else, so constructors and the banner can print.
  ebbrt::Uart16550(ebbrt::Uart16550::kCom1).Init();
  ebbrt::RunGlobalConstructors();
  // The QEMU test runner looks for this exact line as the start banner.
  ebbrt::ConsolePrint("[ebbrt] boot: native x86_64\n");

  const uint8_t status = ebbrt::ToExitStatus(ebbrt::AppMain());

  // ...and for this exact line as the done banner; it must agree with the
  // status QEMU exits with.
  ebbrt::ConsolePrint("[ebbrt] exit status=");
  ebbrt::PrintUnsigned(status);
  ebbrt::ConsolePrint("\n");
  ebbrt::QemuDebugExit(status);
}
