// SPDX-License-Identifier: Apache-2.0
// Timer: per-core one-shot and periodic timers (one rep per core).
//
// A timer's callback runs as an event on the core that started it, at or after its
// deadline (never before). Timers due at the same instant fire in the order they were
// started. Cancel() of a pending timer guarantees its callback will not run (again).
//
//   auto id = ebbrt::timer->Start(5'000'000, [] { Tick(); });            // once, in 5 ms
//   auto tick = ebbrt::timer->Start(1'000'000, [] { Poll(); }, /*periodic=*/true);
//   ebbrt::timer->Cancel(tick);
#pragma once

#include <stdint.h>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/core/multicore_ebb.h"

namespace ebbrt {

class Timer : public MulticoreEbb<Timer> {
 public:
  using Id = uint64_t;

  Timer() = default;

  // Runs `fn` after `delay_ns` (and then every `delay_ns` if periodic; a periodic delay
  // must be > 0).
  Id Start(uint64_t delay_ns, MovableFunction<void()> fn, bool periodic = false);

  // Returns true if the timer was pending (it will not fire again), false if it already
  // fired (one-shot) or was cancelled before.
  bool Cancel(Id id);

  // Timers pending on this core.
  size_t Pending() const { return heap_.Size() + (running_id_ != 0 && !running_cancelled_); }

  // --- For the event loop -----------------------------------------------------------------
  // The earliest deadline on this core (event_internal::kNoDeadline when none).
  uint64_t NextDeadline() const;
  // Runs one expired timer's callback, if any is due now; returns whether it did.
  bool RunOneExpired();

 private:
  struct Entry {
    uint64_t deadline;
    uint64_t sequence;  // FIFO among equal deadlines.
    Id id;
    uint64_t period;  // 0: one-shot.
    MovableFunction<void()> fn;
  };
  // Min-heap order for std::push_heap/pop_heap (which build max-heaps).
  static bool Later(const Entry& a, const Entry& b) {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.sequence > b.sequence;
  }
  void Push(Entry entry);

  Vector<Entry> heap_;
  Id next_id_ = 1;
  uint64_t next_sequence_ = 0;
  // The periodic timer whose callback is running (it is out of the heap meanwhile).
  Id running_id_ = 0;
  bool running_cancelled_ = false;
};

inline constexpr EbbRef<Timer> timer{kTimerId};

}  // namespace ebbrt
