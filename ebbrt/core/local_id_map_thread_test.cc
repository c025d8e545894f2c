// SPDX-License-Identifier: Apache-2.0
// Hosted only: these tests race std::threads, which the native harness does not have.
// LocalIdMap between threads: the bind race has one winner; Find racing Unbind never
// reports a wrong type (the single-threaded tests: local_id_map_test.cc).
#include "ebbrt/core/local_id_map.h"

#include <stdint.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "ebbrt/core/ebb_id.h"
#include "ebbrt/core/internal/test_ebbs_for_test.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

using core_test_internal::FreshId;
using core_test_internal::IdInAnUntouchedChunk;
using core_test_internal::kTagA;
using core_test_internal::RootA;

// Eight threads bind eight distinct roots to one fresh id at the same moment: exactly one
// wins, and every loser is handed the winner's root. Repeated on fresh ids, half of them
// in chunks that do not exist yet (so the chunk's creation races too).
TEST(LocalIdMapTest, ConcurrentBindHasExactlyOneWinner) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    const EbbId id = round % 2 == 0 ? FreshId() : IdInAnUntouchedChunk(round);
    RootA roots[kThreads];
    void* results[kThreads] = {};
    std::atomic<int> ready{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        // Yield while waiting: the machine may have fewer CPUs than threads.
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        results[t] = LocalIdMap::Bind(id, &roots[t], kTagA);
      });
    }
    while (ready.load() < kThreads) std::this_thread::yield();
    go.store(true, std::memory_order_release);
    for (auto& thread : threads) thread.join();

    int winners = 0;
    void* winner = nullptr;
    for (int t = 0; t < kThreads; ++t) {
      if (results[t] == nullptr) {
        ++winners;
        winner = &roots[t];
      }
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    for (int t = 0; t < kThreads; ++t) {
      if (results[t] != nullptr) EXPECT_EQ(results[t], winner) << "round " << round;
    }
    EXPECT_EQ(LocalIdMap::Find(id, kTagA), winner);
    // The roots live on this stack frame: unbind before they go.
    EXPECT_EQ(LocalIdMap::Unbind(id), winner);
  }
}

// A reader that Finds an id while another core unbinds it must see either the root or
// nothing (Unbind's own comment: "another core may still be using it"). The child
// process hammers one id with Bind/Unbind on one thread and Find on another, with the
// right type tag throughout, and exits 0 if no Find ever reported a type mismatch.
//
// (Find once loaded `root`, then `type`, and an Unbind completing between the two loads
// made it report a mismatch; it now re-checks `root` after loading `type`.)
TEST(LocalIdMapRaceTest, FindConcurrentWithUnbindNeverReportsAWrongType) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        static RootA root;
        const EbbId id = FreshId();
        std::atomic<bool> stop{false};
        std::atomic<uint64_t> cycles{0};
        std::thread binder([&] {
          while (!stop.load(std::memory_order_relaxed)) {
            (void)LocalIdMap::Bind(id, &root, kTagA);
            (void)LocalIdMap::Unbind(id);
            cycles.fetch_add(1, std::memory_order_relaxed);
          }
        });
        // Until the binder has cycled often enough (or a time bound, on a busy machine).
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (cycles.load(std::memory_order_relaxed) < 1'000'000 &&
               std::chrono::steady_clock::now() < deadline) {
          for (int i = 0; i < 1000; ++i) {
            void* found = LocalIdMap::Find(id, kTagA);
            if (found != nullptr && found != &root) exit(2);
          }
        }
        stop = true;
        binder.join();
        exit(0);
      },
      testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace ebbrt
