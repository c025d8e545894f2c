// SPDX-License-Identifier: Apache-2.0
// newlib's lock hooks (ebbrt/native/libc/newlib_locks.h) called directly, on four cores:
// a recursive lock is re-acquired by the core that holds it and by no other core (which
// waits in acquire and fails in try_acquire), a plain lock is not re-acquired even by its
// holder, a lock excludes all four cores from a counter they all increment, and the
// dynamic-lock pool gets back every lock stdio takes. One TEST per property, in the
// native_libc SMP image (BUILD).
#include <stdint.h>
#include <stdio.h>
#include <sys/lock.h>

#include <atomic>

#include "ebbrt/event/event_manager.h"
#include "ebbrt/native/libc/newlib_locks.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

extern "C" struct __lock __lock___tz_mutex;  // a plain static lock of newlib's

namespace {

using ebbrt::testing_internal::OnAllCoresAtOnce;

constexpr size_t kCores = 4;
constexpr int kIncrements = 20000;

// Long enough for a waiting core to have been scheduled many times under TCG.
void Linger() {
  for (int i = 0; i < 200000; ++i) __builtin_ia32_pause();
}

TEST(NewlibLocksTest, SameCoreReacquires) {
  _LOCK_T lock;
  const size_t before = ebbrt::native::NewlibLocksInUse();
  __retarget_lock_init_recursive(&lock);
  EXPECT_EQ(ebbrt::native::NewlibLocksInUse(), before + 1);
  __retarget_lock_acquire_recursive(lock);
  __retarget_lock_acquire_recursive(lock);
  EXPECT_EQ(__retarget_lock_try_acquire_recursive(lock), 1);
  // Held three times: two releases leave it held ...
  __retarget_lock_release_recursive(lock);
  __retarget_lock_release_recursive(lock);
  EXPECT_EQ(__retarget_lock_try_acquire(lock), 0);
  // ... the third frees it.
  __retarget_lock_release_recursive(lock);
  EXPECT_EQ(__retarget_lock_try_acquire(lock), 1);
  __retarget_lock_release(lock);
  __retarget_lock_close_recursive(lock);
  EXPECT_EQ(ebbrt::native::NewlibLocksInUse(), before);
}

// A plain lock: its holder cannot take it again, another core can once it is free.
TEST(NewlibLocksTest, PlainLockIsNotRecursive) {
  _LOCK_T lock = &__lock___tz_mutex;
  __retarget_lock_acquire(lock);
  EXPECT_EQ(__retarget_lock_try_acquire(lock), 0);
  __retarget_lock_release(lock);
  EXPECT_EQ(__retarget_lock_try_acquire(lock), 1);
  __retarget_lock_release(lock);
}

// Core 0 holds a recursive lock; core 1 fails try_acquire, then waits in acquire until
// core 0 has released it as often as it took it.
TEST(NewlibLocksTest, OtherCoreWaits) {
  static _LOCK_T lock;
  static std::atomic<int> try_result{-1};
  static std::atomic<int> try_recursive_result{-1};
  static std::atomic<bool> waiting{false};
  static std::atomic<bool> acquired{false};
  static std::atomic<bool> released{false};
  __retarget_lock_init_recursive(&lock);
  OnAllCoresAtOnce(2, [](size_t core) {
    if (core == 0) {
      __retarget_lock_acquire_recursive(lock);
      __retarget_lock_acquire_recursive(lock);
      waiting.store(false);
      ebbrt::SpawnRemote(
          [] {
            try_result.store(__retarget_lock_try_acquire(lock));
            try_recursive_result.store(__retarget_lock_try_acquire_recursive(lock));
            waiting.store(true);
            __retarget_lock_acquire_recursive(lock);
            acquired.store(true);
            while (!released.load()) __builtin_ia32_pause();
            __retarget_lock_release_recursive(lock);
          },
          1);
      while (!waiting.load()) __builtin_ia32_pause();
      Linger();
      EXPECT_FALSE(acquired.load());
      __retarget_lock_release_recursive(lock);
      Linger();
      EXPECT_FALSE(acquired.load());  // still held once
      __retarget_lock_release_recursive(lock);
      while (!acquired.load()) __builtin_ia32_pause();
      // Now core 1 holds it.
      EXPECT_EQ(__retarget_lock_try_acquire_recursive(lock), 0);
      released.store(true);
    }
  });
  EXPECT_EQ(try_result.load(), 0);
  EXPECT_EQ(try_recursive_result.load(), 0);
  EXPECT_TRUE(acquired.load());
  EXPECT_EQ(__retarget_lock_try_acquire(lock), 1);
  __retarget_lock_release(lock);
  __retarget_lock_close_recursive(lock);
}

// Every core increments a plain counter under the lock (nested twice): no increment is
// lost only if the lock excludes.
TEST(NewlibLocksTest, ExcludesAllCores) {
  static _LOCK_T lock;
  static uint64_t counter = 0;
  __retarget_lock_init_recursive(&lock);
  OnAllCoresAtOnce(kCores, [](size_t) {
    for (int i = 0; i < kIncrements; ++i) {
      __retarget_lock_acquire_recursive(lock);
      __retarget_lock_acquire_recursive(lock);
      const uint64_t seen = counter;
      asm volatile("" ::: "memory");  // a separate load and store, as a race needs
      counter = seen + 1;
      __retarget_lock_release_recursive(lock);
      __retarget_lock_release_recursive(lock);
    }
  });
  EXPECT_EQ(counter, kCores * kIncrements);
  __retarget_lock_close_recursive(lock);
}

// Unbuffered stderr formats through a temporary FILE with a lock of its own
// (vfprintf.c, __sbprintf): all cores at once, and the pool gets every lock back.
TEST(NewlibLocksTest, PoolLocksComeBack) {
  printf("newlib_locks_test: pool\n");  // stdio's streams exist from here
  const size_t before = ebbrt::native::NewlibLocksInUse();
  EXPECT_GE(before, 3u);  // stdin, stdout, stderr
  OnAllCoresAtOnce(kCores, [](size_t core) {
    for (int i = 0; i < 20; ++i) fprintf(stderr, "newlib_locks_test: core %zu stderr %d\n", core, i);
  });
  EXPECT_EQ(ebbrt::native::NewlibLocksInUse(), before);
}

}  // namespace
