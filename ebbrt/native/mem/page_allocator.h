// PageAllocator: the machine's physical memory in 4 KiB pages, handed out in naturally
// aligned power-of-two blocks (a buddy allocator).
//
// Memory is identity mapped (docs/boot.md), so a block's physical address is also the
// address code uses. One allocator serves the machine: NUMA nodes (ACPI SRAT) get one
// each when SMP and ACPI parsing arrive. Free blocks are linked through their own first
// bytes; a byte per page records which pages head a free or allocated block, so frees
// are checked and buddies coalesce.
//
//   uintptr_t block = EBBRT_TRY(PageAllocator::Allocate(2));   // 16 KiB, 16 KiB aligned
//   PageAllocator::Free(block);
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/result.h"

namespace ebbrt::native {

class PageAllocator {
 public:
  static constexpr size_t kPageSize = 4096;
  // Largest block: 2^18 pages = 1 GiB.
  static constexpr int kMaxOrder = 18;

  // Takes ownership of the usable RAM in [begin, end) ranges given by AddRange, after
  // Init(span) sized the page-state table for pages in [span_begin, span_end). The table
  // is carved from the first range added that can hold it.
  static void Init(uintptr_t span_begin, uintptr_t span_end);
  static void AddRange(uintptr_t begin, uintptr_t end);

  // A block of 2^order pages, aligned to its size; kOutOfMemory when none is free.
  static Result<uintptr_t> Allocate(int order);
  // A zeroed page for a paging structure, or 0 when memory is exhausted: the table
  // allocator x86_64::MapPage and UnmapPage take.
  static uintptr_t AllocatePageTable();
  // Returns a block from Allocate (any other address is a fatal error).
  static void Free(uintptr_t block);
  // The order of an allocated block's head, or -1 if `address` does not head one.
  static int AllocatedOrder(uintptr_t address);

  static size_t FreePages();
  static size_t TotalPages();
};

}  // namespace ebbrt::native
