// SPDX-License-Identifier: Apache-2.0
// Native implementation of the event loop's platform hooks (ebbrt/event/internal/platform.h):
// the TSC clock, the local APIC timer to wake from hlt, device interrupts turned into
// events (device_interrupts.h), and event stacks from the VMemAllocator with a guard page
// below each.
#include <stdint.h>

#include "ebbrt/base/result.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/internal/platform.h"
#include "ebbrt/native/arch/x86_64/apic.h"
#include "ebbrt/native/device_interrupts.h"
#include "ebbrt/native/mem/vmem_allocator.h"
#include "ebbrt/native/smp/smp.h"

namespace ebbrt::event_internal {

uint64_t PlatformNowNs() { return x86_64::NowNs(); }

void PlatformWait(uint64_t deadline_ns) {
  if (deadline_ns != kNoDeadline) x86_64::ArmTimer(deadline_ns);
  // STI's one-instruction interrupt shadow covers HLT: an interrupt already pending (a
  // timer that fired, an IPI) wakes the HLT instead of being taken before it and lost.
  asm volatile("sti; hlt; cli" ::: "memory");
  native::QueuePendingVectorEvents();
}

void PlatformPoll() {
  // A core with idle handlers never sleeps, so this is where it takes device interrupts:
  // STI enables them only after the next instruction, so anything pending is taken
  // between the NOP and the CLI. Intel SDM Vol. 2B §4.3 (STI).
  asm volatile("sti; nop; cli" ::: "memory");
  native::QueuePendingVectorEvents();
}

void PlatformPollBusy() {
  // A core that always has events queued never sleeps or polls, and its device vectors
  // would stay pending for as long as that lasts: the same window, between two events.
  PlatformPoll();
}

void PlatformNotify(size_t core) {
  // A core never sleeps while its own events are queued, so waking itself needs nothing.
  if (core == MyCore()) return;
  x86_64::SendIpi(native::ApicIdOf(core), x86_64::kWakeVector);
}

void* PlatformAllocateStack(size_t size) {
  // Core-local (ebbrt/native/mem/vmem_allocator.h's TLB rule): an event stack is used
  // only by the core whose event manager allocated it, which is this one; the event
  // manager's destructor may free it from another core. Eagerly backed: a first touch of
  // a demand-zero stack page inside the page allocator would deadlock.
  Result<uintptr_t> stack = native::VMemAllocator::Allocate(native::VMemOptions{
      .size = size,
      .sharing = native::VMemSharing::kCoreLocal,
      .name = "event stack",
      .is_stack = true,
      .core = MyCore(),
  });
  return stack.ok() ? reinterpret_cast<void*>(stack.value()) : nullptr;
}

void PlatformFreeStack(void* base, size_t /*size*/) {
  native::VMemAllocator::Free(reinterpret_cast<uintptr_t>(base));
}

}  // namespace ebbrt::event_internal
