// SPDX-License-Identifier: Apache-2.0
// SpinLock: a test-and-test-and-set lock for the rare structures cores share.
//
// Cores in EbbRT never block on each other in the common path (per-core reps); a spin
// lock guards what must be shared (remote-spawn queues, a future's state when two cores
// touch it). Hold it for a few instructions only; never block or spawn while holding it.
//
//   SpinLock lock;
//   { SpinLockGuard guard(lock); queue.Push(x); }
#pragma once

#include <atomic>

namespace ebbrt {

class SpinLock {
 public:
  SpinLock() = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  void Lock() {
    while (locked_.exchange(true, std::memory_order_acquire)) {
      // Spin on a plain load so waiters share the cache line until it is released.
      while (locked_.load(std::memory_order_relaxed)) {
        __builtin_ia32_pause();
      }
    }
  }
  bool TryLock() { return !locked_.exchange(true, std::memory_order_acquire); }
  // Up to `attempts` tries, pausing between them: for fatal-report paths, which must not
  // wait forever for a lock their own core may hold.
  bool TryLockFor(int attempts) {
    for (int i = 0; i < attempts; ++i) {
      if (TryLock()) return true;
      __builtin_ia32_pause();
    }
    return false;
  }
  void Unlock() { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

class [[nodiscard]] SpinLockGuard {
 public:
  explicit SpinLockGuard(SpinLock& lock) : lock_(lock) { lock_.Lock(); }
  ~SpinLockGuard() { lock_.Unlock(); }
  SpinLockGuard(const SpinLockGuard&) = delete;
  SpinLockGuard& operator=(const SpinLockGuard&) = delete;

 private:
  SpinLock& lock_;
};

}  // namespace ebbrt
