// SPDX-License-Identifier: Apache-2.0
// Native allocator stress (runs in QEMU): the PageAllocator hands out aligned,
// non-overlapping blocks until memory runs out, refuses cleanly, and coalesces everything
// back on free; the GeneralPurposeAllocator (malloc/new) survives a long random mix of
// sizes and alignments with every block intact. One TEST each.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebbrt/base/xorshift.h"
#include "ebbrt/native/mem/general_purpose_allocator.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::native::GeneralPurposeAllocator;
using ebbrt::native::PageAllocator;

// One sequence for the whole image, so a failure reproduces.
ebbrt::XorShift64Star g_rng(0x2545f4914f6cdd1dull);
uint64_t Next() { return g_rng.Next(); }

// Marks a block's first and last words with its own address, so overlap shows.
void Mark(uintptr_t block, size_t bytes) {
  *reinterpret_cast<uint64_t*>(block) = block;
  *reinterpret_cast<uint64_t*>(block + bytes - 8) = ~block;
}
bool Marked(uintptr_t block, size_t bytes) {
  return *reinterpret_cast<uint64_t*>(block) == block &&
         *reinterpret_cast<uint64_t*>(block + bytes - 8) == ~block;
}

struct Block {
  uintptr_t address;
  int order;
};

TEST(AllocatorStressTest, PageAllocatorUntilExhausted) {
  const size_t free_before = PageAllocator::FreePages();
  constexpr size_t kMaxBlocks = 40000;
  static Block blocks[kMaxBlocks];
  size_t count = 0;
  size_t pages = 0;
  // Orders 0..4 at random until the allocator says no.
  while (count < kMaxBlocks) {
    int order = static_cast<int>(Next() % 5);
    auto block = PageAllocator::Allocate(order);
    if (!block.ok()) {
      // Maybe only smaller blocks are left: take those too.
      bool any = false;
      for (int smaller = order - 1; smaller >= 0 && !any; --smaller) {
        auto small = PageAllocator::Allocate(smaller);
        if (small.ok()) {
          blocks[count++] = Block{small.value(), smaller};
          pages += size_t{1} << smaller;
          any = true;
        }
      }
      if (!any) {
        EXPECT_EQ(block.status().code(), ebbrt::StatusCode::kOutOfMemory) << "exhaustion";
        break;
      }
      continue;
    }
    size_t bytes = PageAllocator::kPageSize << order;
    EXPECT_EQ(block.value() & (bytes - 1), 0u) << "block aligned to its size, order " << order;
    blocks[count++] = Block{block.value(), order};
    pages += size_t{1} << order;
  }
  EXPECT_LT(count, kMaxBlocks) << "memory ran out before the block table did";
  EXPECT_EQ(PageAllocator::FreePages(), 0u) << "every page handed out";
  EXPECT_EQ(pages, free_before) << "pages handed out == pages that were free";
  for (size_t i = 0; i < count; ++i) Mark(blocks[i].address, PageAllocator::kPageSize << blocks[i].order);
  size_t intact = 0;
  for (size_t i = 0; i < count; ++i) {
    intact += Marked(blocks[i].address, PageAllocator::kPageSize << blocks[i].order);
  }
  EXPECT_EQ(intact, count) << "no two blocks overlap";
  // Free in a scrambled order; buddies must coalesce back.
  for (size_t i = count; i > 1; --i) {
    size_t j = Next() % i;
    Block t = blocks[i - 1];
    blocks[i - 1] = blocks[j];
    blocks[j] = t;
  }
  for (size_t i = 0; i < count; ++i) PageAllocator::Free(blocks[i].address);
  EXPECT_EQ(PageAllocator::FreePages(), free_before) << "all pages free again";
  // Coalesced: a large block is available again.
  auto big = PageAllocator::Allocate(10);  // 4 MiB
  EXPECT_TRUE(big.ok()) << "a 4 MiB block after freeing everything (coalescing)";
  if (big.ok()) PageAllocator::Free(big.value());
  printf("allocator_stress: page allocator: %zu blocks, %zu pages, all coalesced\n", count, pages);
}

TEST(AllocatorStressTest, GeneralPurposeMix) {
  constexpr size_t kSlots = 512;
  static void* slots[kSlots];
  static size_t sizes[kSlots];
  static uint8_t fills[kSlots];
  size_t live = 0;
  for (int op = 0; op < 30000; ++op) {
    size_t i = Next() % kSlots;
    if (slots[i] != nullptr) {
      const uint8_t* bytes = static_cast<const uint8_t*>(slots[i]);
      bool ok = bytes[0] == fills[i] && bytes[sizes[i] - 1] == fills[i];
      ASSERT_TRUE(ok) << "block contents intact until freed (operation " << op << ", size "
                      << sizes[i] << ")";
      GeneralPurposeAllocator::Free(slots[i]);
      slots[i] = nullptr;
      --live;
      continue;
    }
    size_t size = 1 + Next() % ((Next() % 8 == 0) ? 20000 : 300);
    size_t alignment = size_t{1} << (Next() % 8);  // 1 .. 128
    void* p = GeneralPurposeAllocator::Allocate(size, alignment);
    ASSERT_NE(p, nullptr) << "allocation while memory is plentiful: " << size << " bytes";
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) & (alignment - 1), 0u) << "alignment " << alignment;
    EXPECT_GE(GeneralPurposeAllocator::UsableSize(p), size) << "usable size covers the request";
    fills[i] = static_cast<uint8_t>(Next());
    memset(p, fills[i], size);
    slots[i] = p;
    sizes[i] = size;
    ++live;
  }
  for (size_t i = 0; i < kSlots; ++i) GeneralPurposeAllocator::Free(slots[i]);
  printf("allocator_stress: general purpose allocator: 30000 operations, %zu live at the end\n", live);
}

TEST(AllocatorStressTest, MallocUntilExhausted) {
  // 1 MiB blocks until malloc says no, then everything back, then it works again.
  static void* held[4096];
  size_t n = 0;
  while (n < 4096) {
    void* p = malloc(1 << 20);
    if (p == nullptr) break;
    held[n++] = p;
  }
  EXPECT_GT(n, 0u) << "malloc runs out within the machine's memory";
  EXPECT_LT(n, 4096u) << "malloc runs out within the machine's memory";
  for (size_t i = 0; i < n; ++i) free(held[i]);
  void* again = malloc(1 << 20);
  EXPECT_NE(again, nullptr) << "malloc works again after everything was freed";
  free(again);
  printf("allocator_stress: malloc: %zu MiB before exhaustion, recovered\n", n);
}

}  // namespace
