// SPDX-License-Identifier: Apache-2.0
// PageAllocator: the machine's physical memory in 4 KiB pages, handed out in naturally
// aligned power-of-two blocks (a buddy allocator), one buddy allocator per NUMA node.
//
// Memory is identity mapped (docs/boot.md), so a block's physical address is also the
// address code uses. Each NUMA node (ACPI SRAT; one node when there is none, see
// memory_map.h) has its own free lists, lock, counters and page-state table (a byte per
// page recording which pages head a free or allocated block, so frees are checked and
// buddies coalesce), carved from the node's own RAM. Buddies never merge across nodes:
// each node's table knows only its own pages. A core allocates from its own node first
// and, when that node has no block of the size asked for, from the others in index order
// after it (node+1, node+2, ..., wrapping); there is no distance table (SLIT) yet.
// Free blocks are linked through their own first bytes.
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
  // More proximity domains than this share node 0 (memory_map.cc).
  static constexpr size_t kMaxNodes = 16;

  // Boot (memory_map.cc), in this order: the number of nodes; then for each node the span
  // its pages lie in, which sizes its page-state table; then a first pass offering its
  // usable RAM to PlaceTable, range by range, until one is big enough to hold the table
  // (true from then on; false while none was); then a second pass handing every usable
  // range to AddRange (fatal for a node without its table), which leaves out the table's
  // pages. Two passes, so ranges before the one holding the table are not lost.
  static void SetNodeCount(size_t nodes);
  static void Init(size_t node, uintptr_t span_begin, uintptr_t span_end);
  [[nodiscard]] static bool PlaceTable(size_t node, uintptr_t begin, uintptr_t end);
  static void AddRange(size_t node, uintptr_t begin, uintptr_t end);
  // The node `core` allocates from first (smp.cc, before the core starts). Until
  // EnablePerCoreNodes() (once the boot core's GS base says which core runs) every
  // allocation is core 0's.
  static void SetCoreNode(size_t core, size_t node);
  static void EnablePerCoreNodes();

  // A block of 2^order pages, aligned to its size, from the calling core's node or, when
  // that node has none, from another; kOutOfMemory when no node has one.
  static Result<uintptr_t> Allocate(int order);
  // The same with `node` tried first.
  static Result<uintptr_t> Allocate(int order, size_t node);
  // From `node` only (no fallback): kOutOfMemory when that node has no such block.
  static Result<uintptr_t> AllocateOnNode(int order, size_t node);
  // A zeroed page for a paging structure, or 0 when memory is exhausted: the table
  // allocator x86_64::MapPage and UnmapPage take.
  static uintptr_t AllocatePageTable();
  // Returns a block from Allocate (any other address is a fatal error) to its node.
  static void Free(uintptr_t block);
  // The order of an allocated block's head, or -1 if `address` does not head one.
  static int AllocatedOrder(uintptr_t address);

  static size_t NumNodes();
  static size_t NodeOfCore(size_t core);

  // Machine-wide and per node.
  static size_t FreePages();
  static size_t TotalPages();
  static size_t FreePages(size_t node);
  static size_t TotalPages(size_t node);
};

}  // namespace ebbrt::native
