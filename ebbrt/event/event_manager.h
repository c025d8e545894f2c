// SPDX-License-Identifier: Apache-2.0
// EventManager: the per-core, non-preemptive event loop (one rep per core).
//
// Every piece of work on a core is an event: a closure that runs to completion unless it
// blocks. Events come from SpawnLocal/SpawnRemote, timers (timer.h), idle handlers,
// interrupts (native) or file descriptors (hosted, ebbrt/hosted/fd_watch.h).
//
//   ebbrt::SpawnLocal([] { DoWork(); });             // later, on this core
//   ebbrt::SpawnRemote([] { DoWork(); }, 3);          // later, on core 3
//   auto idle = ebbrt::event_manager->AddIdleHandler([] { PollDevice(); });
//   ebbrt::CallRcu([old] { delete old; });            // after every core moved on
//
// Ordering: SpawnLocal never runs the function inline, even on an idle core; events
// spawned on one core run in FIFO order. Events spawned remotely by one core onto another
// run in the order they were spawned. Local events are preferred to idle handlers; idle
// handlers run only when the queue is empty, and the core sleeps only when there are no
// idle handlers.
//
// Blocking: an event may suspend itself with SaveContext(ctx) (usually through
// Future::Block()); the core then keeps running other events on a fresh stack from its
// pool. ActivateContext(std::move(ctx)), called on the same core, resumes it as a new
// event once the current one returns. A suspended event holds no RCU read-side
// protection: do not keep RCU-protected pointers across a block.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/ring_queue.h"
#include "ebbrt/base/spin_lock.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/core/multicore_ebb.h"

namespace ebbrt {

// A suspended event (see SaveContext). Move it to ActivateContext exactly once.
struct EventContext {
  uintptr_t sp = 0;       // Saved stack pointer (context_switch.h).
  void* stack = nullptr;  // The pool stack the event runs on.
  size_t core = 0;        // Where it must be resumed.
};

class EventManager;

class EventManagerRoot : public MulticoreRoot<EventManager> {
 public:
  // The shared state of RCU grace periods lives with the reps (see CallRcu).
};

class EventManager : public MulticoreEbb<EventManager, EventManagerRoot> {
 public:
  using IdleHandlerId = uint64_t;

  // Bytes per event stack.
  static constexpr size_t kStackSize = 64 * 1024;

  explicit EventManager(EventManagerRoot& root);
  ~EventManager();
  EventManager(const EventManager&) = delete;
  EventManager& operator=(const EventManager&) = delete;

  // Queues `fn` to run as an event on this core (never inline).
  void SpawnLocal(MovableFunction<void()> fn);

  // Queues `fn` on `core` (which may be this one). Wakes it if it sleeps.
  void SpawnRemote(MovableFunction<void()> fn, size_t core);

  // Like SpawnRemote, but callable from any thread, core or not (e.g. a hosted thread
  // fulfilling a promise). `core` must be running.
  static void SpawnOnCore(MovableFunction<void()> fn, size_t core);

  // `fn` runs whenever this core has no queued events (polling drivers); the core never
  // sleeps while one is registered.
  IdleHandlerId AddIdleHandler(MovableFunction<void()> fn);
  void RemoveIdleHandler(IdleHandlerId id);

  // Suspends the calling event until ActivateContext(ctx). Must be called from an event
  // on this core.
  void SaveContext(EventContext& ctx);
  // Resumes a suspended event of this core as a new event (queued like SpawnLocal).
  void ActivateContext(EventContext&& ctx);

  // Runs `fn` once every core has finished the events that were running when it was
  // called (an RCU grace period). `fn` runs on this core, as an event.
  void CallRcu(MovableFunction<void()> fn);

  size_t core() const { return core_; }
  // Events this core has run (for tests and benchmarks).
  uint64_t events_run() const { return events_run_.load(std::memory_order_relaxed); }

  // --- For the platform runtime ---------------------------------------------------------
  // Runs this core's loop until Stop(); called once per core on the core's own thread.
  void RunLoopUntilStopped();
  // Makes every running core's loop return (from any core or thread).
  static void StopAll();
  // Called by the runtime before starting cores.
  static void ResetStopFlag();
  // Called by the runtime once every core's loop has stopped: the runtime's own Ebbs
  // (EventManager, Timer) and their reps go, so the next Run starts fresh.
  static void DestroyRuntimeEbbs();

 private:
  struct IdleEntry {
    IdleHandlerId id;
    MovableFunction<void()> fn;
  };

  static void LoopEntry(void* self);
  [[noreturn]] void Loop();
  void RunEvent(MovableFunction<void()>& fn);
  void PushRemote(MovableFunction<void()> fn);
  void DrainRemoteQueue();
  void RunIdleHandlers();
  void Sleep();
  void* AcquireStack();
  void ReleaseAbandonedStack();
  void SwitchTo(const EventContext& ctx);
  [[noreturn]] void ExitLoop();
  // RCU.
  void RcuPoll();
  bool RcuGracePeriodOver() const;
  void MarkQuiescent() { quiescent_count_.store(quiescent_count_.load(std::memory_order_relaxed) + 1, std::memory_order_release); }

  EventManagerRoot& root_;
  const size_t core_;

  RingQueue<MovableFunction<void()>> local_queue_;

  // Remote spawns: pushed by any core under the lock, drained by this core.
  SpinLock remote_lock_;
  RingQueue<MovableFunction<void()>> remote_queue_;
  std::atomic<bool> wake_pending_{false};

  Vector<IdleEntry> idle_handlers_;
  IdleHandlerId next_idle_id_ = 1;

  // Stacks: the one running now, free ones, and every one ever allocated (freed when the
  // loop stops, including those of events still suspended then).
  void* active_stack_ = nullptr;
  void* abandoned_stack_ = nullptr;
  Vector<void*> free_stacks_;
  Vector<void*> all_stacks_;
  uintptr_t thread_sp_ = 0;  // The core thread's own context, resumed at stop.

  // RCU: callbacks not yet in a grace period, the batch waiting for one, and the
  // snapshot of every core's quiescent count taken when that batch started.
  Vector<MovableFunction<void()>> rcu_next_;
  Vector<MovableFunction<void()>> rcu_waiting_;
  Vector<uint64_t> rcu_snapshot_;
  std::atomic<uint64_t> quiescent_count_{0};
  std::atomic<bool> sleeping_{false};

  std::atomic<uint64_t> events_run_{0};
};

inline constexpr EbbRef<EventManager> event_manager{kEventManagerId};

inline void SpawnLocal(MovableFunction<void()> fn) { event_manager->SpawnLocal(std::move(fn)); }

// Callable from any core (not from threads that are not cores).
inline void SpawnRemote(MovableFunction<void()> fn, size_t core) {
  event_manager->SpawnRemote(std::move(fn), core);
}

inline void CallRcu(MovableFunction<void()> fn) { event_manager->CallRcu(std::move(fn)); }

// Ends the runtime: every core's loop returns after its current event, and the call
// that started the cores (hosted: ebbrt::Run) returns `exit_status`.
void Stop(int exit_status = 0);
// The status given to Stop().
int StopStatus();

}  // namespace ebbrt
