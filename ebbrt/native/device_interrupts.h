// SPDX-License-Identifier: Apache-2.0
// Interrupt vectors for devices. AllocateVector() hands out a free IDT vector; every
// interrupt on it runs `handler` as a fresh event on the core that took the interrupt
// (interrupt vectors are event sources, docs/design.md), never in interrupt context,
// so the handler may do anything an event may: allocate, spawn, block on a future.
//
//   Result<uint8_t> vector = ebbrt::native::AllocateVector([this] { DrainRxRing(); });
//   if (!vector.ok()) return vector.status();
//   // A device's MSI/MSI-X message then names the target core's APIC id
//   // (ebbrt::native::ApicIdOf(core)) and vector.value(); an IPI works too:
//   ebbrt::x86_64::SendIpi(ebbrt::native::ApicIdOf(core), vector.value());
//   ...
//   EBBRT_CHECK_OK(ebbrt::native::FreeVector(vector.value()));  // from an event
//
// What happens in interrupt context is only this: the vector is marked pending on the
// core and the local APIC gets its end-of-interrupt at once. Deferring the EOI until the
// event ran would leave the vector in service, holding off every interrupt of its
// priority class and below (the timer at 0x20 and the wake IPI at 0x21 included) for as
// long as the core's queue takes. Intel SDM Vol. 3A §11.8.3.1 (ISR and priority). That
// is right for edge-triggered sources (MSI/MSI-X, IPIs); a level-triggered source would
// have to be masked at the device until its event ran.
//
// A core takes interrupts only between events, as the event loop is non-preemptive: when
// it has nothing to run (it sleeps with `sti; hlt`, or opens a one-instruction window
// before polling idle handlers) and, on a core whose queue never empties, in the same
// window every few dozen events (PlatformPollBusy, ebbrt/event/internal/platform.h).
// Pending vectors become events right after, queued behind the events already there. Interrupts of
// one vector that arrive before its event is queued are merged into that one event, as
// for any edge-triggered device: the handler looks at the device for all its work. An
// interrupt taken while the core runs no event loop (between ebbrt::Run calls) waits,
// pending, for the next loop on that core.
#pragma once

#include <stdint.h>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"

namespace ebbrt::native {

// The vectors handed out: above the CPU exceptions (0-31) and the runtime's own vectors
// (the APIC timer 0x20 and the wake IPI 0x21, apic.h, with 0x22-0x2f kept for more of
// those), below 0xf0-0xff (the spurious vector 0xff and room for high-priority system
// vectors).
inline constexpr uint8_t kFirstDeviceVector = 0x30;
inline constexpr uint8_t kLastDeviceVector = 0xef;
inline constexpr int kNumDeviceVectors = kLastDeviceVector - kFirstDeviceVector + 1;

// A free vector whose interrupts run `handler` (any number of times, possibly on several
// cores at once: the core that takes each interrupt runs it). Callable from any core,
// before or during ebbrt::Run. kResourceExhausted when all kNumDeviceVectors are taken.
[[nodiscard]] Result<uint8_t> AllocateVector(MovableFunction<void()> handler);

// Gives `vector` back. Must be called from an event. No invocation starts after the RCU
// grace period that follows; the vector can be allocated again then. The handler is
// destroyed once that grace period has ended and every invocation already running has
// returned, including one blocked on a future when FreeVector was called: a handler may
// rely on its captures until it returns. Interrupts that still arrive on the vector
// meanwhile are dropped.
// kInvalidArgument for a vector outside the device range, kNotFound for one that is not
// allocated (or is being freed).
Status FreeVector(uint8_t vector);

// For the event loop's platform (event_platform.cc): queues an event for every vector
// that took an interrupt on this core since the last call. Call with interrupts off.
void QueuePendingVectorEvents();

}  // namespace ebbrt::native
