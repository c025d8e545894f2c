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

// On another core: its own GDT, TSS and interrupt stacks, built in `memory` (at least
// CoreTablesSize() bytes, 16-byte aligned, never freed), and the shared IDT.
size_t CoreTablesSize();
void LoadCoreTables(void* memory);

// A handler for a device, timer or IPI vector (>= 32); runs with interrupts off, on the
// interrupted stack, and must not block. The vector's end-of-interrupt is its business.
using InterruptHandler = void (*)(InterruptFrame& frame);
void SetInterruptHandler(uint8_t vector, InterruptHandler handler);

// Page faults in [begin, end) go to `handler(fault_address)`, which maps the page and
// returns true (the access is retried) or returns false (the fault is reported).
using PageFaultHandler = bool (*)(uintptr_t fault_address);
void AddPageFaultRegion(uintptr_t begin, uintptr_t end, PageFaultHandler handler);

// Describes a stack range so a page fault inside its guard page is reported as an
// overflow of that stack.
void RegisterStackGuard(uintptr_t guard_page, const char* stack_name);

}  // namespace ebbrt::x86_64
