// The first C++ code to run natively: pvh_entry.S calls ebbrt_native_start in
// 64-bit mode on the boot stack, with identity-mapped memory and SSE enabled.
// It brings up the console, runs global constructors, runs the application
// and ends the run with the C library's exit(), which reports the status to QEMU.
#include <stdint.h>
#include <stdlib.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"
#include "ebbrt/drivers/uart_16550/uart_16550.h"

extern "C" {

// Bounds of the .init_array output section, defined by
// toolchains/native/image.ld. Entries are already in priority order.
extern void (*const __init_array_start[])();
extern void (*const __init_array_end[])();

[[noreturn]] void ebbrt_native_start(uint32_t start_info_paddr);

}  // extern "C"

namespace ebbrt {
namespace {

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

  // As after a C main(): atexit handlers run and stdio buffers are flushed, then
  // _exit prints the done banner `[ebbrt] exit status=N` (AppMain's result
  // clamped to 0..127) and reports N to QEMU (ebbrt/native/libc/exit.cc).
  exit(ebbrt::AppMain());
}
