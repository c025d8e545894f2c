// SPDX-License-Identifier: Apache-2.0
// The native translation region (ebbrt/native/platform/translation.h): demand-zero pages,
// mapped the first time a core touches an id's slot.
#include "ebbrt/native/translation.h"

#include "ebbrt/core/ebb_id.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/mem/vmem_allocator.h"
#include "ebbrt/platform/translation.h"

namespace ebbrt::native {

void InitTranslationRegion() {
  // Per core: every core has its own top-level table whose translation slot starts empty
  // (ebbrt/native/smp/smp.cc), so the page a core maps here on a fault is its own.
  x86_64::AddPageFaultRegion(platform::kTranslationRegion,
                             platform::kTranslationRegion + sizeof(void*) * kMaxEbbIds,
                             &VMemAllocator::MapZeroPage);
}

}  // namespace ebbrt::native
