// SPDX-License-Identifier: Apache-2.0
// One deliberate fault around VMemAllocator regions per build (VMEM_FAULT, set by BUILD);
// each must end in a fatal report that names the region or stack. Never returns 0.
#include <stdint.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/mem/vmem_allocator.h"
#include "tests/native/recurse.h"

namespace {

using ebbrt::native::VMemAllocator;
using ebbrt::native::VMemOptions;
using native_test::Recurse;

[[gnu::noinline]] void Poke(uintptr_t address) { *reinterpret_cast<volatile int*>(address) = 1; }

uintptr_t TestRegion() {
  return VMemAllocator::Allocate(VMemOptions{.size = 8192, .name = "test region"}).value();
}

// A page fault handler that overflows the page fault stack it runs on.
bool RecursingFaultHandler(uintptr_t) { return Recurse(0) != 0; }

}  // namespace

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("vmem_fault_image: " VMEM_FAULT "\n");
  const auto stacks = ebbrt::x86_64::CurrentInterruptStacks();
  const uintptr_t below = ebbrt::x86_64::kInterruptStackSize + 8;
  constexpr const char* kFault = VMEM_FAULT;
  if (__builtin_strcmp(kFault, "event_stack_overflow") == 0) {
    return ebbrt::Run(1, [] { ebbrt::Stop(Recurse(0)); });
  }
  if (__builtin_strcmp(kFault, "region_guard") == 0) Poke(TestRegion() - 8);
  if (__builtin_strcmp(kFault, "use_after_free") == 0) {
    uintptr_t region = TestRegion();
    VMemAllocator::Free(region);
    Poke(region);
  }
  if (__builtin_strcmp(kFault, "double_fault_stack_guard") == 0) Poke(stacks.double_fault - below);
  if (__builtin_strcmp(kFault, "nmi_stack_guard") == 0) Poke(stacks.nmi_machine_check - below);
  if (__builtin_strcmp(kFault, "page_fault_stack_overflow") == 0) {
    // An unused top-level slot (slot 3): its faults go to the recursing handler.
    constexpr uintptr_t kRange = uintptr_t{3} << 39;
    ebbrt::x86_64::AddPageFaultRegion(kRange, kRange + 4096, &RecursingFaultHandler);
    Poke(kRange);
  }
  return 1;
}
