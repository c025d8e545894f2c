// SPDX-License-Identifier: Apache-2.0
// The boot CPU's descriptor tables and exception reports.
//
// SetUpDescriptorTables() replaces the boot GDT with one that also holds a TSS, whose
// interrupt stack table gives the double fault, NMI, machine check and page fault
// handlers stacks of their own (so a stack overflow still gets a report), and loads an
// IDT whose 256 entries all lead to HandleInterrupt(). Every CPU exception prints a
// report (vector, error code, registers, the faulting address for page faults, a
// symbolized backtrace) and stops the machine with a fatal status, unless it is a page
// fault in a region with a handler (demand paging). Vectors >= 32 go to the handler set
// for them; one without a handler is fatal.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ebbrt::x86_64 {

// What the entry stubs (interrupt_entry.S) save, lowest address first.
struct InterruptFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector;
  uint64_t error_code;  // 0 for vectors without one.
  // Pushed by the CPU (Intel SDM Vol. 3A §6.14.2).
  uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(InterruptFrame) == 22 * 8);

// On the boot core: builds the shared IDT and loads it with the boot core's GDT and TSS.
void SetUpDescriptorTables();

// Bytes of each interrupt stack (the TSS's IST entries).
inline constexpr size_t kInterruptStackSize = 16 * 1024;

// The tops of one core's interrupt stacks, each kInterruptStackSize bytes with a guard
// page below it (ebbrt/native/smp allocates them from the VMemAllocator): an overflow of
// any of them faults on its guard, and that #PF runs on the page fault stack. An overflow
// of the page fault stack itself faults again, and the CPU restarts the page fault stack
// from its top (IST entries are not nested); that second fault is always reported, never
// handled (the first handler's frames were overwritten). Intel SDM Vol. 3A §6.14.5.
struct InterruptStacks {
  uintptr_t double_fault;
  uintptr_t nmi_machine_check;
  uintptr_t page_fault;
};

// On another core: its own GDT and TSS, built in `memory` (at least CoreTablesSize()
// bytes, 16-byte aligned, never freed), with `stacks` in the TSS, and the shared IDT.
size_t CoreTablesSize();
void LoadCoreTables(void* memory, const InterruptStacks& stacks);

// Replaces this core's interrupt stacks: the boot core starts on unguarded static ones,
// since its TSS is loaded before there is any memory allocator.
void SetInterruptStacks(const InterruptStacks& stacks);
// This core's interrupt stacks (tests aim at their guard pages).
InterruptStacks CurrentInterruptStacks();

// A handler for a device, timer or IPI vector (>= 32); runs with interrupts off, on the
// interrupted stack, and must not block. The vector's end-of-interrupt is its business.
using InterruptHandler = void (*)(InterruptFrame& frame);
void SetInterruptHandler(uint8_t vector, InterruptHandler handler);

// Page faults in [begin, end) go to `handler(fault_address)`, which maps the page and
// returns true (the access is retried) or returns false (the fault is reported). A
// reported fault in the range is explained by `describe`, if given: it writes one line
// (e.g. "the guard page of the event stack: stack overflow") into `text` and returns
// true, or returns false to say nothing. It runs in the fatal report and must not wait
// for a lock the faulting code may hold.
using PageFaultHandler = bool (*)(uintptr_t fault_address);
using FaultDescriber = bool (*)(uintptr_t fault_address, char* text, size_t size);
void AddPageFaultRegion(uintptr_t begin, uintptr_t end, PageFaultHandler handler,
                        FaultDescriber describe = nullptr);

// Describes a stack range in the identity map (the boot stack) so a page fault inside its
// guard page is reported as an overflow of that stack. Stacks from the VMemAllocator are
// named by its regions instead.
void RegisterStackGuard(uintptr_t guard_page, const char* stack_name);

}  // namespace ebbrt::x86_64
