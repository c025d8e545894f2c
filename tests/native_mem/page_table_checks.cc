// SPDX-License-Identifier: Apache-2.0
// The identity map's large pages and UnmapPage's splits (run under QEMU's `max` CPU, which
// has 1 GiB pages, and `qemu64`, which has not; the boot line says which the image used):
// unmapping one 4 KiB page leaves every other page of its 2 MiB and 1 GiB neighbourhood
// mapped with its contents, a second unmap is a no-op, RemapPage brings the page back,
// and a 1 GiB region no boot step touched splits the same way; 2-3 GiB is in the boot map's
// page size and 3-4 GiB in 2 MiB pages on both models. One TEST each.
#include <stdint.h>
#include <stdio.h>

#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::native::PageAllocator;
namespace x86 = ebbrt::x86_64;

constexpr uintptr_t k2M = uintptr_t{1} << 21;
constexpr uintptr_t k1G = uintptr_t{1} << 30;

// Unmapping a 4 KiB page of RAM splits its large page: everything around it stays mapped
// with its contents; unmapping twice is a no-op; RemapPage brings the page back.
TEST(PageTableTest, UnmapSplitsTheLargePageOfRam) {
  printf("page_table_checks: identity map in %s pages\n",
         x86::IdentityMapPageBytes() == k1G ? "1 GiB" : "2 MiB");
  // 4 MiB of RAM, 4 MiB aligned: two whole 2 MiB pages of the boot map.
  auto block = PageAllocator::Allocate(10);
  ASSERT_TRUE(block.ok());
  const uintptr_t base = block.value();
  // A marker in every page of the block.
  for (uintptr_t page = base; page < base + 2 * k2M; page += x86::kPageSize) {
    *reinterpret_cast<volatile uint64_t*>(page) = page;
  }

  const uintptr_t victim = base + k2M + 3 * x86::kPageSize;
  EXPECT_TRUE(x86::IsMapped(victim));
  EXPECT_TRUE(x86::UnmapPage(victim, &PageAllocator::AllocatePageTable).ok());
  EXPECT_FALSE(x86::IsMapped(victim));
  EXPECT_FALSE(x86::IsMapped(victim + x86::kPageSize - 1));
  // Every other page of the block, in both 2 MiB pages, still reads its marker.
  size_t intact = 0;
  for (uintptr_t page = base; page < base + 2 * k2M; page += x86::kPageSize) {
    if (page == victim) continue;
    EXPECT_TRUE(x86::IsMapped(page)) << "page " << page;
    if (*reinterpret_cast<volatile uint64_t*>(page) == page) ++intact;
  }
  EXPECT_EQ(intact, 2 * k2M / x86::kPageSize - 1);
  // Its 1 GiB neighbourhood: the start of the GiB and its last page.
  const uintptr_t gib = victim & ~(k1G - 1);
  EXPECT_TRUE(x86::IsMapped(gib + x86::kPageSize));
  EXPECT_TRUE(x86::IsMapped(gib + k1G - x86::kPageSize));
  // Unmapping again changes nothing; remapping restores the page and what it held.
  EXPECT_TRUE(x86::UnmapPage(victim, &PageAllocator::AllocatePageTable).ok());
  EXPECT_FALSE(x86::IsMapped(victim));
  EXPECT_TRUE(x86::RemapPage(victim).ok());
  EXPECT_TRUE(x86::IsMapped(victim));
  EXPECT_EQ(*reinterpret_cast<volatile uint64_t*>(victim), victim);
  PageAllocator::Free(base);
}

// A 1 GiB region no boot step touched (above the guest's RAM) splits the same way, and
// the page sizes around it and in the last two GiB below 4 GiB are as the boot map made
// them.
TEST(PageTableTest, UnmapSplitsAnUntouchedGibAndPageSizes) {
  // The second GiB (above the guest's RAM, still identity mapped): nothing split it yet.
  const uintptr_t far = k1G + 5 * k2M + 7 * x86::kPageSize;
  EXPECT_TRUE(x86::IsMapped(far));
  EXPECT_TRUE(x86::UnmapPage(far, &PageAllocator::AllocatePageTable).ok());
  EXPECT_FALSE(x86::IsMapped(far));
  EXPECT_TRUE(x86::IsMapped(far - x86::kPageSize));
  EXPECT_TRUE(x86::IsMapped(far + x86::kPageSize));
  EXPECT_TRUE(x86::IsMapped(k1G));
  EXPECT_TRUE(x86::IsMapped(far + k2M));
  EXPECT_TRUE(x86::IsMapped(2 * k1G - x86::kPageSize));
  EXPECT_TRUE(x86::IsMapped(2 * k1G));
  EXPECT_TRUE(x86::RemapPage(far).ok());
  EXPECT_TRUE(x86::IsMapped(far));

  // The page sizes around that split: 4 KiB pages in its 2 MiB, its 2 MiB neighbour whole.
  EXPECT_EQ(x86::MappedPageBytes(far), uint64_t{x86::kPageSize});
  EXPECT_EQ(x86::MappedPageBytes(far - x86::kPageSize), uint64_t{x86::kPageSize});
  EXPECT_EQ(x86::MappedPageBytes(far + k2M), uint64_t{k2M});

  // The third GiB (nothing there, nothing split it) is in the boot map's page size; the last
  // GiB (the MMIO hole, and RAM below it on larger guests) is in 2 MiB pages on either CPU
  // model, so no page spans RAM and the hole (pvh_entry.S).
  const uint64_t below_3g = x86::IdentityMapPageBytes();
  EXPECT_EQ(x86::MappedPageBytes(2 * k1G), below_3g);
  EXPECT_EQ(x86::MappedPageBytes(3 * k1G - x86::kPageSize), below_3g);
  EXPECT_EQ(x86::MappedPageBytes(3 * k1G), uint64_t{k2M});
  EXPECT_EQ(x86::MappedPageBytes(3 * k1G + 5 * k2M + 9 * x86::kPageSize), uint64_t{k2M});
  EXPECT_EQ(x86::MappedPageBytes(4 * k1G - k2M), uint64_t{k2M});
  EXPECT_EQ(x86::MappedPageBytes(4 * k1G), uint64_t{0});
  printf("page_table_checks: 2-3 GiB in %s pages, 3-4 GiB in %s pages\n",
         x86::MappedPageBytes(2 * k1G) == k1G ? "1 GiB" : "2 MiB",
         x86::MappedPageBytes(3 * k1G) == k2M ? "2 MiB" : "other");
}

}  // namespace
