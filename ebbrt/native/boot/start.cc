// SPDX-License-Identifier: Apache-2.0
// The first C++ code to run natively: pvh_entry.S calls ebbrt_native_start in
// 64-bit mode on the boot stack, with identity-mapped memory and SSE enabled.
// It brings up the console, runs global constructors, runs the application
// and ends the run with the C library's exit(), which reports the status to QEMU.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/native/boot/command_line.h"
#include "ebbrt/base/console.h"
#include "ebbrt/base/check.h"
#include "ebbrt/drivers/uart_16550/uart_16550.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/arch/x86_64/apic.h"
#include "ebbrt/native/arch/x86_64/kvmclock.h"
#include "ebbrt/native/mem/memory_map.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/native/mem/vmem_allocator.h"
#include "ebbrt/native/pci/devices.h"
#include "ebbrt/native/smp/smp.h"
#include "ebbrt/native/translation.h"
#include "ebbrt/native/wall_clock.h"
#include "ebbrt/native/start_info.h"
#include "ebbrt/native/symbols.h"

extern "C" {

// Bounds of the .init_array output section, defined by
// toolchains/native/image.ld. Entries are already in priority order.
extern void (*const __init_array_start[])();
extern void (*const __init_array_end[])();

// The boot stack (pvh_entry.S); its lowest page becomes its guard page.
extern char boot_stack[];

// TSC at the first instruction (pvh_entry.S).
extern uint64_t ebbrt_boot_tsc;

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

// Boot steps and when they finished, for the report `ebbrt.boottime` on the kernel
// command line asks for (docs/boot.md lists the steps).
struct BootStep {
  const char* name;
  uint64_t tsc;
};
constexpr size_t kMaxBootSteps = 16;
BootStep g_boot_steps[kMaxBootSteps];
size_t g_boot_step_count = 0;

void MarkBootStep(const char* name) {
  if (g_boot_step_count < kMaxBootSteps) g_boot_steps[g_boot_step_count++] = BootStep{name, x86_64::Rdtsc()};
}

// The kernel command line, copied before the page holding it is unmapped.
char g_command_line[256];

void CopyCommandLine(uint32_t start_info_paddr) {
  const auto* info = reinterpret_cast<const native::HvmStartInfo*>(uintptr_t{start_info_paddr});
  if (info == nullptr || info->magic != native::kHvmStartMagic || info->cmdline_paddr == 0) return;
  strncpy(g_command_line, reinterpret_cast<const char*>(info->cmdline_paddr), sizeof(g_command_line) - 1);
}

bool CommandLineHas(const char* word) {
  size_t length = strlen(word);
  for (const char* p = g_command_line; (p = strstr(p, word)) != nullptr; p += length) {
    bool starts = p == g_command_line || p[-1] == ' ';
    bool ends = p[length] == '\0' || p[length] == ' ';
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

namespace native {

std::string_view CommandLineValue(std::string_view key) {
  std::string_view rest = g_command_line;
  while (!rest.empty()) {
    size_t end = rest.find(' ');
    std::string_view word = rest.substr(0, end);
    if (word.size() > key.size() && word.substr(0, key.size()) == key && word[key.size()] == '=') {
      return word.substr(key.size() + 1);
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return {};
}

}  // namespace native

namespace {

void PrintBootTimes() {
  uint64_t hz = x86_64::TscHz();
  uint64_t previous = ebbrt_boot_tsc;
  for (size_t i = 0; i < g_boot_step_count; ++i) {
    char line[128];
    uint64_t at_us = (g_boot_steps[i].tsc - ebbrt_boot_tsc) * 1'000'000 / hz;
    uint64_t took_us = (g_boot_steps[i].tsc - previous) * 1'000'000 / hz;
    snprintf(line, sizeof(line), "[ebbrt] boot time: %-28s done at %8llu us (took %llu us)\n",
             g_boot_steps[i].name, static_cast<unsigned long long>(at_us),
             static_cast<unsigned long long>(took_us));
    ConsolePrint(line);
    previous = g_boot_steps[i].tsc;
  }
}

// The memory line of the start-up report: free RAM, the identity map's page size, then the
// NUMA nodes (ACPI SRAT) with each node's free RAM and cores, e.g. "...; NUMA: 2 nodes
// (ACPI SRAT): node 0 126 MiB cores 0 1, node 1 126 MiB cores 2 3".
void PrintMemory(size_t cores) {
  using native::PageAllocator;
  char line[256];
  const size_t nodes = PageAllocator::NumNodes();
  int n = snprintf(line, sizeof(line),
                   "[ebbrt] memory: %zu MiB free for the page allocator, mapped in %s pages; NUMA: %zu node%s (%s)",
                   PageAllocator::FreePages() * PageAllocator::kPageSize >> 20,
                   x86_64::IdentityMapPageBytes() == (uint64_t{1} << 30) ? "1 GiB" : "2 MiB", nodes,
                   nodes == 1 ? "" : "s", native::NumaFromSrat() ? "ACPI SRAT" : "no ACPI SRAT");
  for (size_t node = 0; nodes > 1 && node < nodes && n < static_cast<int>(sizeof(line)) - 24; ++node) {
    n += snprintf(line + n, sizeof(line) - n, "%s node %zu %zu MiB cores", node == 0 ? ":" : ",", node,
                  PageAllocator::FreePages(node) * PageAllocator::kPageSize >> 20);
    for (size_t core = 0; core < cores && n < static_cast<int>(sizeof(line)) - 8; ++core) {
      if (PageAllocator::NodeOfCore(core) == node) n += snprintf(line + n, sizeof(line) - n, " %zu", core);
    }
  }
  if (n > static_cast<int>(sizeof(line)) - 2) n = sizeof(line) - 2;
  snprintf(line + n, sizeof(line) - n, "\n");
  ConsolePrint(line);
}

// The wall-clock line of the start-up report: where Unix time comes from and what it was,
// e.g. "[ebbrt] wall clock: CMOS RTC read at boot, century from CMOS byte 0x32 (FADT);
// 2026-11-28 20:58:07 UTC".
void PrintWallClock() {
  char line[192];
  Result<uint64_t> now_ns = native::RealTimeNs();
  char when[32] = "";
  if (now_ns.ok()) {
    const time_t seconds = static_cast<time_t>(now_ns.value() / 1'000'000'000);
    struct tm tm;
    strftime(when, sizeof(when), "; %Y-%m-%d %H:%M:%S UTC", gmtime_r(&seconds, &tm));
  }
  snprintf(line, sizeof(line), "[ebbrt] wall clock: %s%s\n", native::WallClockSource(), when);
  ConsolePrint(line);
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
  ebbrt::MarkBootStep("long mode (pvh_entry.S)");
  ebbrt::Uart16550(ebbrt::Uart16550::kCom1).Init();
  ebbrt::MarkBootStep("serial console");
  // CPU exceptions now print a report instead of triple-faulting (docs/boot.md step 9).
  ebbrt::x86_64::SetUpDescriptorTables();
  ebbrt::MarkBootStep("GDT, TSS, IDT");
  ebbrt::LoadSymbols(start_info_paddr);
  ebbrt::CopyCommandLine(start_info_paddr);
  ebbrt::MarkBootStep("symbols, command line");
  // RAM from the boot memory map into the page allocator: malloc and new work from here.
  ebbrt::native::InitMemory(start_info_paddr);
  ebbrt::MarkBootStep("page allocator");
  const uint64_t rsdp_paddr =
      reinterpret_cast<const ebbrt::native::HvmStartInfo*>(uintptr_t{start_info_paddr})->rsdp_paddr;
  // Null pointers fault; so does running off the bottom of the boot stack. Last of the
  // boot information readers: QEMU puts the start info and memory map in page 0.
  EBBRT_CHECK_OK(ebbrt::x86_64::UnmapPage(0));
  uintptr_t guard = reinterpret_cast<uintptr_t>(boot_stack);
  EBBRT_CHECK_OK(ebbrt::x86_64::UnmapPage(guard));
  ebbrt::x86_64::RegisterStackGuard(guard, "boot stack");
  ebbrt::MarkBootStep("null page, stack guard");
  // Guarded stacks (interrupt, secondary cores', events) from here; before any other core
  // copies this core's top-level page table (ebbrt/native/mem/vmem_allocator.h).
  EBBRT_CHECK_OK(ebbrt::native::VMemAllocator::Init());
  // EbbRefs work from here (their per-core table is demand-paged) ...
  ebbrt::native::InitTranslationRegion();
  // ... and so do the clock and the timer that wakes an idle event loop.
  ebbrt::x86_64::InitApicAndClock();
  ebbrt::MarkBootStep("APIC, clock calibration");
  // This CPU is core 0; the others (ACPI MADT) start and wait for ebbrt::Run.
  ebbrt::native::InitBootCore();
  // kvmclock replaces the calibrated TSC as NowNs() when KVM offers it. After
  // InitBootCore, because each core's structure is found through MyCore(); before the
  // other cores start, because they follow the boot core's choice.
  ebbrt::x86_64::InitKvmClock();
  ebbrt::MarkBootStep("clock source");
  // Unix time for the C library: kvmclock's, or the CMOS RTC's read now (wall_clock.h).
  ebbrt::native::InitWallClock(rsdp_paddr);
  ebbrt::MarkBootStep("wall clock");
  const size_t cores = ebbrt::native::StartSecondaryCores(rsdp_paddr);
  ebbrt::MarkBootStep("secondary cores (SMP)");
  ebbrt::RunGlobalConstructors();
  ebbrt::MarkBootStep("global constructors");
  // The QEMU test runner looks for this exact line as the start banner.
  ebbrt::ConsolePrint("[ebbrt] boot: native x86_64\n");
  // What the machine turned out to be.
  char line[256];
  int n = snprintf(line, sizeof(line), "[ebbrt] cores: %zu (APIC ids", cores);
  for (size_t core = 0; core < cores && n < static_cast<int>(sizeof(line)) - 16; ++core) {
    n += snprintf(line + n, sizeof(line) - n, " %u", ebbrt::native::ApicIdOf(core));
  }
  snprintf(line + n, sizeof(line) - n, ")\n");
  ebbrt::ConsolePrint(line);
  ebbrt::PrintMemory(cores);
  // Which clock NowNs() reads (kvmclock.h), and which APIC interface and timer mode CPUID
  // allowed (apic.h).
  const bool kvmclock = ebbrt::x86_64::KvmClockActive();
  snprintf(line, sizeof(line),
           "[ebbrt] clock: %s%s); TSC at %llu MHz, local APIC timer at %llu MHz (calibrated "
           "against the PIT); APIC: %s, timer: %s\n",
           kvmclock ? "kvmclock (" : "TSC (no kvmclock: ", ebbrt::x86_64::KvmClockStatus(),
           static_cast<unsigned long long>(ebbrt::x86_64::TscHz() / 1'000'000),
           static_cast<unsigned long long>(ebbrt::x86_64::ApicTimerHz() / 1'000'000),
           ebbrt::x86_64::ApicModeName(ebbrt::x86_64::CurrentApicMode()),
           ebbrt::x86_64::TimerModeName(ebbrt::x86_64::CurrentTimerMode()));
  ebbrt::ConsolePrint(line);
  ebbrt::PrintWallClock();
  // How PCI configuration space is reached (ECAM or port I/O); functions are enumerated
  // only when something asks (a driver, or this flag).
  ebbrt::pci::InitConfigSpace(rsdp_paddr);
  if (ebbrt::CommandLineHas("ebbrt.pci")) ebbrt::pci::PrintDevices();
  if (ebbrt::CommandLineHas("ebbrt.boottime")) ebbrt::PrintBootTimes();

  // As after a C main(): atexit handlers run and stdio buffers are flushed, then
  // _exit prints the done banner `[ebbrt] exit status=N` (AppMain's result
  // clamped to 0..127) and reports N to QEMU (ebbrt/native/libc/exit.cc).
  exit(ebbrt::AppMain());
}
