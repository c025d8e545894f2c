// SPDX-License-Identifier: Apache-2.0
// newlib's retargetable locks on EbbRT spin locks (see newlib_locks.h for the design).
// The hooks and the static lock objects are the interface newlib's <sys/lock.h> and
// misc/lock.c define; misc/lock.c's no-op versions are not built.
#include "ebbrt/native/libc/newlib_locks.h"

#include <stdint.h>
#include <sys/lock.h>

#include <atomic>

#include "ebbrt/base/check.h"
#include "ebbrt/base/spin_lock.h"
#include "ebbrt/native/libc/reent.h"

// One lock, recursive or not (newlib says which by the hook it calls). Its own cache line:
// a FILE lock taken on one core should not slow down another core's FILE.
// Zero-initialized is unlocked, unowned and unclaimed, so static locks need no constructor.
struct alignas(64) __lock {
  ebbrt::SpinLock spin;
  // Core index + 1 of the holder, 0 when free. Written only by the holder (while it holds
  // `spin`), so a core that reads its own id here holds the lock.
  std::atomic<size_t> owner;
  // Times the owner acquired it; touched only by the owner.
  size_t depth = 0;
  // Pool locks only: handed out by __retarget_lock_init and not yet closed.
  std::atomic<bool> claimed;
};

namespace ebbrt::native {
namespace {

constexpr size_t kFree = 0;

// See newlib_locks.h: before per-core data exists, the caller is the boot CPU, core 0.
size_t Self() { return CallerCore() + 1; }

__lock g_pool[kNewlibLockPoolSize];
std::atomic<size_t> g_in_use{0};

__lock* Claim() {
  for (__lock& lock : g_pool) {
    if (!lock.claimed.load(std::memory_order_relaxed) &&
        !lock.claimed.exchange(true, std::memory_order_acquire)) {
      g_in_use.fetch_add(1, std::memory_order_relaxed);
      return &lock;
    }
  }
  EBBRT_CHECK_MSG(false, "newlib lock pool exhausted: raise kNewlibLockPoolSize");
  return nullptr;
}

void Unclaim(__lock* lock) {
  EBBRT_CHECK_MSG(lock >= g_pool && lock < g_pool + kNewlibLockPoolSize,
                  "closing a newlib lock that is not from the pool");
  EBBRT_CHECK_MSG(lock->owner.load(std::memory_order_relaxed) == kFree,
                  "closing a newlib lock that is held");
  g_in_use.fetch_sub(1, std::memory_order_relaxed);
  lock->claimed.store(false, std::memory_order_release);
}

void Take(__lock* lock, size_t self) {
  lock->owner.store(self, std::memory_order_relaxed);
  lock->depth = 1;
}

void Acquire(__lock* lock) {
  const size_t self = Self();
  // Spinning here would never end: the holder is this core.
  EBBRT_CHECK_MSG(lock->owner.load(std::memory_order_relaxed) != self,
                  "newlib lock acquired again by the core that holds it");
  lock->spin.Lock();
  Take(lock, self);
}

void AcquireRecursive(__lock* lock) {
  const size_t self = Self();
  if (lock->owner.load(std::memory_order_relaxed) == self) {
    ++lock->depth;
    return;
  }
  lock->spin.Lock();
  Take(lock, self);
}

// 1 when acquired, 0 when another holder has it (the convention of newlib's own no-op
// __retarget_lock_try_acquire, which always "acquires"; no newlib source this build
// compiles calls it).
int TryAcquire(__lock* lock) {
  if (!lock->spin.TryLock()) return 0;
  Take(lock, Self());
  return 1;
}

int TryAcquireRecursive(__lock* lock) {
  if (lock->owner.load(std::memory_order_relaxed) == Self()) {
    ++lock->depth;
    return 1;
  }
  return TryAcquire(lock);
}

void Release(__lock* lock) {
  EBBRT_CHECK_MSG(lock->owner.load(std::memory_order_relaxed) == Self(),
                  "newlib lock released by a core that does not hold it");
  if (--lock->depth != 0) return;
  lock->owner.store(kFree, std::memory_order_relaxed);
  lock->spin.Unlock();
}

}  // namespace

size_t NewlibLocksInUse() { return g_in_use.load(std::memory_order_relaxed); }

}  // namespace ebbrt::native

extern "C" {

// newlib's static locks (misc/lock.c lists them): the ones this build's sources use
// (__sinit, __sfp, __atexit, __env, __tz) and the rest, so that adding a source file
// never links without its lock.
__lock __lock___sinit_recursive_mutex;
__lock __lock___sfp_recursive_mutex;
__lock __lock___atexit_recursive_mutex;
__lock __lock___at_quick_exit_mutex;
__lock __lock___malloc_recursive_mutex;
__lock __lock___env_recursive_mutex;
__lock __lock___tz_mutex;
__lock __lock___dd_hash_mutex;
__lock __lock___arc4random_mutex;

void __retarget_lock_init(_LOCK_T* lock) { *lock = ebbrt::native::Claim(); }
void __retarget_lock_init_recursive(_LOCK_T* lock) { *lock = ebbrt::native::Claim(); }
void __retarget_lock_close(_LOCK_T lock) { ebbrt::native::Unclaim(lock); }
void __retarget_lock_close_recursive(_LOCK_T lock) { ebbrt::native::Unclaim(lock); }
void __retarget_lock_acquire(_LOCK_T lock) { ebbrt::native::Acquire(lock); }
void __retarget_lock_acquire_recursive(_LOCK_T lock) { ebbrt::native::AcquireRecursive(lock); }
int __retarget_lock_try_acquire(_LOCK_T lock) { return ebbrt::native::TryAcquire(lock); }
int __retarget_lock_try_acquire_recursive(_LOCK_T lock) {
  return ebbrt::native::TryAcquireRecursive(lock);
}
void __retarget_lock_release(_LOCK_T lock) { ebbrt::native::Release(lock); }
void __retarget_lock_release_recursive(_LOCK_T lock) { ebbrt::native::Release(lock); }

}  // extern "C"
