#include "ebbrt/native/mem/memory_map.h"

#include <stddef.h>
#include <stdio.h>

#include "ebbrt/base/check.h"
#include "ebbrt/base/console.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/native/start_info.h"

extern "C" char __image_start[];
extern "C" char _end[];

namespace ebbrt::native {
namespace {

constexpr uint32_t kE820Ram = 1;
constexpr uint64_t kLowMemoryEnd = 1 << 20;
constexpr uint64_t kIdentityMapEnd = uint64_t{4} << 30;
constexpr size_t kMaxReserved = 16;

struct Range {
  uint64_t begin;
  uint64_t end;
};

Range g_reserved[kMaxReserved];
size_t g_reserved_count = 0;

void Reserve(uint64_t begin, uint64_t size) {
  EBBRT_CHECK_MSG(g_reserved_count < kMaxReserved, "too many reserved memory ranges");
  g_reserved[g_reserved_count++] = Range{begin, begin + size};
}

// Adds [begin, end) minus every reserved range.
void AddUsable(uint64_t begin, uint64_t end) {
  if (begin >= end) return;
  for (size_t i = 0; i < g_reserved_count; ++i) {
    const Range& r = g_reserved[i];
    if (r.end <= begin || r.begin >= end) continue;
    AddUsable(begin, r.begin);
    AddUsable(r.end, end);
    return;
  }
  PageAllocator::AddRange(begin, end);
}

}  // namespace

void InitMemory(uint32_t start_info_paddr) {
  const auto* info = reinterpret_cast<const HvmStartInfo*>(uintptr_t{start_info_paddr});
  EBBRT_CHECK_MSG(info != nullptr && info->magic == kHvmStartMagic, "no PVH start info");
  EBBRT_CHECK_MSG(info->version >= 1 && info->memmap_entries > 0,
                  "the boot loader passed no memory map (PVH start info version < 1)");
  const auto* map = reinterpret_cast<const HvmMemmapEntry*>(info->memmap_paddr);

  Reserve(0, kLowMemoryEnd);
  Reserve(reinterpret_cast<uintptr_t>(__image_start),
          reinterpret_cast<uintptr_t>(_end) - reinterpret_cast<uintptr_t>(__image_start));
  Reserve(start_info_paddr, sizeof(HvmStartInfo));
  Reserve(info->memmap_paddr, sizeof(HvmMemmapEntry) * info->memmap_entries);
  if (info->nr_modules > 0) {
    Reserve(info->modlist_paddr, sizeof(HvmModlistEntry) * info->nr_modules);
    const auto* modules = reinterpret_cast<const HvmModlistEntry*>(info->modlist_paddr);
    for (uint32_t i = 0; i < info->nr_modules && g_reserved_count < kMaxReserved; ++i) {
      Reserve(modules[i].paddr, modules[i].size);
    }
  }

  uint64_t span_begin = kIdentityMapEnd;
  uint64_t span_end = 0;
  for (uint32_t i = 0; i < info->memmap_entries; ++i) {
    if (map[i].type != kE820Ram) continue;
    uint64_t begin = map[i].addr;
    uint64_t end = map[i].addr + map[i].size;
    if (end > kIdentityMapEnd) end = kIdentityMapEnd;
    if (begin < kLowMemoryEnd) begin = kLowMemoryEnd;
    if (begin >= end) continue;
    if (begin < span_begin) span_begin = begin;
    if (end > span_end) span_end = end;
  }
  EBBRT_CHECK_MSG(span_begin < span_end, "no usable RAM between 1 MiB and 4 GiB");
  PageAllocator::Init(span_begin, span_end);
  for (uint32_t i = 0; i < info->memmap_entries; ++i) {
    if (map[i].type != kE820Ram) continue;
    uint64_t end = map[i].addr + map[i].size;
    AddUsable(map[i].addr, end > kIdentityMapEnd ? kIdentityMapEnd : end);
  }
  EBBRT_CHECK_MSG(PageAllocator::TotalPages() > 0, "no RAM for the page allocator");
}

}  // namespace ebbrt::native
