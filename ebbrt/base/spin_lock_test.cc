// SPDX-License-Identifier: Apache-2.0
// SpinLock: TryLock and the guard (contention between threads: spin_lock_thread_test.cc).
#include "ebbrt/base/spin_lock.h"

#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(SpinLockTest, TryLockTakesAFreeLockOnly) {
  SpinLock lock;
  EXPECT_TRUE(lock.TryLock());
  EXPECT_FALSE(lock.TryLock());  // Not recursive: a held lock is held, even by us.
  lock.Unlock();
  EXPECT_TRUE(lock.TryLock());
  lock.Unlock();
}

TEST(SpinLockTest, LockThenTryLockFails) {
  SpinLock lock;
  lock.Lock();
  EXPECT_FALSE(lock.TryLock());
  lock.Unlock();
  lock.Lock();  // Re-acquirable after unlock.
  lock.Unlock();
}

TEST(SpinLockTest, GuardHoldsForItsScope) {
  SpinLock lock;
  {
    SpinLockGuard guard(lock);
    EXPECT_FALSE(lock.TryLock());
  }
  EXPECT_TRUE(lock.TryLock());
  lock.Unlock();
}

}  // namespace
}  // namespace ebbrt
