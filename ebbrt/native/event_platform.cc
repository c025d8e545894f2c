// Native implementation of the event loop's platform hooks (ebbrt/event/internal/platform.h):
// the TSC clock, the local APIC timer to wake from hlt, device interrupts turned into
// events (device_interrupts.h), and event stacks from the page allocator with an
// unmapped guard page below each.
#include <stdint.h>

#include "ebbrt/base/check.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/internal/platform.h"
#include "ebbrt/native/arch/x86_64/apic.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/device_interrupts.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/native/smp/smp.h"

namespace ebbrt::event_internal {
namespace {

constexpr size_t kPage = x86_64::kPageSize;

// A stack of `size` bytes sits in the top half of a block twice its size, whose page just
// below the stack is unmapped as the guard. (Half the block is unused: the VMemAllocator
// of the memory issue will give stacks virtual regions with guards and no waste.)
int StackBlockOrder(size_t size) {
  int order = 0;
  while ((kPage << order) < 2 * size) ++order;
  return order;
}

}  // namespace

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

void PlatformNotify(size_t core) {
  // A core never sleeps while its own events are queued, so waking itself needs nothing.
  if (core == MyCore()) return;
  x86_64::SendIpi(native::ApicIdOf(core), x86_64::kWakeVector);
}

void* PlatformAllocateStack(size_t size) {
  Result<uintptr_t> block = native::PageAllocator::Allocate(StackBlockOrder(size));
  if (!block.ok()) return nullptr;
  uintptr_t stack = block.value() + size;
  uintptr_t guard = stack - kPage;
  if (!x86_64::UnmapPage(guard, &native::PageAllocator::AllocatePageTable).ok()) {
    native::PageAllocator::Free(block.value());
    return nullptr;
  }
  x86_64::RegisterStackGuard(guard, "event stack");
  return reinterpret_cast<void*>(stack);
}

void PlatformFreeStack(void* base, size_t size) {
  uintptr_t stack = reinterpret_cast<uintptr_t>(base);
  EBBRT_CHECK_OK(x86_64::RemapPage(stack - kPage));
  native::PageAllocator::Free(stack - size);
}

}  // namespace ebbrt::event_internal
