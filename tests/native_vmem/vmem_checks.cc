// SPDX-License-Identifier: Apache-2.0
// The VMemAllocator natively (run with -smp 4): regions allocate, back, free and reuse
// their spans; demand-zero pages map on first touch; freed pages return to the
// PageAllocator; bad options, memory exhaustion and address range exhaustion are errors
// that change nothing; a core-local span freed on another core comes back to its core
// without a stale translation; thousands of blocked events each hold an event stack; all
// four cores allocate and free at once. One TEST each.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <atomic>

#include "ebbrt/base/xorshift.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/spawn_on.h"
#include "ebbrt/future/future.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/native/mem/vmem_allocator.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::StatusCode;
using ebbrt::native::PageAllocator;
using ebbrt::native::VMemAllocator;
using ebbrt::native::VMemBacking;
using ebbrt::native::VMemOptions;
using ebbrt::native::VMemSharing;
using ebbrt::testing_internal::InFreshRun;
using ebbrt::x86_64::IsMapped;

constexpr size_t kPage = PageAllocator::kPageSize;
constexpr size_t kCores = 4;

VMemOptions Eager(size_t pages, size_t core = 0) {
  return VMemOptions{.size = pages * kPage, .name = "test region", .core = core};
}

VMemOptions DemandZero(size_t bytes, size_t core = 0) {
  return VMemOptions{.size = bytes, .guard_pages = 0, .backing = VMemBacking::kDemandZero,
                     .name = "test region", .core = core};
}

// Each core's interrupt stacks have their guard page.
TEST(VMemTest, InterruptStackGuardPages) {
  EXPECT_EQ(ebbrt::NumCores(), kCores);
  auto stacks = ebbrt::x86_64::CurrentInterruptStacks();
  EXPECT_TRUE(IsMapped(stacks.page_fault - 8));
  EXPECT_FALSE(IsMapped(stacks.page_fault - ebbrt::x86_64::kInterruptStackSize - 1));
  EXPECT_FALSE(IsMapped(stacks.double_fault - ebbrt::x86_64::kInterruptStackSize - 1));
  EXPECT_FALSE(IsMapped(stacks.nmi_machine_check - ebbrt::x86_64::kInterruptStackSize - 1));
}

TEST(VMemTest, AllocateFreeReuse) {
  // A first region builds the page tables the next ones of its size reuse.
  auto warm = VMemAllocator::Allocate(Eager(3));
  ASSERT_TRUE(warm.ok());
  VMemAllocator::Free(warm.value());
  const size_t free_before = PageAllocator::FreePages();
  const size_t live_before = VMemAllocator::LiveRegions();

  auto region = VMemAllocator::Allocate(Eager(3));
  ASSERT_TRUE(region.ok());
  uintptr_t base = region.value();
  EXPECT_GE(base, VMemAllocator::kBase);
  EXPECT_LT(base, VMemAllocator::kEnd);
  EXPECT_EQ(base, warm.value());  // The freed span of this size, on this core.
  EXPECT_EQ(free_before - PageAllocator::FreePages(), 3);
  EXPECT_EQ(VMemAllocator::LiveRegions(), live_before + 1);
  EXPECT_FALSE(IsMapped(base - kPage));  // The guard page.
  EXPECT_TRUE(IsMapped(base) && IsMapped(base + 2 * kPage));
  EXPECT_FALSE(IsMapped(base + 3 * kPage));  // Span rounding: never backed.
  memset(reinterpret_cast<void*>(base), 0x5a, 3 * kPage);
  EXPECT_EQ(reinterpret_cast<uint8_t*>(base)[3 * kPage - 1], 0x5a);

  VMemAllocator::Free(base);
  EXPECT_EQ(PageAllocator::FreePages(), free_before);
  EXPECT_EQ(VMemAllocator::LiveRegions(), live_before);
  EXPECT_FALSE(IsMapped(base));

  // Demand-zero: nothing backed until touched, then one zeroed page per touched page.
  auto lazy = VMemAllocator::Allocate(DemandZero(1 << 20));
  ASSERT_TRUE(lazy.ok());
  const size_t free_lazy = PageAllocator::FreePages();
  EXPECT_FALSE(IsMapped(lazy.value()));
  volatile uint64_t* word = reinterpret_cast<uint64_t*>(lazy.value() + 5 * kPage + 8);
  EXPECT_EQ(*word, 0);
  *word = 42;
  EXPECT_EQ(*word, 42);
  EXPECT_TRUE(IsMapped(lazy.value() + 5 * kPage));
  EXPECT_GE(free_lazy - PageAllocator::FreePages(), 1u);
  VMemAllocator::Free(lazy.value());

  // Shared spans are never reused (their pages may still be in other cores' TLBs).
  VMemOptions shared = Eager(1);
  shared.sharing = VMemSharing::kShared;
  auto first = VMemAllocator::Allocate(shared);
  ASSERT_TRUE(first.ok());
  VMemAllocator::Free(first.value());
  auto second = VMemAllocator::Allocate(shared);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second.value(), first.value());
  VMemAllocator::Free(second.value());
}

TEST(VMemTest, BadOptionsAndMemoryExhaustion) {
  EXPECT_EQ(static_cast<int>(VMemAllocator::Allocate(Eager(0)).status().code()),
            static_cast<int>(StatusCode::kInvalidArgument));
  VMemOptions odd = Eager(1);
  odd.size = 100;
  EXPECT_EQ(static_cast<int>(VMemAllocator::Allocate(odd).status().code()),
            static_cast<int>(StatusCode::kInvalidArgument));

  // More than the machine has (512 MiB): refused, and every page taken is given back.
  // The page tables built for the attempt stay (they serve the range), so the second
  // attempt costs nothing.
  const size_t live = VMemAllocator::LiveRegions();
  auto huge = VMemAllocator::Allocate(Eager((size_t{1} << 30) / kPage));
  EXPECT_EQ(static_cast<int>(huge.status().code()), static_cast<int>(StatusCode::kOutOfMemory));
  const size_t free_after_first = PageAllocator::FreePages();
  auto again = VMemAllocator::Allocate(Eager((size_t{1} << 30) / kPage));
  EXPECT_EQ(static_cast<int>(again.status().code()), static_cast<int>(StatusCode::kOutOfMemory));
  EXPECT_EQ(PageAllocator::FreePages(), free_after_first);
  EXPECT_EQ(VMemAllocator::LiveRegions(), live);
  auto small = VMemAllocator::Allocate(Eager(2));
  EXPECT_TRUE(small.ok());
  VMemAllocator::Free(small.value());
}

// Core 1's demand-zero region is freed by core 0; core 1 gets the same span back and must
// see a fresh zero page, not the old page through a translation its TLB kept.
void CoreLocalFreedElsewhere() {
  auto on_core = [](size_t core, auto fn) { return ebbrt::SpawnOn(core, fn).Block().value(); };
  uintptr_t region = on_core(1, [] {
    auto r = VMemAllocator::Allocate(DemandZero(kPage, 1));
    EXPECT_TRUE(r.ok());
    memset(reinterpret_cast<void*>(r.value()), 0xab, kPage);
    return r.value();
  });
  VMemAllocator::Free(region);  // On core 0.
  uintptr_t seen = on_core(1, [] {
    auto r = VMemAllocator::Allocate(DemandZero(kPage, 1));
    EXPECT_TRUE(r.ok());
    uint64_t first = *reinterpret_cast<volatile uint64_t*>(r.value() + 2048);
    VMemAllocator::Free(r.value());
    return first == 0 ? r.value() : uintptr_t{0};
  });
  EXPECT_EQ(seen, region);  // Same span, zero-filled.
}

// `count` events on this core block at once (each holding an event stack), then resume.
void BlockMany(int count, std::atomic<int>* resumed) {
  auto* promises = new ebbrt::Promise<void>[count];
  auto* left = new int(count);
  for (int i = 0; i < count; ++i) {
    ebbrt::SpawnLocal([promises, resumed, left, i] {
      EXPECT_TRUE(promises[i].GetFuture().Block().ok());
      resumed->fetch_add(1);
      if (--*left == 0) {
        delete[] promises;
        delete left;
      }
    });
  }
  ebbrt::SpawnLocal([promises, count] {
    for (int i = 0; i < count; ++i) promises[i].SetValue();
  });
}


// Random sizes, up to 32 live regions, each filled with and checked for its own tag.
int Churn(size_t core) {
  constexpr int kLive = 32;
  uintptr_t regions[kLive] = {};
  size_t sizes[kLive] = {};
  int bad = 0;
  ebbrt::XorShift64Star rng(0x9e3779b97f4a7c15ull * (core + 1));
  for (int round = 0; round < 3000; ++round) {
    int slot = static_cast<int>(rng.Next() % kLive);
    if (regions[slot] != 0) {
      auto* words = reinterpret_cast<uint64_t*>(regions[slot]);
      for (size_t i = 0; i < sizes[slot] / 8; i += 512) bad += words[i] != regions[slot] + core;
      VMemAllocator::Free(regions[slot]);
      regions[slot] = 0;
    } else {
      size_t pages = 1 + rng.Next() % 8;
      auto r = VMemAllocator::Allocate(Eager(pages, core));
      if (!r.ok()) return ++bad;
      regions[slot] = r.value();
      sizes[slot] = pages * kPage;
      auto* words = reinterpret_cast<uint64_t*>(r.value());
      for (size_t i = 0; i < sizes[slot] / 8; i += 512) words[i] = r.value() + core;
    }
  }
  for (int slot = 0; slot < kLive; ++slot) {
    if (regions[slot] != 0) VMemAllocator::Free(regions[slot]);
  }
  return bad;
}

TEST(VMemTest, CoreLocalRegionFreedOnAnotherCore) { InFreshRun(kCores, CoreLocalFreedElsewhere); }

// Thousands of blocked events, each holding an event stack: every stack goes back (the
// event managers free them, some on another core) once the Run is over.
TEST(VMemTest, ThousandsOfBlockedEvents) {
  const size_t live_before_run = VMemAllocator::LiveRegions();
  InFreshRun(kCores, [] {
    printf("vmem_checks: 2000 blocked events on core 0, 500 on each other core\n");
    std::atomic<int> resumed{0};
    for (size_t core = 1; core < kCores; ++core) {
      ebbrt::SpawnRemote([&resumed] { BlockMany(500, &resumed); }, core);
    }
    BlockMany(2000, &resumed);
    while (resumed.load() < 2000 + 500 * static_cast<int>(kCores - 1)) {
      auto* p = new ebbrt::Promise<void>();
      auto f = p->GetFuture();
      ebbrt::SpawnLocal([p] { p->SetValue(); });
      (void)f.Block();
    }
  });
  EXPECT_EQ(VMemAllocator::LiveRegions(), live_before_run);
}

TEST(VMemTest, AllocateAndFreeOnAllCoresAtOnce) {
  const size_t live_before_run = VMemAllocator::LiveRegions();
  std::atomic<int> churn_bad{0};
  InFreshRun(kCores, [&] {
    EXPECT_TRUE(ebbrt::ForEachCore([&](size_t core) { churn_bad.fetch_add(Churn(core)); })
                    .Block()
                    .ok());
  });
  EXPECT_EQ(churn_bad.load(), 0);
  EXPECT_EQ(VMemAllocator::LiveRegions(), live_before_run);
}

// Carves the rest of the range into 64 GiB demand-zero regions until it says no (last:
// afterwards only spans freed here are left).
// Last in this file: afterwards only spans freed here are left.
TEST(VMemTest, RangeExhaustion) {
  constexpr size_t kBig = size_t{64} << 30;
  uintptr_t regions[8];
  int count = 0;
  ebbrt::Result<uintptr_t> r = VMemAllocator::Allocate(DemandZero(kBig));
  while (r.ok() && count < 8) {
    regions[count++] = r.value();
    r = VMemAllocator::Allocate(DemandZero(kBig));
  }
  EXPECT_EQ(static_cast<int>(r.status().code()), static_cast<int>(StatusCode::kResourceExhausted));
  EXPECT_EQ(count, 7);  // 8 fit in 512 GiB; the stacks and test regions took the first slice.
  // Untouched demand-zero regions cost no memory; touching one costs a page and tables.
  auto* last_word = reinterpret_cast<volatile int*>(regions[count - 1] + kBig - 4);
  *last_word = 1;
  for (int i = 0; i < count; ++i) VMemAllocator::Free(regions[i]);
  auto reused = VMemAllocator::Allocate(DemandZero(kBig));  // The last one freed.
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(reused.value(), regions[count - 1]);
  EXPECT_EQ(*last_word, 0);
  VMemAllocator::Free(reused.value());
}

}  // namespace
