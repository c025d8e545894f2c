// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/smp/smp.h"

#include <stdio.h>
#include <string.h>

#include <atomic>

#include "ebbrt/base/check.h"
#include "ebbrt/base/console.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/native/acpi.h"
#include "ebbrt/native/arch/x86_64/apic.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/arch/x86_64/kvmclock.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/libc/reent.h"
#include "ebbrt/native/mem/memory_map.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/native/mem/vmem_allocator.h"

extern "C" {
extern char ebbrt_trampoline_start[];
extern char ebbrt_trampoline_end[];
extern uint64_t ebbrt_trampoline_cr3;
extern uint64_t ebbrt_trampoline_efer;
extern uint64_t ebbrt_trampoline_stack;
extern uint64_t ebbrt_trampoline_core;
extern uint64_t ebbrt_trampoline_entry;
[[noreturn]] void ebbrt_native_ap_start(uint64_t core);
}

namespace ebbrt {
namespace native {
namespace {

constexpr uintptr_t kTrampolineBase = 0x8000;  // trampoline.S's TRAMPOLINE_BASE
constexpr uint32_t kGsBaseMsr = 0xc0000101;
constexpr uint32_t kEferMsr = 0xc0000080;
constexpr size_t kCoreStackSize = 64 * 1024;
constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;

// What GS points at on each core. MyCore() reads `index` with one %gs-relative load.
struct alignas(64) CoreData {
  size_t index;
};
CoreData g_core_data[kMaxCores];
uint32_t g_apic_ids[kMaxCores];
std::atomic<size_t> g_num_cores{1};
std::atomic<bool> g_core_started{false};

// Run hand-off to secondary cores.
std::atomic<uint64_t> g_run_generation{0};
std::atomic<size_t> g_run_cores{0};
std::atomic<CoreRunFn> g_run_fn{nullptr};

void SetCoreIndex(size_t core) {
  g_core_data[core].index = core;
  x86_64::WriteMsr(kGsBaseMsr, reinterpret_cast<uint64_t>(&g_core_data[core]));
  // The C library's errno and static state are per core from here (MyCore() works).
  InitCoreReent(core);
}

// Trampoline words live in the copy at kTrampolineBase, at their offset in the original.
uint64_t* TrampolineWord(uint64_t* original) {
  return reinterpret_cast<uint64_t*>(kTrampolineBase + (reinterpret_cast<char*>(original) -
                                                         ebbrt_trampoline_start));
}

// From `core`'s NUMA node first: its stack and page table are its own memory.
uintptr_t AllocateOrDie(int order, size_t core, const char* what) {
  Result<uintptr_t> block = PageAllocator::Allocate(order, PageAllocator::NodeOfCore(core));
  EBBRT_CHECK_MSG(block.ok(), what);
  return block.value();
}

// A copy of the boot core's top-level page table without the Ebb translation region's
// entry (slot 1): the identity map (slot 0) and the VMemAllocator's range (slot 2, whose
// table VMemAllocator::Init made before any core started) are shared, the region is per core.
uintptr_t CoreTopLevelTable(size_t core) {
  uintptr_t table = AllocateOrDie(0, core, "no memory for a core's page table");
  memcpy(reinterpret_cast<void*>(table),
         reinterpret_cast<const void*>(x86_64::ReadCr3() & kAddressMask),
         PageAllocator::kPageSize);
  reinterpret_cast<uint64_t*>(table)[1] = 0;
  return table;
}

// A stack with a guard page below it (never freed: cores live as long as the VM); its top.
uintptr_t AllocateStackOrDie(size_t size, const char* name, VMemSharing sharing, size_t core) {
  Result<uintptr_t> stack = VMemAllocator::Allocate(
      VMemOptions{.size = size, .sharing = sharing, .name = name, .is_stack = true, .core = core});
  EBBRT_CHECK_MSG(stack.ok(), "no memory for a core's stack");
  return stack.value() + size;
}

// This core's interrupt stacks, each with its guard page. Core-local: allocated on the
// core that uses them.
x86_64::InterruptStacks AllocateInterruptStacks(size_t core) {
  constexpr size_t kSize = x86_64::kInterruptStackSize;
  constexpr VMemSharing kLocal = VMemSharing::kCoreLocal;
  return x86_64::InterruptStacks{
      .double_fault = AllocateStackOrDie(kSize, "double fault stack", kLocal, core),
      .nmi_machine_check = AllocateStackOrDie(kSize, "NMI/machine check stack", kLocal, core),
      .page_fault = AllocateStackOrDie(kSize, "page fault stack", kLocal, core),
  };
}

bool StartCore(size_t core, uint32_t apic_id) {
  PageAllocator::SetCoreNode(core, NumaNodeOfApicId(apic_id));
  // Its stack, allocated here for another core: shared in the VMemAllocator's terms.
  uintptr_t stack_top =
      AllocateStackOrDie(kCoreStackSize, "secondary core stack", VMemSharing::kShared, core);

  *TrampolineWord(&ebbrt_trampoline_cr3) = CoreTopLevelTable(core);
  *TrampolineWord(&ebbrt_trampoline_efer) = x86_64::ReadMsr(kEferMsr);
  *TrampolineWord(&ebbrt_trampoline_stack) = stack_top;
  *TrampolineWord(&ebbrt_trampoline_core) = core;
  *TrampolineWord(&ebbrt_trampoline_entry) = reinterpret_cast<uint64_t>(&ebbrt_native_ap_start);
  g_apic_ids[core] = apic_id;
  g_core_started.store(false, std::memory_order_release);

  // INIT, then up to two STARTUP IPIs. Intel SDM Vol. 3A §8.4.4.1. The 10 ms wait after
  // INIT is for physical CPUs; a hypervisor (CPUID.1:ECX[31]) delivers INIT at once, so
  // there the wait would only burn 10 ms per CPU of boot time.
  x86_64::SendInitIpi(apic_id);
  if (!x86_64::CpuHas(x86_64::kCpuidHypervisor)) x86_64::DelayNs(10'000'000);
  uint8_t page = static_cast<uint8_t>(kTrampolineBase >> 12);
  for (int attempt = 0; attempt < 2; ++attempt) {
    x86_64::SendStartupIpi(apic_id, page);
    uint64_t until = x86_64::NowNs() + (attempt == 0 ? 1'000'000 : 100'000'000);
    while (x86_64::NowNs() < until) {
      if (g_core_started.load(std::memory_order_acquire)) return true;
      // Halt until a short timer rather than spin: under an emulator that runs vCPUs in
      // turn (TCG, -icount), a spinning boot CPU keeps the new CPU from running at all.
      x86_64::ArmTimer(x86_64::NowNs() + 20'000);
      asm volatile("sti; hlt; cli" ::: "memory");
    }
  }
  return g_core_started.load(std::memory_order_acquire);
}

// `seen` is the Run generation read before this core announced itself as started: a Run
// can only begin after that announcement, so its generation is always newer. (Reading it
// here instead lost the wake-up of a Run that began in between: the core then halted
// forever with the Run waiting for it.)
[[noreturn]] void SecondaryCoreIdle(size_t core, uint64_t seen) {
  while (true) {
    // Halt until a Run wakes us (WakeSecondaryCores sends the wake IPI).
    asm volatile("sti; hlt; cli" ::: "memory");
    uint64_t generation = g_run_generation.load(std::memory_order_acquire);
    if (generation == seen) continue;
    seen = generation;
    if (core < g_run_cores.load(std::memory_order_acquire)) {
      g_run_fn.load(std::memory_order_acquire)(core);
    }
  }
}

}  // namespace

void InitBootCore() {
  SetCoreIndex(0);
  g_apic_ids[0] = x86_64::LocalApicId();
  // MyCore() works from here, so the page allocator can ask it for the caller's node
  // (InitMemory gave core 0 the boot CPU's node).
  PageAllocator::EnablePerCoreNodes();
  // Guarded interrupt stacks replace the static ones the boot core started with.
  x86_64::SetInterruptStacks(AllocateInterruptStacks(0));
}

size_t StartSecondaryCores(uint64_t rsdp_paddr) {
  uint32_t apic_ids[kMaxCores];
  size_t cpus = FindCpuApicIds(rsdp_paddr, apic_ids, kMaxCores);
  if (cpus <= 1) return 1;
  size_t trampoline_size = static_cast<size_t>(ebbrt_trampoline_end - ebbrt_trampoline_start);
  EBBRT_CHECK(trampoline_size <= x86_64::kPageSize);
  memcpy(reinterpret_cast<void*>(kTrampolineBase), ebbrt_trampoline_start, trampoline_size);
  uint32_t boot_apic = g_apic_ids[0];
  size_t next = 1;
  for (size_t i = 0; i < cpus && next < kMaxCores; ++i) {
    if (apic_ids[i] == boot_apic) continue;
    if (StartCore(next, apic_ids[i])) {
      ++next;
    } else {
      // The CPU's stack and top-level page table stay allocated (a page and a stack per CPU
      // that fails, which is rare). Freeing them would be safe only if the CPU could never
      // run afterwards, and that cannot be known: a STARTUP IPI may be acted on after the
      // 100 ms wait (a slow or overcommitted host), and then the CPU loads CR3 and %rsp from
      // the trampoline words it reads, which may still be these (the VMemAllocator and page
      // allocator would have given the memory to someone else by then). Neither another
      // INIT nor the xAPIC's delivery status proves it stopped (x2APIC has no delivery
      // status at all), so the leak is the safe choice. Such a late CPU could equally read
      // the next core's trampoline words; nothing here guards against that yet.
      char line[96];
      snprintf(line, sizeof(line), "[ebbrt] CPU with APIC id %u did not start; continuing without it\n",
               apic_ids[i]);
      ConsolePrint(line);
    }
  }
  g_num_cores.store(next, std::memory_order_release);
  return next;
}

uint32_t ApicIdOf(size_t core) { return g_apic_ids[core]; }

void WakeSecondaryCores(size_t num_cores, CoreRunFn run) {
  g_run_fn.store(run, std::memory_order_release);
  g_run_cores.store(num_cores, std::memory_order_release);
  g_run_generation.fetch_add(1, std::memory_order_acq_rel);
  for (size_t core = 1; core < num_cores; ++core) x86_64::SendIpi(g_apic_ids[core], x86_64::kWakeVector);
}

}  // namespace native

// ebbrt/core/cpu.h natively.
bool OnCore() { return true; }

size_t MyCore() {
  size_t index;
  asm volatile("movq %%gs:0, %0" : "=r"(index));
  return index;
}

size_t NumCores() { return native::g_num_cores.load(std::memory_order_acquire); }

}  // namespace ebbrt

void ebbrt_native_ap_start(uint64_t core) {
  // A CPU that starts late (after the boot CPU gave up on it and rewrote the trampoline's
  // data for the next one) would otherwise run as another core on that core's stack.
  // The id comes from CPUID: this CPU's local APIC is still in xAPIC mode here, and the
  // boot core's may be in x2APIC mode (LocalApicId() reads in that mode).
  if (ebbrt::x86_64::InitialApicId() != ebbrt::native::ApicIdOf(core)) {
    while (true) asm volatile("cli; hlt");
  }
  ebbrt::native::SetCoreIndex(core);
  // Its own GDT, TSS and interrupt stacks (never freed: the core lives as long as the VM).
  size_t bytes = ebbrt::x86_64::CoreTablesSize();
  int order = 0;
  while ((ebbrt::native::PageAllocator::kPageSize << order) < bytes) ++order;
  uintptr_t tables =
      ebbrt::native::AllocateOrDie(order, core, "no memory for a core's descriptor tables");
  ebbrt::x86_64::LoadCoreTables(reinterpret_cast<void*>(tables),
                                ebbrt::native::AllocateInterruptStacks(core));
  // Its own kvmclock structure (when kvmclock is the clock) before anything reads the time.
  ebbrt::x86_64::InitKvmClockOnSecondaryCore();
  ebbrt::x86_64::InitApicOnSecondaryCore();
  uint64_t generation = ebbrt::native::g_run_generation.load(std::memory_order_acquire);
  ebbrt::native::g_core_started.store(true, std::memory_order_release);
  ebbrt::native::SecondaryCoreIdle(core, generation);
}
