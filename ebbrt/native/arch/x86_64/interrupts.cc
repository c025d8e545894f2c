// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/arch/x86_64/interrupts.h"

#include <stddef.h>
#include <stdio.h>

#include <new>

#include "ebbrt/base/check.h"
#include "ebbrt/base/internal/fatal_backend.h"
#include "ebbrt/base/spin_lock.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/debug_exit.h"
#include "ebbrt/native/symbols.h"

extern "C" {
// 256 entry stubs, 16 bytes apart (interrupt_entry.S).
extern char ebbrt_interrupt_stubs[];
void ebbrt_native_interrupt(ebbrt::x86_64::InterruptFrame* frame);
}

namespace ebbrt::x86_64 {
namespace {

// 64-bit TSS. Intel SDM Vol. 3A §8.7, Figure 8-11.
struct [[gnu::packed]] Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

// 64-bit IDT gate. Intel SDM Vol. 3A §6.14.1, Figure 6-8.
struct [[gnu::packed]] IdtGate {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type_attributes;
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t reserved;
};
static_assert(sizeof(IdtGate) == 16);

struct [[gnu::packed]] TablePointer {
  uint16_t limit;
  uint64_t base;
};

constexpr uint16_t kKernelCode = 0x08;
constexpr uint16_t kKernelData = 0x10;
constexpr uint16_t kTssSelector = 0x18;

// Interrupt stack table slots (1-based in the gate's IST field).
constexpr uint8_t kDoubleFaultIst = 1;
constexpr uint8_t kNmiMachineCheckIst = 2;
constexpr uint8_t kPageFaultIst = 3;

alignas(16) IdtGate g_idt[256];

InterruptHandler g_handlers[256];

struct FaultRegion {
  uintptr_t begin;
  uintptr_t end;
  PageFaultHandler handler;
  FaultDescriber describe;
};
constexpr size_t kMaxFaultRegions = 8;
FaultRegion g_fault_regions[kMaxFaultRegions];
size_t g_fault_region_count = 0;

struct StackGuard {
  uintptr_t page = 0;
  const char* name = nullptr;
};
constexpr size_t kMaxGuards = 256;
StackGuard g_guards[kMaxGuards];
size_t g_guard_count = 0;
SpinLock g_guard_lock;  // Any core registers the guards of the stacks it allocates.

const char* const kExceptionNames[32] = {
    "#DE divide error",          "#DB debug",
    "NMI",                       "#BP breakpoint",
    "#OF overflow",              "#BR bound range exceeded",
    "#UD invalid opcode",        "#NM device not available",
    "#DF double fault",          "coprocessor segment overrun",
    "#TS invalid TSS",           "#NP segment not present",
    "#SS stack-segment fault",   "#GP general protection",
    "#PF page fault",            "reserved (15)",
    "#MF x87 floating point",    "#AC alignment check",
    "#MC machine check",         "#XM SIMD floating point",
    "#VE virtualization",        "#CP control protection",
    "reserved (22)",             "reserved (23)",
    "reserved (24)",             "reserved (25)",
    "reserved (26)",             "reserved (27)",
    "#HV hypervisor injection",  "#VC VMM communication",
    "#SX security",              "reserved (31)",
};

// Per core: a GDT (null, code, data, TSS descriptor) and a TSS whose interrupt stacks
// are the core's own, so two cores taking, say, page faults at once never share a stack.
// The GDT comes first: SGDT then finds the current core's tables.
struct CoreTables {
  alignas(16) uint64_t gdt[5];
  Tss tss;
};

CoreTables g_boot_core_tables;
// The boot core's interrupt stacks until SetInterruptStacks gives it guarded ones.
alignas(16) uint8_t g_boot_ist_stacks[3][kInterruptStackSize];
bool g_idt_built = false;

CoreTables& CurrentCoreTables() {
  TablePointer gdtr;
  asm volatile("sgdt %0" : "=m"(gdtr));
  return *reinterpret_cast<CoreTables*>(gdtr.base);
}

// Whether `rsp` is on this core's page fault stack: a #PF that interrupted the #PF
// handler, whose frames the CPU has just overwritten by restarting that stack.
bool OnPageFaultStack(uint64_t rsp) {
  uint64_t top = CurrentCoreTables().tss.ist[kPageFaultIst - 1];
  return rsp <= top && rsp >= top - kInterruptStackSize - kPageSize;
}

// The fatal report's writers (base/fatal.cc): the report may come from inside
// ConsoleWrite (a fault or NMI there), and they never wait forever for the console lock
// this core may hold (ebbrt/native/fatal_console.h).
void Print(const char* text) { base_internal::FatalPrint(text); }

void PrintHexField(const char* name, uint64_t value) {
  Print(name);
  Print("=");
  base_internal::FatalPrintHex(value);
}

void PrintSymbolized(uint64_t address) {
  const char* name;
  uintptr_t offset;
  base_internal::FatalPrintHex(address);
  if (native::LookupSymbol(address, &name, &offset)) {
    Print(" ");
    Print(name);
    Print("+");
    base_internal::FatalPrintHex(offset, 1);
  }
}

void SetGate(uint8_t vector, uint8_t ist) {
  uintptr_t handler = reinterpret_cast<uintptr_t>(ebbrt_interrupt_stubs) + 16u * vector;
  IdtGate& gate = g_idt[vector];
  gate.offset_low = static_cast<uint16_t>(handler);
  gate.selector = kKernelCode;
  gate.ist = ist;
  // Present, DPL 0, 64-bit interrupt gate (interrupts stay off in the handler).
  gate.type_attributes = 0x8e;
  gate.offset_mid = static_cast<uint16_t>(handler >> 16);
  gate.offset_high = static_cast<uint32_t>(handler >> 32);
  gate.reserved = 0;
}

[[noreturn]] void ReportException(const InterruptFrame& frame) {
  char line[192];
  const char* name = frame.vector < 32 ? kExceptionNames[frame.vector] : "unexpected interrupt";
  snprintf(line, sizeof(line), "[ebbrt] FATAL exception: %s (vector %llu) error_code=0x%llx\n",
           name, static_cast<unsigned long long>(frame.vector),
           static_cast<unsigned long long>(frame.error_code));
  Print(line);
  if (frame.vector == 14) {
    uint64_t cr2 = ReadCr2();
    // Error code bits: Intel SDM Vol. 3A §4.7, Figure 4-12.
    snprintf(line, sizeof(line), "[ebbrt]   page fault at cr2=0x%016llx: %s, %s access%s\n",
             static_cast<unsigned long long>(cr2),
             (frame.error_code & 1) ? "protection violation" : "page not present",
             (frame.error_code & 2) ? "write" : (frame.error_code & 16) ? "instruction fetch" : "read",
             cr2 < kPageSize ? " (null pointer dereference)" : "");
    Print(line);
    for (size_t i = 0; i < g_guard_count; ++i) {
      if (cr2 >= g_guards[i].page && cr2 < g_guards[i].page + kPageSize) {
        Print("[ebbrt]   the address is the guard page of the ");
        Print(g_guards[i].name);
        Print(": stack overflow\n");
      }
    }
    for (size_t i = 0; i < g_fault_region_count; ++i) {
      const FaultRegion& region = g_fault_regions[i];
      if (cr2 < region.begin || cr2 >= region.end || region.describe == nullptr) continue;
      char text[128];
      if (region.describe(cr2, text, sizeof(text))) {
        Print("[ebbrt]   the address is ");
        Print(text);
        Print("\n");
      }
    }
    if (OnPageFaultStack(frame.rsp)) {
      Print("[ebbrt]   the fault interrupted the page fault handler itself (its stack was "
            "restarted from the top, so frames below #0 may be lost)\n");
    }
  }
  Print("[ebbrt]   rip=");
  PrintSymbolized(frame.rip);
  Print("\n[ebbrt]   ");
  PrintHexField("rax", frame.rax);
  Print(" ");
  PrintHexField("rbx", frame.rbx);
  Print(" ");
  PrintHexField("rcx", frame.rcx);
  Print(" ");
  PrintHexField("rdx", frame.rdx);
  Print("\n[ebbrt]   ");
  PrintHexField("rsi", frame.rsi);
  Print(" ");
  PrintHexField("rdi", frame.rdi);
  Print(" ");
  PrintHexField("rbp", frame.rbp);
  Print(" ");
  PrintHexField("rsp", frame.rsp);
  Print("\n[ebbrt]   ");
  PrintHexField("r8", frame.r8);
  Print(" ");
  PrintHexField("r9", frame.r9);
  Print(" ");
  PrintHexField("r10", frame.r10);
  Print(" ");
  PrintHexField("r11", frame.r11);
  Print("\n[ebbrt]   ");
  PrintHexField("r12", frame.r12);
  Print(" ");
  PrintHexField("r13", frame.r13);
  Print(" ");
  PrintHexField("r14", frame.r14);
  Print(" ");
  PrintHexField("r15", frame.r15);
  Print("\n[ebbrt]   ");
  PrintHexField("rflags", frame.rflags);
  Print(" ");
  PrintHexField("cs", frame.cs);
  Print(" ");
  PrintHexField("ss", frame.ss);
  Print("\n[ebbrt] backtrace:\n  #0 ");
  PrintSymbolized(frame.rip);
  Print("\n");
  PrintBacktraceFrom(reinterpret_cast<const void*>(frame.rbp), 1);
  QemuDebugExit(kQemuFatalStatus);
}

}  // namespace

void SetInterruptHandler(uint8_t vector, InterruptHandler handler) {
  EBBRT_CHECK_MSG(vector >= 32, "vectors below 32 are CPU exceptions");
  g_handlers[vector] = handler;
}

void AddPageFaultRegion(uintptr_t begin, uintptr_t end, PageFaultHandler handler,
                        FaultDescriber describe) {
  EBBRT_CHECK_MSG(g_fault_region_count < kMaxFaultRegions, "too many page fault regions");
  g_fault_regions[g_fault_region_count++] = FaultRegion{begin, end, handler, describe};
}

bool HandleRecoverable(InterruptFrame& frame) {
  if (frame.vector == 14) {
    uintptr_t address = ReadCr2();
    // Only not-present faults in supervisor data accesses are demand paging.
    if (frame.error_code & 1) return false;
    // A fault inside the page fault handler restarted its stack over the handler's own
    // frames: returning would resume a corrupted handler.
    if (OnPageFaultStack(frame.rsp)) return false;
    for (size_t i = 0; i < g_fault_region_count; ++i) {
      const FaultRegion& region = g_fault_regions[i];
      if (address >= region.begin && address < region.end) return region.handler(address);
    }
    return false;
  }
  if (frame.vector >= 32 && g_handlers[frame.vector] != nullptr) {
    g_handlers[frame.vector](frame);
    return true;
  }
  return false;
}

void RegisterStackGuard(uintptr_t guard_page, const char* stack_name) {
  SpinLockGuard guard(g_guard_lock);
  for (size_t i = 0; i < g_guard_count; ++i) {
    if (g_guards[i].page == guard_page) {  // A reused stack block: relabel.
      g_guards[i].name = stack_name;
      return;
    }
  }
  // Only the label of overflow reports depends on this table: when full, a guard page
  // still faults and is reported, just without naming its stack.
  if (g_guard_count < kMaxGuards) g_guards[g_guard_count++] = StackGuard{guard_page, stack_name};
}

namespace {


void BuildIdt() {
  for (int vector = 0; vector < 256; ++vector) {
    uint8_t ist = 0;
    if (vector == 8) ist = kDoubleFaultIst;
    if (vector == 2 || vector == 18) ist = kNmiMachineCheckIst;
    // Its own stack, so a stack overflow (a fault on a guard page) can still be reported.
    if (vector == 14) ist = kPageFaultIst;
    SetGate(static_cast<uint8_t>(vector), ist);
  }
  g_idt_built = true;
}

void SetStacks(Tss& tss, const InterruptStacks& stacks) {
  tss.ist[kDoubleFaultIst - 1] = stacks.double_fault;
  tss.ist[kNmiMachineCheckIst - 1] = stacks.nmi_machine_check;
  tss.ist[kPageFaultIst - 1] = stacks.page_fault;
}

void LoadTables(CoreTables& tables, const InterruptStacks& stacks) {
  Tss& tss = tables.tss;
  SetStacks(tss, stacks);
  // No I/O permission bitmap: the offset points past the TSS limit.
  tss.iomap_base = sizeof(Tss);

  uint64_t base = reinterpret_cast<uint64_t>(&tss);
  uint64_t limit = sizeof(Tss) - 1;
  uint64_t* gdt = tables.gdt;
  gdt[0] = 0;
  gdt[1] = 0x00af9b000000ffff;  // 64-bit code, as the boot GDT (docs/boot.md step 5).
  gdt[2] = 0x00cf93000000ffff;  // Flat data.
  // Available 64-bit TSS (type 9), present. Intel SDM Vol. 3A §8.2.3, Figure 8-4.
  gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (uint64_t{0x89} << 40) |
           (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
  gdt[4] = base >> 32;

  TablePointer gdtr{sizeof(tables.gdt) - 1, reinterpret_cast<uint64_t>(gdt)};
  asm volatile(
      "lgdt %0\n\t"
      // Reload CS with a far return, then the data segments.
      "pushq %1\n\t"
      "leaq 1f(%%rip), %%rax\n\t"
      "pushq %%rax\n\t"
      "lretq\n"
      "1:\n\t"
      "movl %2, %%eax\n\t"
      "movl %%eax, %%ds\n\t"
      "movl %%eax, %%es\n\t"
      "movl %%eax, %%ss\n\t"
      "ltr %w3\n\t"
      :
      : "m"(gdtr), "i"(kKernelCode), "i"(kKernelData), "r"(kTssSelector)
      : "rax", "memory");

  TablePointer idtr{sizeof(g_idt) - 1, reinterpret_cast<uint64_t>(g_idt)};
  asm volatile("lidt %0" : : "m"(idtr) : "memory");
}

}  // namespace

void SetUpDescriptorTables() {
  BuildIdt();
  auto top = [](int i) { return reinterpret_cast<uintptr_t>(g_boot_ist_stacks[i] + kInterruptStackSize); };
  LoadTables(g_boot_core_tables, InterruptStacks{top(0), top(1), top(2)});
}

size_t CoreTablesSize() { return sizeof(CoreTables); }

void LoadCoreTables(void* memory, const InterruptStacks& stacks) {
  EBBRT_CHECK_MSG(g_idt_built, "LoadCoreTables before the boot core built the IDT");
  auto* tables = new (memory) CoreTables();
  LoadTables(*tables, stacks);
}

void SetInterruptStacks(const InterruptStacks& stacks) {
  // The CPU reads an IST entry when it delivers an interrupt through it, so the new
  // stacks apply from the next one; interrupts are off here, and an NMI or #MC would be
  // delivered on either the old stack or the new one, both valid.
  SetStacks(CurrentCoreTables().tss, stacks);
}

InterruptStacks CurrentInterruptStacks() {
  const Tss& tss = CurrentCoreTables().tss;
  return InterruptStacks{tss.ist[kDoubleFaultIst - 1], tss.ist[kNmiMachineCheckIst - 1],
                         tss.ist[kPageFaultIst - 1]};
}

}  // namespace ebbrt::x86_64

void ebbrt_native_interrupt(ebbrt::x86_64::InterruptFrame* frame) {
  if (ebbrt::x86_64::HandleRecoverable(*frame)) return;
  ebbrt::x86_64::ReportException(*frame);
}
