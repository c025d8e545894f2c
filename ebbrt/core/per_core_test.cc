// SPDX-License-Identifier: Apache-2.0
// PerCore<T>: value-initialized slots, one per core index, on separate cache lines, and
// Mine() is the calling core's slot.
#include "ebbrt/core/per_core.h"

#include <stdint.h>

#include <atomic>

#include "ebbrt/core/cpu.h"
#include "ebbrt/testing/on_cores.h"
#include "ebbrt/testing/require_cores.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

struct Stats {
  uint64_t requests = 0;
  std::atomic<uint64_t> bytes{0};
};

// A constexpr-constructible T makes a constant-initialized PerCore: no boot-time
// constructor for a global.
constinit PerCore<Stats> g_stats;

TEST(PerCoreTest, SlotsStartValueInitialized) {
  PerCore<int>* ints = new PerCore<int>;
  for (size_t core = 0; core < kMaxCores; ++core) EXPECT_EQ((*ints)[core], 0) << "core " << core;
  delete ints;
}

TEST(PerCoreTest, EachSlotHasCacheLinesOfItsOwn) {
  PerCore<char>* chars = new PerCore<char>;
  for (size_t core = 0; core + 1 < kMaxCores; ++core) {
    const uintptr_t here = reinterpret_cast<uintptr_t>(&(*chars)[core]);
    const uintptr_t next = reinterpret_cast<uintptr_t>(&(*chars)[core + 1]);
    EXPECT_EQ(here % PerCore<char>::kCacheLineBytes, 0u);
    EXPECT_GE(next - here, PerCore<char>::kCacheLineBytes);
  }
  delete chars;
}

TEST(PerCoreTest, MineIsTheCallingCoresSlot) {
  EBBRT_REQUIRE_CORES(4);
  for (size_t core = 0; core < kMaxCores; ++core) g_stats[core].requests = 0;
  std::atomic<int> wrong_slot{0};
  testing_internal::OnAllCoresAtOnce(4, [&](size_t core) {
    if (&g_stats.Mine() != &g_stats[core]) wrong_slot.fetch_add(1);
    for (uint64_t i = 0; i <= core; ++i) ++g_stats.Mine().requests;
    g_stats.Mine().bytes.fetch_add(100);
  });
  EXPECT_EQ(wrong_slot.load(), 0);
  for (size_t core = 0; core < 4; ++core) {
    EXPECT_EQ(g_stats[core].requests, core + 1) << "core " << core;
    EXPECT_GE(g_stats[core].bytes.load(), 100u);
  }
  EXPECT_EQ(g_stats[4].requests, 0u);
}

}  // namespace
}  // namespace ebbrt
