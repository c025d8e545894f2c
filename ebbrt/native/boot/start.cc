// The first C++ code to run natively: pvh_entry.S calls ebbrt_native_start in
// 64-bit mode on the boot stack, with identity-mapped memory and SSE enabled.
// It brings up the console, runs global constructors, runs the application
// and ends the run with the C library's exit(), which reports the status to QEMU.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"
#include "ebbrt/base/check.h"
#include "ebbrt/drivers/uart_16550/uart_16550.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/arch/x86_64/apic.h"
#include "ebbrt/native/mem/memory_map.h"
#include "ebbrt/native/smp/smp.h"
#include "ebbrt/native/translation.h"
#include "ebbrt/native/start_info.h"
#include "ebbrt/native/symbols.h"

extern "C" {

// Bounds of the .init_array output section, defined by
// toolchains/native/image.ld. Entries are already in priority order.
extern void (*const __init_array_start[])();
extern void (*const __init_array_end[])();

// The boot stack (pvh_entry.S); its lowest page becomes its guard page.
extern char boot_stack[];

[[noreturn]] void ebbrt_native_start(uint32_t start_info_paddr);

}  // extern "C"

namespace ebbrt {
namespace {

// The image passed as the first boot module (the QEMU runner's -initrd) gives reports
// their symbol names (ebbrt/native/symbols.h).
void LoadSymbols(uint32_t start_info_paddr) {
  const auto* info = reinterpret_cast<const native::HvmStartInfo*>(uintptr_t{start_info_paddr});
  if (info == nullptr || info->magic != native::kHvmStartMagic || info->nr_modules == 0) return;
  const auto* module = reinterpret_cast<const native::HvmModlistEntry*>(info->modlist_paddr);
  (void)native::InitSymbols(reinterpret_cast<const void*>(module->paddr), module->size);
}

void RunGlobalConstructors() {
  for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor) {
    (*ctor)();
  }
}

}  // namespace
}  // namespace ebbrt

// `start_info_paddr` is the physical address of the hvm_start_info structure
// (ebbrt/native/start_info.h: memory map, command line, RSDP, boot modules).
void ebbrt_native_start(uint32_t start_info_paddr) {
  // Before anything else, so everything after can report problems.
  ebbrt::Uart16550(ebbrt::Uart16550::kCom1).Init();
  // CPU exceptions now print a report instead of triple-faulting (docs/boot.md step 9).
  ebbrt::x86_64::SetUpDescriptorTables();
  ebbrt::LoadSymbols(start_info_paddr);
  // RAM from the boot memory map into the page allocator: malloc and new work from here.
  ebbrt::native::InitMemory(start_info_paddr);
  const uint64_t rsdp_paddr =
      reinterpret_cast<const ebbrt::native::HvmStartInfo*>(uintptr_t{start_info_paddr})->rsdp_paddr;
  // Null pointers fault; so does running off the bottom of the boot stack. Last of the
  // boot information readers: QEMU puts the start info and memory map in page 0.
  EBBRT_CHECK_OK(ebbrt::x86_64::UnmapPage(0));
  uintptr_t guard = reinterpret_cast<uintptr_t>(boot_stack);
  EBBRT_CHECK_OK(ebbrt::x86_64::UnmapPage(guard));
  ebbrt::x86_64::RegisterStackGuard(guard, "boot stack");
  // EbbRefs work from here (their per-core table is demand-paged) ...
  ebbrt::native::InitTranslationRegion();
  // ... and so do the clock and the timer that wakes an idle event loop.
  ebbrt::x86_64::InitApicAndClock();
  // This CPU is core 0; the others (ACPI MADT) start and wait for ebbrt::Run.
  ebbrt::native::InitBootCore();
  const size_t cores = ebbrt::native::StartSecondaryCores(rsdp_paddr);
  ebbrt::RunGlobalConstructors();
  // The QEMU test runner looks for this exact line as the start banner.
  ebbrt::ConsolePrint("[ebbrt] boot: native x86_64\n");
  char line[64];
  snprintf(line, sizeof(line), "[ebbrt] cores: %zu\n", cores);
  ebbrt::ConsolePrint(line);

  // As after a C main(): atexit handlers run and stdio buffers are flushed, then
  // _exit prints the done banner `[ebbrt] exit status=N` (AppMain's result
  // clamped to 0..127) and reports N to QEMU (ebbrt/native/libc/exit.cc).
  exit(ebbrt::AppMain());
}
