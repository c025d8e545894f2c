// SPDX-License-Identifier: Apache-2.0
// BuddyNode's boot passes over a static buffer: a range offered before the one big enough
// for the page-state table still becomes free memory (it used to be dropped), the table's
// own pages are never handed out, and a node that got no table says so.
#include "ebbrt/native/mem/internal/buddy_node.h"

#include <stdint.h>

#include "gtest/gtest.h"

namespace ebbrt::native::page_allocator_internal {
namespace {

constexpr uintptr_t kPage = kPageSize;

// The node's RAM. The span is larger than the buffer (8192 pages: a two-page table) but
// only the buffer is ever handed over, so only it is written.
alignas(64 * 1024) uint8_t g_arena[64 * 1024];

struct Ranges {
  uintptr_t base = reinterpret_cast<uintptr_t>(g_arena);
  uintptr_t span_end = base + 8192 * kPage;
  // One page: too small for the two-page table, and offered first.
  uintptr_t small_begin = base;
  uintptr_t small_end = base + kPage;
  // Fourteen pages from the third: holds the table and twelve pages after it.
  uintptr_t big_begin = base + 2 * kPage;
  uintptr_t big_end = base + 16 * kPage;
};

TEST(BuddyNodeTest, RangesBeforeTheTableRangeAreKept) {
  static BuddyNode node;
  const Ranges r;
  node.Init(r.base, r.span_end);
  EXPECT_FALSE(node.PlaceTable(r.small_begin, r.small_end));
  EXPECT_TRUE(node.PlaceTable(r.big_begin, r.big_end));
  EXPECT_TRUE(node.PlaceTable(r.small_begin, r.small_end));  // Placed already.
  node.AddRange(r.small_begin, r.small_end);
  node.AddRange(r.big_begin, r.big_end);
  // 1 page + 14 pages - 2 table pages.
  EXPECT_EQ(node.total_pages(), 13u);
  EXPECT_EQ(node.free_pages(), 13u);

  // Every page comes out once, none of them the table's, the small range's among them.
  const uintptr_t table_begin = r.big_begin;
  const uintptr_t table_end = r.big_begin + 2 * kPage;
  uintptr_t pages[13];
  bool saw_small = false;
  for (uintptr_t& page : pages) {
    Result<uintptr_t> got = node.Allocate(0);
    ASSERT_TRUE(got.ok());
    page = got.value();
    EXPECT_TRUE(page < table_begin || page >= table_end);
    EXPECT_TRUE((page >= r.small_begin && page < r.small_end) || (page >= table_end && page < r.big_end));
    saw_small = saw_small || page == r.small_begin;
  }
  EXPECT_TRUE(saw_small);
  EXPECT_FALSE(node.Allocate(0).ok());
  for (size_t i = 0; i < 13; ++i) {
    for (size_t j = i + 1; j < 13; ++j) EXPECT_NE(pages[i], pages[j]);
  }
  for (uintptr_t page : pages) node.Free(page);
  EXPECT_EQ(node.free_pages(), 13u);
  // The buddies coalesced again: 16 KiB blocks exist after the table (pages 4-7, 8-11, 12-15).
  Result<uintptr_t> four = node.Allocate(2);
  ASSERT_TRUE(four.ok());
  EXPECT_EQ(four.value() % (4 * kPage), 0u);
  node.Free(four.value());
}

TEST(BuddyNodeTest, NoRangeBigEnoughMeansNoTable) {
  static BuddyNode node;
  const Ranges r;
  node.Init(r.base, r.span_end);
  EXPECT_FALSE(node.PlaceTable(r.small_begin, r.small_end));
  EXPECT_FALSE(node.PlaceTable(r.base + 3 * kPage, r.base + 4 * kPage));
  EXPECT_EQ(node.total_pages(), 0u);
}

}  // namespace
}  // namespace ebbrt::native::page_allocator_internal
