// SPDX-License-Identifier: Apache-2.0
// Hosted only: these tests contend from std::threads, which the native harness does not have.
// SpinLock between threads: the holder is seen, Lock waits, mutual exclusion under
// contention (the single-threaded tests: spin_lock_test.cc).
#include "ebbrt/base/spin_lock.h"

#include <stdint.h>

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(SpinLockTest, TryLockFromAnotherThreadSeesTheHolder) {
  SpinLock lock;
  lock.Lock();
  bool other_got_it = true;
  std::thread([&] { other_got_it = lock.TryLock(); }).join();
  EXPECT_FALSE(other_got_it);
  lock.Unlock();
  std::thread([&] {
    other_got_it = lock.TryLock();
    if (other_got_it) lock.Unlock();
  }).join();
  EXPECT_TRUE(other_got_it);
}

TEST(SpinLockTest, LockWaitsForTheHolder) {
  SpinLock lock;
  std::atomic<bool> waiter_started{false};
  std::atomic<bool> waiter_has_lock{false};
  lock.Lock();
  std::thread waiter([&] {
    waiter_started = true;
    lock.Lock();
    waiter_has_lock = true;
    lock.Unlock();
  });
  while (!waiter_started.load()) std::this_thread::yield();
  // Give the waiter ample chances to (wrongly) get in while we hold the lock.
  for (int i = 0; i < 20; ++i) {
    std::this_thread::yield();
    EXPECT_FALSE(waiter_has_lock.load());
  }
  lock.Unlock();
  waiter.join();
  EXPECT_TRUE(waiter_has_lock.load());
}

// N threads each add M to plain (non-atomic) counters under the lock; any lost update
// or torn critical section shows up in the totals.
TEST(SpinLockTest, MutualExclusionUnderContention) {
  constexpr int kThreads = 8;
  constexpr int kIncrements = 20000;
  SpinLock lock;
  uint64_t counter = 0;
  uint64_t shadow = 0;  // Must always equal counter inside the critical section.
  int overlaps = 0;
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (int i = 0; i < kIncrements; ++i) {
        SpinLockGuard guard(lock);
        if (counter != shadow) ++overlaps;
        ++counter;
        ++shadow;
      }
    });
  }
  go.store(true, std::memory_order_release);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter, uint64_t{kThreads} * kIncrements);
  EXPECT_EQ(shadow, counter);
  EXPECT_EQ(overlaps, 0);
}

TEST(SpinLockTest, TryLockLoopsAlsoExclude) {
  constexpr int kThreads = 4;
  constexpr int kIncrements = 20000;
  SpinLock lock;
  uint64_t counter = 0;
  std::atomic<uint64_t> failed_tries{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (int i = 0; i < kIncrements; ++i) {
        while (!lock.TryLock()) {
          failed_tries.fetch_add(1, std::memory_order_relaxed);
          std::this_thread::yield();
        }
        ++counter;
        lock.Unlock();
      }
    });
  }
  go.store(true, std::memory_order_release);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter, uint64_t{kThreads} * kIncrements);
}

}  // namespace
}  // namespace ebbrt
