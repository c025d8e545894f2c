// The native translation region (ebbrt/native/platform/translation.h): demand-zero pages,
// mapped the first time a core touches an id's slot.
#include "ebbrt/native/translation.h"

#include "ebbrt/core/ebb_id.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/platform/translation.h"

namespace ebbrt::native {
namespace {

bool MapZeroPage(uintptr_t address) {
  uintptr_t page = PageAllocator::AllocatePageTable();  // A zeroed page.
  if (page == 0) return false;  // Out of memory: reported as the page fault it is.
  return x86_64::MapPage(address & ~(PageAllocator::kPageSize - 1), page,
                         &PageAllocator::AllocatePageTable)
      .ok();
}

}  // namespace

void InitTranslationRegion() {
  // Per core: every core has its own top-level table whose translation slot starts empty
  // (ebbrt/native/smp/smp.cc), so the page a core maps here on a fault is its own.
  x86_64::AddPageFaultRegion(platform::kTranslationRegion,
                             platform::kTranslationRegion + sizeof(void*) * kMaxEbbIds,
                             &MapZeroPage);
}

}  // namespace ebbrt::native
