// SPDX-License-Identifier: Apache-2.0
// Starting the machine's other CPUs as EbbRT cores, and what every core knows of itself.
//
// StartSecondaryCores() (boot CPU, once) finds the CPUs in the ACPI MADT, wakes each with
// INIT-SIPI-SIPI through the real-mode trampoline (trampoline.S), and gives each its own
// stack, GDT/TSS with interrupt stacks (all from the VMemAllocator, each with a guard page),
// local APIC set-up, and top-level page table (the Ebb translation region differs per
// core; the VMemAllocator's slot is shared). Started cores wait, halted, for ebbrt::Run.
// Each core finds its index through its GS base (MyCore()).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ebbrt::native {

// The boot CPU is core 0: sets its GS base and gives it guarded interrupt stacks (after
// VMemAllocator::Init).
void InitBootCore();
// Returns how many cores run (boot core included).
size_t StartSecondaryCores(uint64_t rsdp_paddr);

// The local APIC id of `core`.
uint32_t ApicIdOf(size_t core);

// For ebbrt::Run (native runtime.cc): the body each secondary core runs when a Run
// starts (its event loop), set before WakeSecondaryCores(n) wakes cores 1..n-1.
using CoreRunFn = void (*)(size_t core);
void WakeSecondaryCores(size_t num_cores, CoreRunFn run);

}  // namespace ebbrt::native
