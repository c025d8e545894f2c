// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/event/event_manager.h"

#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/core/local_id_map.h"
#include "ebbrt/event/context_switch.h"
#include "ebbrt/event/internal/platform.h"
#include "ebbrt/event/timer.h"

namespace ebbrt {
namespace {

std::atomic<bool> g_stop_requested{false};
std::atomic<int> g_stop_status{0};

// While a grace period is pending, a core re-checks at least this often even if
// nothing else wakes it (other cores do not notify it when they pass quiescent points).
constexpr uint64_t kRcuPollIntervalNs = 1'000'000;

void* StackTop(void* base) { return static_cast<char*>(base) + EventManager::kStackSize; }

}  // namespace

EventManager::EventManager(EventManagerRoot& root) : root_(root), core_(MyCore()) {}

EventManager::~EventManager() {
  for (void* stack : all_stacks_) {
    event_internal::PlatformFreeStack(stack, kStackSize);
  }
}

void EventManager::SpawnLocal(MovableFunction<void()> fn) {
  local_queue_.Push(std::move(fn));
}

void EventManager::SpawnRemote(MovableFunction<void()> fn, size_t core) {
  EBBRT_CHECK_MSG(core < NumCores(), "SpawnRemote to a core that does not exist");
  if (core == core_) {
    SpawnLocal(std::move(fn));
    return;
  }
  EventManager* target = root_.RepOf(core);
  EBBRT_CHECK_MSG(target != nullptr, "SpawnRemote to a core whose loop has not started");
  target->PushRemote(std::move(fn));
}

void EventManager::SpawnOnCore(MovableFunction<void()> fn, size_t core) {
  EBBRT_CHECK_MSG(core < NumCores(), "SpawnOnCore to a core that does not exist");
  EventManager* target = RootOf(event_manager).RepOf(core);
  EBBRT_CHECK_MSG(target != nullptr, "SpawnOnCore to a core whose loop has not started");
  target->PushRemote(std::move(fn));
}

void EventManager::PushRemote(MovableFunction<void()> fn) {
  {
    SpinLockGuard guard(remote_lock_);
    remote_queue_.Push(std::move(fn));
  }
  // Notify (a system call hosted, an IPI natively) only a core that may be asleep. Sleep()
  // sets sleeping_ and then re-reads wake_pending_, and we set wake_pending_ and then
  // read sleeping_, all sequentially consistent: either it sees our flag and does not
  // sleep, or we see it sleeping and wake it. One notification per wake-up at most.
  if (!wake_pending_.exchange(true, std::memory_order_seq_cst) &&
      sleeping_.load(std::memory_order_seq_cst)) {
    event_internal::PlatformNotify(core_);
  }
}

EventManager::IdleHandlerId EventManager::AddIdleHandler(MovableFunction<void()> fn) {
  IdleHandlerId id = next_idle_id_++;
  idle_handlers_.PushBack(IdleEntry{id, std::move(fn)});
  return id;
}

void EventManager::RemoveIdleHandler(IdleHandlerId id) {
  for (size_t i = 0; i < idle_handlers_.Size(); ++i) {
    if (idle_handlers_[i].id == id) {
      // Clear rather than erase: RunIdleHandlers may be iterating; it compacts.
      idle_handlers_[i].fn.Reset();
      return;
    }
  }
}

void EventManager::SaveContext(EventContext& ctx) {
  EBBRT_CHECK_MSG(active_stack_ != nullptr, "SaveContext outside an event");
  ctx.core = core_;
  ctx.stack = active_stack_;
  active_stack_ = AcquireStack();
  // This event is done for now as far as RCU is concerned (see the header).
  MarkQuiescent();
  ebbrt_context_start(&ctx.sp, StackTop(active_stack_), &LoopEntry, this);
  // Resumed by SwitchTo: we are back on ctx.stack; the stack we came from is free.
  ReleaseAbandonedStack();
}

void EventManager::ActivateContext(EventContext&& ctx) {
  EBBRT_CHECK_MSG(ctx.core == core_, "ActivateContext on another core than SaveContext's");
  EBBRT_CHECK_MSG(ctx.sp != 0, "ActivateContext of a context that was never saved");
  EventContext resume = ctx;
  ctx = EventContext{};
  SpawnLocal([this, resume] { SwitchTo(resume); });
}

void EventManager::SwitchTo(const EventContext& ctx) {
  // The current stack is abandoned mid-event (this lambda's frame); the resumed event
  // releases it once it is off it.
  abandoned_stack_ = active_stack_;
  active_stack_ = ctx.stack;
  MarkQuiescent();
  events_run_.store(events_run_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  ebbrt_context_jump(ctx.sp);
}

void EventManager::CallRcu(MovableFunction<void()> fn) { rcu_next_.PushBack(std::move(fn)); }

void* EventManager::AcquireStack() {
  if (!free_stacks_.Empty()) {
    void* stack = free_stacks_.Back();
    free_stacks_.PopBack();
    return stack;
  }
  void* stack = event_internal::PlatformAllocateStack(kStackSize);
  EBBRT_CHECK_MSG(stack != nullptr, "out of memory for event stacks");
  all_stacks_.PushBack(stack);
  return stack;
}

void EventManager::ReleaseAbandonedStack() {
  if (abandoned_stack_ != nullptr) {
    free_stacks_.PushBack(abandoned_stack_);
    abandoned_stack_ = nullptr;
  }
}

void EventManager::RunLoopUntilStopped() {
  EBBRT_CHECK_MSG(active_stack_ == nullptr, "event loop started twice on one core");
  active_stack_ = AcquireStack();
  ebbrt_context_start(&thread_sp_, StackTop(active_stack_), &LoopEntry, this);
  // ExitLoop jumped back here; nothing runs on any event stack any more.
  ReleaseAbandonedStack();
}

void EventManager::LoopEntry(void* self) {
  auto* manager = static_cast<EventManager*>(self);
  // A fresh stack may start because the previous one was left by SwitchTo.
  manager->ReleaseAbandonedStack();
  manager->Loop();
}

void EventManager::ExitLoop() {
  abandoned_stack_ = active_stack_;
  active_stack_ = nullptr;
  ebbrt_context_jump(thread_sp_);
}

void EventManager::RunEvent(MovableFunction<void()>& fn) {
  fn();
  fn.Reset();
  MarkQuiescent();
  events_run_.store(events_run_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void EventManager::DrainRemoteQueue() {
  if (!wake_pending_.load(std::memory_order_acquire)) return;
  wake_pending_.store(false, std::memory_order_release);
  SpinLockGuard guard(remote_lock_);
  while (!remote_queue_.Empty()) local_queue_.Push(remote_queue_.Pop());
}

void EventManager::RunIdleHandlers() {
  // Handlers may add or remove handlers; added ones wait for the next round.
  size_t count = idle_handlers_.Size();
  for (size_t i = 0; i < count && i < idle_handlers_.Size(); ++i) {
    if (idle_handlers_[i].fn) {
      idle_handlers_[i].fn();
      MarkQuiescent();
    }
  }
  for (size_t i = 0; i < idle_handlers_.Size();) {
    if (!idle_handlers_[i].fn) {
      idle_handlers_.SwapRemove(i);
    } else {
      ++i;
    }
  }
}

void EventManager::Sleep() {
  // A grace period that can already end (all other cores asleep or moved on, or no other
  // cores) should not wait for the poll interval.
  if (!rcu_waiting_.Empty() && RcuGracePeriodOver()) return;
  uint64_t deadline = timer->NextDeadline();
  if (!rcu_waiting_.Empty() || !rcu_next_.Empty()) {
    uint64_t rcu_deadline = event_internal::PlatformNowNs() + kRcuPollIntervalNs;
    if (rcu_deadline < deadline) deadline = rcu_deadline;
  }
  MarkQuiescent();
  sleeping_.store(true, std::memory_order_seq_cst);
  if (!wake_pending_.load(std::memory_order_seq_cst) &&
      !g_stop_requested.load(std::memory_order_acquire)) {
    event_internal::PlatformWait(deadline);
  }
  sleeping_.store(false, std::memory_order_seq_cst);
}

void EventManager::Loop() {
  Timer& timer = ebbrt::timer.GetRep();
  // Timers are checked (which reads the clock) when the queue is empty, and otherwise
  // every kEventsBetweenChecks events, together with the platform's event sources
  // (PlatformPollBusy; natively the interrupt window that turns pending device vectors
  // into events), which an empty queue reaches through PlatformPoll or PlatformWait. A
  // due timer or a device interrupt waits behind at most that many events before it is
  // queued, and a busy core pays neither a clock read nor an interrupt window per event.
  constexpr int kEventsBetweenChecks = 32;
  int events_since_check = 0;
  while (true) {
    if (g_stop_requested.load(std::memory_order_acquire)) ExitLoop();
    DrainRemoteQueue();
    bool queue_empty = local_queue_.Empty();
    if (queue_empty || ++events_since_check >= kEventsBetweenChecks) {
      events_since_check = 0;
      if (!queue_empty) event_internal::PlatformPollBusy();
      if (timer.RunOneExpired()) {
        MarkQuiescent();
        continue;  // It ran an event; look at the queues again.
      }
    }
    RcuPoll();
    if (!local_queue_.Empty()) {
      MovableFunction<void()> fn = local_queue_.Pop();
      RunEvent(fn);
      continue;
    }
    if (!idle_handlers_.Empty()) {
      event_internal::PlatformPoll();
      RunIdleHandlers();
      continue;
    }
    Sleep();
  }
}

// --- RCU ---------------------------------------------------------------------------------
// A core passes a quiescent point after each event and whenever it goes to sleep. A batch
// of callbacks waits for every core to pass one after the batch started (or to be asleep,
// which is a quiescent state), then runs here as ordinary events.

bool EventManager::RcuGracePeriodOver() const {
  size_t cores = rcu_snapshot_.Size();
  for (size_t core = 0; core < cores; ++core) {
    if (core == core_) continue;  // We are between events right now.
    EventManager* other = root_.RepOf(core);
    if (other == nullptr) continue;  // Not started: it holds nothing.
    if (other->sleeping_.load(std::memory_order_seq_cst)) continue;
    if (other->quiescent_count_.load(std::memory_order_acquire) <= rcu_snapshot_[core]) {
      return false;
    }
  }
  return true;
}

void EventManager::RcuPoll() {
  if (!rcu_waiting_.Empty()) {
    if (!RcuGracePeriodOver()) return;
    for (auto& fn : rcu_waiting_) SpawnLocal(std::move(fn));
    rcu_waiting_.Clear();
  }
  if (rcu_next_.Empty()) return;
  // Start a grace period for everything queued so far.
  rcu_waiting_ = std::move(rcu_next_);
  rcu_next_ = Vector<MovableFunction<void()>>();
  rcu_snapshot_.Clear();
  size_t cores = NumCores();
  for (size_t core = 0; core < cores; ++core) {
    EventManager* other = root_.RepOf(core);
    rcu_snapshot_.PushBack(
        other == nullptr ? 0 : other->quiescent_count_.load(std::memory_order_acquire));
  }
}

// --- For the platform ---------------------------------------------------------------------

namespace event_internal {
void QueueLocalEvent(MovableFunction<void()> fn) { event_manager->SpawnLocal(std::move(fn)); }
}  // namespace event_internal

// --- Stopping ------------------------------------------------------------------------------

void EventManager::StopAll() {
  g_stop_requested.store(true, std::memory_order_release);
  size_t cores = NumCores();
  for (size_t core = 0; core < cores; ++core) event_internal::PlatformNotify(core);
}

void EventManager::DestroyRuntimeEbbs() {
  delete static_cast<EventManagerRoot*>(LocalIdMap::Unbind(kEventManagerId));
  delete static_cast<MulticoreRoot<Timer>*>(LocalIdMap::Unbind(kTimerId));
}

void EventManager::ResetStopFlag() { g_stop_requested.store(false, std::memory_order_release); }

void Stop(int exit_status) {
  g_stop_status.store(exit_status, std::memory_order_relaxed);
  EventManager::StopAll();
}

int StopStatus() { return g_stop_status.load(std::memory_order_relaxed); }

}  // namespace ebbrt
