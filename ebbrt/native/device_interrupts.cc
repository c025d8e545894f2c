// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/device_interrupts.h"

#include <atomic>
#include <utility>

#include "ebbrt/base/spin_lock.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/internal/platform.h"
#include "ebbrt/native/arch/x86_64/apic.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"

namespace ebbrt::native {
namespace {

// An installed handler and its references: one held by the slot from AllocateVector
// until FreeVector's grace period ends, and one per invocation in progress, held from
// before the call until the call returns, across any blocking inside it. A handler may
// block (device_interrupts.h), and a blocked event holds no RCU read-side protection
// (event_manager.h), so the grace period alone cannot keep a running handler alive; the
// count does. Whoever drops the last reference deletes it. The count is an atomic shared
// across cores because one vector's handler may run on several cores at once; it is
// touched once before and once after each call, never in interrupt context.
struct Handler {
  explicit Handler(MovableFunction<void()> fn) : fn(std::move(fn)) {}
  MovableFunction<void()> fn;
  std::atomic<uint32_t> references{1};  // The slot's.
};

void Unreference(Handler* handler) {
  if (handler->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete handler;
}

enum class SlotState : uint8_t { kFree, kAllocated, kFreeing };

struct Slot {
  SlotState state = SlotState::kFree;  // Under g_lock.
  // Read by any core running the vector's event without the lock. The slot's reference
  // is dropped through RCU, so a pointer read here stays valid until this event next
  // blocks or returns; RunHandler takes its own reference before either.
  std::atomic<Handler*> handler{nullptr};
  // Bumped by every allocation and free, so an event queued for an interrupt of an
  // earlier owner does not run a later owner's handler.
  std::atomic<uint64_t> generation{0};
};

Slot g_slots[kNumDeviceVectors];
// Allocation and freeing are rare and may come from any core; dispatch takes no lock.
SpinLock g_lock;

// Vectors that took an interrupt, per core, one bit each. Only the owning core touches
// its row, from the interrupt handler and from QueuePendingVectorEvents with interrupts
// off, so plain words suffice: the handler runs only inside the `sti; ...; cli` windows,
// whose asm statements clobber memory.
constexpr int kPendingWords = 4;  // 256 vectors.
uint64_t g_pending[kMaxCores][kPendingWords];

Slot& SlotOf(uint8_t vector) { return g_slots[vector - kFirstDeviceVector]; }

bool IsDeviceVector(uint8_t vector) {
  return vector >= kFirstDeviceVector && vector <= kLastDeviceVector;
}

void OnDeviceInterrupt(x86_64::InterruptFrame& frame) {
  uint64_t vector = frame.vector;
  g_pending[MyCore()][vector / 64] |= uint64_t{1} << (vector % 64);
  x86_64::ApicEndOfInterrupt();
}

void RunHandler(uint8_t vector, uint64_t generation) {
  Slot& slot = SlotOf(vector);
  Handler* handler = slot.handler.load(std::memory_order_acquire);
  // Freed (or freed and allocated again) since the interrupt: not this handler's.
  if (handler == nullptr || slot.generation.load(std::memory_order_acquire) != generation) return;
  // Safe to take: the slot's reference is dropped only after a grace period, which cannot
  // end before this event blocks or returns. The call may block; this reference, not
  // RCU, keeps the handler alive until it returns.
  handler->references.fetch_add(1, std::memory_order_relaxed);
  handler->fn();
  Unreference(handler);
}

}  // namespace

Result<uint8_t> AllocateVector(MovableFunction<void()> handler) {
  if (!handler) return Status(StatusCode::kInvalidArgument, "AllocateVector: empty handler");
  SpinLockGuard guard(g_lock);
  for (int i = 0; i < kNumDeviceVectors; ++i) {
    Slot& slot = g_slots[i];
    if (slot.state != SlotState::kFree) continue;
    auto vector = static_cast<uint8_t>(kFirstDeviceVector + i);
    slot.state = SlotState::kAllocated;
    slot.generation.fetch_add(1, std::memory_order_acq_rel);
    slot.handler.store(new Handler(std::move(handler)), std::memory_order_release);
    x86_64::SetInterruptHandler(vector, &OnDeviceInterrupt);
    return vector;
  }
  return Status(StatusCode::kResourceExhausted,
                "AllocateVector: no free interrupt vector (all device vectors 0x30-0xef in use)");
}

Status FreeVector(uint8_t vector) {
  if (!IsDeviceVector(vector)) {
    return Status(StatusCode::kInvalidArgument, "FreeVector: not a device vector (0x30-0xef)");
  }
  Handler* handler;
  {
    SpinLockGuard guard(g_lock);
    Slot& slot = SlotOf(vector);
    if (slot.state != SlotState::kAllocated) {
      return Status(StatusCode::kNotFound, "FreeVector: vector is not allocated");
    }
    slot.state = SlotState::kFreeing;
    slot.generation.fetch_add(1, std::memory_order_acq_rel);
    handler = slot.handler.exchange(nullptr, std::memory_order_acq_rel);
  }
  // The IDT entry keeps leading to OnDeviceInterrupt: a late interrupt is dropped by
  // RunHandler rather than reported as an unexpected vector.
  // After the grace period no event can still be between reading the slot and taking its
  // own reference; invocations still running (blocked) hold theirs, and the last one out
  // deletes the handler. The vector can be reused meanwhile: the generation check keeps a
  // new owner's interrupts away from the old handler.
  CallRcu([vector, handler] {
    Unreference(handler);
    SpinLockGuard guard(g_lock);
    SlotOf(vector).state = SlotState::kFree;
  });
  return Status::Ok();
}

void QueuePendingVectorEvents() {
  uint64_t* pending = g_pending[MyCore()];
  for (int word = 0; word < kPendingWords; ++word) {
    while (pending[word] != 0) {
      int bit = __builtin_ctzll(pending[word]);
      pending[word] &= pending[word] - 1;
      auto vector = static_cast<uint8_t>(word * 64 + bit);
      uint64_t generation = SlotOf(vector).generation.load(std::memory_order_acquire);
      event_internal::QueueLocalEvent([vector, generation] { RunHandler(vector, generation); });
    }
  }
}

}  // namespace ebbrt::native
