// SPDX-License-Identifier: Apache-2.0
// Hosted only: allocates from std::threads, which the native harness does not have.
// EbbAllocator from several threads at once (the portable tests: ebb_allocator_test.cc).
#include "ebbrt/core/ebb_allocator.h"

#include <stddef.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "ebbrt/core/ebb_id.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(EbbAllocatorTest, ConcurrentAllocationsAreDistinct) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 2000;
  std::vector<std::vector<EbbId>> got(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      while (!go.load()) std::this_thread::yield();
      EbbId previous = kNullEbbId;
      for (int i = 0; i < kPerThread; ++i) {
        EbbId id = *EbbAllocator::AllocateLocal();
        // Each thread sees its own ids increase.
        if (id <= previous) id = kNullEbbId;
        got[static_cast<size_t>(t)].push_back(id);
        previous = id;
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  std::set<EbbId> all;
  for (const auto& ids : got) {
    for (EbbId id : ids) {
      ASSERT_NE(id, kNullEbbId) << "ids not increasing within a thread";
      ASSERT_TRUE(IsLocalId(id));
      all.insert(id);
    }
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace ebbrt
