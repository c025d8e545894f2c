// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/event/timer.h"

#include <algorithm>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/event/internal/platform.h"

namespace ebbrt {

void Timer::Push(Entry entry) {
  heap_.PushBack(std::move(entry));
  std::push_heap(heap_.begin(), heap_.end(), &Later);
}

Timer::Id Timer::Start(uint64_t delay_ns, MovableFunction<void()> fn, bool periodic) {
  EBBRT_CHECK_MSG(!periodic || delay_ns > 0, "a periodic timer needs a period > 0");
  Id id = next_id_++;
  Push(Entry{event_internal::PlatformNowNs() + delay_ns, next_sequence_++, id,
             periodic ? delay_ns : 0, std::move(fn)});
  return id;
}

bool Timer::Cancel(Id id) {
  if (id == running_id_) {
    bool was_pending = !running_cancelled_;
    running_cancelled_ = true;
    return was_pending;
  }
  for (size_t i = 0; i < heap_.Size(); ++i) {
    if (heap_[i].id == id) {
      heap_.SwapRemove(i);
      std::make_heap(heap_.begin(), heap_.end(), &Later);
      return true;
    }
  }
  return false;
}

uint64_t Timer::NextDeadline() const {
  return heap_.Empty() ? event_internal::kNoDeadline : heap_[0].deadline;
}

bool Timer::RunOneExpired() {
  if (heap_.Empty()) return false;
  uint64_t now = event_internal::PlatformNowNs();
  if (heap_[0].deadline > now) return false;
  // Take the entry out before calling it: the callback may start or cancel timers, or
  // block, and the loop may call back in here meanwhile.
  std::pop_heap(heap_.begin(), heap_.end(), &Later);
  Entry entry = std::move(heap_.Back());
  heap_.PopBack();
  if (entry.period == 0) {
    entry.fn();
    return true;
  }
  // Periodic timers never overlap themselves, so one running id is enough.
  Id previous_running = running_id_;
  bool previous_cancelled = running_cancelled_;
  running_id_ = entry.id;
  running_cancelled_ = false;
  entry.fn();
  bool cancelled = running_cancelled_;
  running_id_ = previous_running;
  running_cancelled_ = previous_cancelled;
  if (!cancelled) {
    // Next deadline from the schedule, not from now, so the period does not drift; if we
    // fell more than a period behind, skip to the next future slot.
    uint64_t next = entry.deadline + entry.period;
    uint64_t after = event_internal::PlatformNowNs();
    if (next <= after) next = after + entry.period - (after - entry.deadline) % entry.period;
    entry.deadline = next;
    entry.sequence = next_sequence_++;
    Push(std::move(entry));
  }
  return true;
}

}  // namespace ebbrt
