// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/mem/vmem_allocator.h"

#include <stdio.h>
#include <string.h>

#include "ebbrt/base/check.h"
#include "ebbrt/base/spin_lock.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/mem/page_allocator.h"

namespace ebbrt::native {
namespace {

constexpr size_t kPage = PageAllocator::kPageSize;
// Span orders 0..kMaxSpanOrder pages: up to the whole 512 GiB range.
constexpr int kMaxSpanOrder = 27;
static_assert((kPage << kMaxSpanOrder) == VMemAllocator::kEnd - VMemAllocator::kBase);

enum class SpanState : uint8_t { kLive, kFree, kRetired };

// One carved span: its region, or what is left of one that was freed. Spans are kept in
// address order (carved in that order and never removed), so a fault finds its span by
// binary search.
struct Span {
  uintptr_t begin;  // The first guard page.
  size_t pages;     // Backed pages above the guard pages.
  const char* name;
  uint32_t next_free;  // Index + 1 of the next free span of this order and core; 0 ends.
  uint16_t core;
  uint8_t order;
  uint8_t guard_pages;
  SpanState state;
  VMemBacking backing;
  VMemSharing sharing;
  bool is_stack;

  uintptr_t Region() const { return begin + guard_pages * kPage; }
  uintptr_t End() const { return begin + (kPage << order); }
};

// Guards everything below; never held across a fault in the range (the fault handler
// takes it).
SpinLock g_lock;
Span* g_spans = nullptr;  // A PageAllocator block of g_capacity spans.
size_t g_count = 0;
size_t g_capacity = 0;
int g_spans_order = -1;
uintptr_t g_next = VMemAllocator::kBase;  // Where the next span is carved.
size_t g_live = 0;
uint32_t g_free[kMaxCores][kMaxSpanOrder + 1];  // Index + 1 of each list's head.

int SpanOrder(size_t pages) {
  int order = 0;
  while ((size_t{1} << order) < pages) ++order;
  return order;
}

// Room for one more span record.
Status ReserveRecord() {
  if (g_count < g_capacity) return Status::Ok();
  int order = g_spans_order + 1;
  Result<uintptr_t> block = PageAllocator::Allocate(order);
  if (!block.ok()) return Status(StatusCode::kOutOfMemory, "VMemAllocator: no memory for span records");
  auto* spans = reinterpret_cast<Span*>(block.value());
  if (g_spans != nullptr) {
    memcpy(spans, g_spans, g_count * sizeof(Span));
    PageAllocator::Free(reinterpret_cast<uintptr_t>(g_spans));
  }
  g_spans = spans;
  g_spans_order = order;
  g_capacity = (kPage << order) / sizeof(Span);
  return Status::Ok();
}

// The span holding `address`, or nullptr.
Span* FindSpan(uintptr_t address) {
  size_t low = 0;
  size_t high = g_count;
  while (low < high) {  // First span beginning above `address`.
    size_t mid = (low + high) / 2;
    if (g_spans[mid].begin <= address) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  if (low == 0) return nullptr;
  Span& span = g_spans[low - 1];
  return address < span.End() ? &span : nullptr;
}

// Unmaps a span's backed pages and returns them to the PageAllocator (device memory is
// not the PageAllocator's: only unmapped).
void ReleasePages(const Span& span) {
  for (size_t i = 0; i < span.pages; ++i) {
    uintptr_t phys = x86_64::ClearPage(span.Region() + i * kPage);
    if (phys != 0 && span.backing != VMemBacking::kDevice) PageAllocator::Free(phys);
  }
}

void PutBack(size_t index) {
  Span& span = g_spans[index];
  if (span.sharing == VMemSharing::kShared) {
    span.state = SpanState::kRetired;
    return;
  }
  span.state = SpanState::kFree;
  uint32_t& head = g_free[span.core][span.order];
  span.next_free = head;
  head = static_cast<uint32_t>(index + 1);
}

// A free span of `order` for `core`, or a fresh one; its index.
Result<size_t> TakeSpan(int order, size_t core, VMemSharing sharing) {
  if (sharing == VMemSharing::kCoreLocal) {
    uint32_t& head = g_free[core][order];
    if (head != 0) {
      size_t index = head - 1;
      head = g_spans[index].next_free;
      // This core (the only one that touched the span) may still hold translations of the
      // freed region. Intel SDM Vol. 3A §4.10.4.1 (INVLPG). A big span is cheaper to drop
      // with the whole TLB than page by page (a 64 GiB span is 16M INVLPGs, under g_lock).
      constexpr size_t kFlushAllPages = 64;
      if ((g_spans[index].End() - g_spans[index].begin) / kPage > kFlushAllPages) {
        x86_64::FlushTlb();
      } else {
        for (uintptr_t page = g_spans[index].begin; page < g_spans[index].End(); page += kPage) {
          x86_64::InvalidatePage(page);
        }
      }
      return index;
    }
  }
  size_t bytes = kPage << order;
  if (VMemAllocator::kEnd - g_next < bytes) {
    return Status(StatusCode::kResourceExhausted, "VMemAllocator: virtual address range exhausted");
  }
  EBBRT_TRY(ReserveRecord());
  size_t index = g_count++;
  g_spans[index] = Span{};
  g_spans[index].begin = g_next;
  g_spans[index].order = static_cast<uint8_t>(order);
  g_next += bytes;
  return index;
}

bool HandleFault(uintptr_t address) {
  SpinLockGuard guard(g_lock);
  Span* span = FindSpan(address);
  if (span == nullptr || span->state != SpanState::kLive) return false;
  if (address < span->Region() || address >= span->Region() + span->pages * kPage) return false;
  if (span->backing != VMemBacking::kDemandZero) return false;
  return VMemAllocator::MapZeroPage(address);
}

bool DescribeFault(uintptr_t address, char* text, size_t size) {
  // The faulting code may hold the lock (a bug in this file); the report goes on without
  // the description rather than waiting forever.
  if (!g_lock.TryLockFor(1'000'000)) return false;
  Span* span = FindSpan(address);
  if (span == nullptr) {
    snprintf(text, size, "in the VMemAllocator's range, never allocated");
  } else if (span->state != SpanState::kLive) {
    snprintf(text, size, "in a freed VMemAllocator region (last: %s): use after free", span->name);
  } else if (address < span->Region()) {
    snprintf(text, size, "the guard page of the %s%s", span->name,
             span->is_stack ? ": stack overflow" : " (below the region's start)");
  } else if (address >= span->Region() + span->pages * kPage) {
    snprintf(text, size, "past the end of the %s (unused part of its span)", span->name);
  } else {
    snprintf(text, size, "in the %s", span->name);
  }
  g_lock.Unlock();
  return true;
}

}  // namespace

Status VMemAllocator::Init() {
  EBBRT_TRY(x86_64::ShareTopLevelSlot(kBase, &PageAllocator::AllocatePageTable));
  x86_64::AddPageFaultRegion(kBase, kEnd, &HandleFault, &DescribeFault);
  return Status::Ok();
}

Result<uintptr_t> VMemAllocator::Allocate(const VMemOptions& options) {
  if (options.size == 0 || options.size % kPage != 0 || options.guard_pages > 255 ||
      options.core >= kMaxCores || options.backing == VMemBacking::kDevice) {
    return Status(StatusCode::kInvalidArgument, "VMemAllocator: bad region options");
  }
  size_t pages = options.size / kPage;
  if (pages > (size_t{1} << kMaxSpanOrder) - options.guard_pages) {
    return Status(StatusCode::kResourceExhausted, "VMemAllocator: region larger than the range");
  }
  int order = SpanOrder(pages + options.guard_pages);
  SpinLockGuard guard(g_lock);
  size_t index = EBBRT_TRY(TakeSpan(order, options.core, options.sharing));
  Span& span = g_spans[index];
  span.pages = pages;
  span.guard_pages = static_cast<uint8_t>(options.guard_pages);
  span.name = options.name;
  span.core = static_cast<uint16_t>(options.core);
  span.backing = options.backing;
  span.sharing = options.sharing;
  span.is_stack = options.is_stack;
  span.next_free = 0;
  if (options.backing == VMemBacking::kEager) {
    for (size_t i = 0; i < pages; ++i) {
      Result<uintptr_t> page = PageAllocator::Allocate(0);
      Status mapped = page.ok() ? x86_64::MapPage(span.Region() + i * kPage, page.value(),
                                                  &PageAllocator::AllocatePageTable)
                                : page.status();
      if (!mapped.ok()) {
        if (page.ok()) PageAllocator::Free(page.value());
        ReleasePages(span);
        // Never handed out: the span can be reused whatever its sharing.
        span.sharing = VMemSharing::kCoreLocal;
        PutBack(index);
        return Status(StatusCode::kOutOfMemory, "VMemAllocator: no memory to back the region");
      }
    }
  }
  span.state = SpanState::kLive;
  ++g_live;
  return span.Region();
}

Result<uintptr_t> VMemAllocator::MapDevice(uint64_t paddr, size_t size, const char* name) {
  constexpr uint64_t kPhysicalLimit = uint64_t{1} << 52;  // Intel SDM Vol. 3A §4.1.4 (MAXPHYADDR)
  if (size == 0 || paddr >= kPhysicalLimit || size > kPhysicalLimit - paddr) {
    return Status(StatusCode::kInvalidArgument, "VMemAllocator::MapDevice: bad range");
  }
  const uint64_t first_page = paddr & ~uint64_t{kPage - 1};
  const size_t pages = (paddr + size - first_page + kPage - 1) / kPage;
  if (pages > (size_t{1} << kMaxSpanOrder) - 1) {
    return Status(StatusCode::kResourceExhausted, "VMemAllocator: region larger than the range");
  }
  SpinLockGuard guard(g_lock);
  // Shared: a device's registers are reached from every core (its queues' cores).
  size_t index = EBBRT_TRY(TakeSpan(SpanOrder(pages + 1), 0, VMemSharing::kShared));
  Span& span = g_spans[index];
  span.pages = pages;
  span.guard_pages = 1;
  span.name = name;
  span.core = 0;
  span.backing = VMemBacking::kDevice;
  span.sharing = VMemSharing::kShared;
  span.is_stack = false;
  span.next_free = 0;
  for (size_t i = 0; i < pages; ++i) {
    Status mapped = x86_64::MapPage(span.Region() + i * kPage, first_page + i * kPage,
                                    &PageAllocator::AllocatePageTable, x86_64::CacheType::kUncached);
    if (!mapped.ok()) {
      ReleasePages(span);
      span.sharing = VMemSharing::kCoreLocal;  // never handed out: reusable
      PutBack(index);
      return Status(StatusCode::kOutOfMemory, "VMemAllocator: no memory for device page tables");
    }
  }
  span.state = SpanState::kLive;
  ++g_live;
  return span.Region() + (paddr - first_page);
}

void VMemAllocator::Free(uintptr_t region) {
  SpinLockGuard guard(g_lock);
  Span* span = FindSpan(region);
  // A device mapping is freed by the address MapDevice returned, which keeps the device
  // address's offset in its first page.
  const uintptr_t start = span != nullptr && span->backing == VMemBacking::kDevice
                              ? region & ~uintptr_t{kPage - 1}
                              : region;
  EBBRT_CHECK_MSG(span != nullptr && span->state == SpanState::kLive && span->Region() == start,
                  "VMemAllocator::Free of an address that is not a live region");
  ReleasePages(*span);
  --g_live;
  PutBack(static_cast<size_t>(span - g_spans));
}

bool VMemAllocator::MapZeroPage(uintptr_t address) {
  uintptr_t page = PageAllocator::AllocatePageTable();  // A zeroed page.
  if (page == 0) return false;  // Out of memory: reported as the page fault it is.
  Status mapped = x86_64::MapPage(address & ~(kPage - 1), page, &PageAllocator::AllocatePageTable);
  if (!mapped.ok()) PageAllocator::Free(page);
  // kAlreadyExists: another core's fault on the same page mapped it first; the access is
  // retried and finds that page.
  return mapped.ok() || mapped.code() == StatusCode::kAlreadyExists;
}

size_t VMemAllocator::LiveRegions() {
  SpinLockGuard guard(g_lock);
  return g_live;
}

}  // namespace ebbrt::native
