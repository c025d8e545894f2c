// SPDX-License-Identifier: Apache-2.0
// Four cores fault on the same pages of one shared demand-zero region at the same time:
// each page must be mapped once, so every core's write to it survives and no page is
// mapped twice (the second fault used to replace the first core's page, which that core
// kept using through its TLB: writes were lost and pages leaked).
#include <stdint.h>
#include <stdio.h>

#include <atomic>

#include "ebbrt/native/mem/page_allocator.h"
#include "ebbrt/native/mem/vmem_allocator.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace {

using ebbrt::native::PageAllocator;
using ebbrt::native::VMemAllocator;
using ebbrt::native::VMemBacking;
using ebbrt::native::VMemOptions;
using ebbrt::native::VMemSharing;
using ebbrt::testing_internal::OnAllCoresAtOnce;
using ebbrt::testing_internal::StepBarrier;

constexpr size_t kPage = 4096;
constexpr size_t kPages = 2048;
constexpr size_t kCores = 4;
constexpr int kRounds = 4;

volatile uint64_t* Word(uintptr_t region, size_t page, size_t core) {
  return reinterpret_cast<volatile uint64_t*>(region + page * kPage) + core;
}

TEST(SharedDemandZeroTest, FourCoresFaultOnTheSamePages) {
  // A first Run sets up what every Run keeps afterwards (per-core allocator slabs), so
  // the rounds' page counts measure the region alone.
  OnAllCoresAtOnce(kCores, [](size_t) {});
  for (int round = 0; round < kRounds; ++round) {
    ebbrt::Result<uintptr_t> region = VMemAllocator::Allocate(
        VMemOptions{.size = kPages * kPage, .backing = VMemBacking::kDemandZero,
                    .sharing = VMemSharing::kShared, .name = "shared demand-zero region"});
    ASSERT_TRUE(region.ok()) << "round " << round;
    const uintptr_t base = region.value();
    const size_t free_before = PageAllocator::FreePages();
    std::atomic<size_t> lost{0};
    StepBarrier step(kCores);
    OnAllCoresAtOnce(kCores, [&](size_t core) {
      for (size_t page = 0; page < kPages; ++page) *Word(base, page, core) = 0x1000 + core;
      step.Wait();
      for (size_t page = 0; page < kPages; ++page) {
        for (size_t c = 0; c < kCores; ++c) {
          if (*Word(base, page, c) != 0x1000 + c) lost.fetch_add(1);
        }
      }
    });
    // kPages data pages, plus a few page tables and slab pages of the Run itself.
    const size_t used = free_before - PageAllocator::FreePages();
    printf("shared_demand_zero: round %d: %zu lost words, %zu pages used for %zu\n", round,
           lost.load(), used, kPages);
    EXPECT_EQ(lost.load(), 0u) << "round " << round;
    EXPECT_GE(used, kPages) << "round " << round;
    EXPECT_LE(used, kPages + 16) << "round " << round;
    VMemAllocator::Free(base);
  }
}

}  // namespace
