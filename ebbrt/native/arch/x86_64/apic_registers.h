// SPDX-License-Identifier: Apache-2.0
// The local APIC's register encodings as pure functions: which MSR holds an x2APIC
// register, the ICR's layout in each mode, the LVT timer's mode bits, what
// IA32_APIC_BASE must hold for each mode, and the clock's fixed-point conversions.
//
// apic.cc programs the hardware with these. They live apart, free of inline assembly, so
// that a hosted unit test (apic_registers_test.cc) checks them against the manual's
// tables: QEMU 7.2's TCG offers neither x2APIC nor the TSC-deadline timer, so no native
// test here runs the code paths that use most of them.
//
//   WriteMsr(X2ApicMsr(kApicEoi), 0);                 // x2APIC end-of-interrupt
//   WriteMsr(kX2ApicIcrMsr, X2ApicIcr(apic_id, kIcrAssert | vector));
#pragma once

#include <stdint.h>

#include "ebbrt/native/arch/x86_64/fixed_point.h"

namespace ebbrt::x86_64 {

enum class ApicMode : uint8_t {
  kXApic,   // Memory-mapped registers. Intel SDM Vol. 3A §11.4.1.
  kX2Apic,  // MSRs. Intel SDM Vol. 3A §11.12 (x2APIC).
};

enum class TimerMode : uint8_t {
  kOneShotCount,  // The APIC timer counts down from a tick count. Intel SDM Vol. 3A §11.5.4.
  kTscDeadline,   // Fires when the TSC reaches a value. Intel SDM Vol. 3A §11.5.4.1.
};

// Local APIC registers, as xAPIC offsets. Intel SDM Vol. 3A §11.4.1, Table 11-1.
inline constexpr uintptr_t kApicId = 0x20;
inline constexpr uintptr_t kApicEoi = 0xb0;
inline constexpr uintptr_t kApicSpurious = 0xf0;
inline constexpr uintptr_t kApicIcrLow = 0x300;
inline constexpr uintptr_t kApicIcrHigh = 0x310;
inline constexpr uintptr_t kApicLvtTimer = 0x320;
inline constexpr uintptr_t kApicTimerInitialCount = 0x380;
inline constexpr uintptr_t kApicTimerCurrentCount = 0x390;
inline constexpr uintptr_t kApicTimerDivide = 0x3e0;

// In x2APIC mode the register at xAPIC offset `offset` is this MSR.
// Intel SDM Vol. 3A §11.12.1.2, Table 11-6.
constexpr uint32_t X2ApicMsr(uintptr_t offset) { return static_cast<uint32_t>(0x800 + offset / 16); }
// x2APIC only: the 64-bit ICR is one MSR (§11.12.9), and a SELF IPI register (§11.12.11).
inline constexpr uint32_t kX2ApicIcrMsr = 0x830;
inline constexpr uint32_t kX2ApicSelfIpiMsr = 0x83f;

// ICR low word. Intel SDM Vol. 3A §11.6.1, Figure 11-12.
inline constexpr uint32_t kIcrDeliveryPending = 1u << 12;  // xAPIC only; reserved in x2APIC.
inline constexpr uint32_t kIcrAssert = 1u << 14;
inline constexpr uint32_t kIcrInit = 5u << 8;
inline constexpr uint32_t kIcrStartup = 6u << 8;
inline constexpr uint32_t kIcrShorthandSelf = 1u << 18;

// The physical destination: bits 63:56 of the xAPIC ICR (its high word's top byte), bits
// 63:32 of the x2APIC ICR, which is written whole. Intel SDM Vol. 3A §11.12.9.
constexpr uint32_t XApicIcrHigh(uint32_t apic_id) { return apic_id << 24; }
constexpr uint64_t X2ApicIcr(uint32_t apic_id, uint32_t low) { return (uint64_t{apic_id} << 32) | low; }

// The id register keeps the 8-bit xAPIC id in its top byte; the x2APIC one is all 32 bits.
constexpr uint32_t ApicIdFromRegister(ApicMode mode, uint32_t value) {
  return mode == ApicMode::kX2Apic ? value : value >> 24;
}

inline constexpr uint32_t kApicSoftwareEnable = 1u << 8;  // Spurious register.
// LVT timer: vector, mask (bit 16), mode (bits 18:17: 00 one-shot, 10 TSC-deadline).
// Intel SDM Vol. 3A §11.5.1, Figure 11-8.
inline constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t LvtTimer(TimerMode mode, uint8_t vector) {
  return (mode == TimerMode::kTscDeadline ? 2u << 17 : 0u) | vector;
}
inline constexpr uint32_t kTimerDivideBy1 = 0xb;  // Intel SDM Vol. 3A §11.5.4, Figure 11-10.

// IA32_APIC_BASE: EN (bit 11) enables the local APIC, EXTD (bit 10) selects x2APIC mode.
// Intel SDM Vol. 3A §11.12.1, Figure 11-26. xAPIC to x2APIC and disabled to x2APIC are
// legal transitions (§11.12.5, Figure 11-27); EXTD is only ever set, never cleared.
inline constexpr uint32_t kIa32ApicBaseMsr = 0x1b;
inline constexpr uint64_t kApicBaseAddressMask = 0xffffff000;
constexpr uint64_t ApicBaseFor(ApicMode mode, uint64_t current) {
  return current | (uint64_t{1} << 11) | (mode == ApicMode::kX2Apic ? uint64_t{1} << 10 : 0);
}

inline constexpr uint32_t kIa32TscDeadlineMsr = 0x6e0;  // Intel SDM Vol. 3A §11.5.4.1.

// The IA32_TSC_DEADLINE value for `deadline_ns` on the clock that reads 0 at `tsc_start`.
// The extra tick rounds up, so the interrupt does not come a conversion error before the
// clock reaches the deadline; the result is never 0 (which would disarm the timer).
constexpr uint64_t TscDeadlineFor(uint64_t tsc_start, uint64_t deadline_ns, uint64_t tsc_ticks_per_ns_q32) {
  return tsc_start + MulQ32(deadline_ns, tsc_ticks_per_ns_q32) + 1;
}

// The one-shot initial count for a wait: at least 1 (0 stops the timer), at most what the
// 32-bit counter holds (the event loop re-arms after an early wake-up).
constexpr uint32_t OneShotCountFor(uint64_t wait_ns, uint64_t apic_ticks_per_ns_q32) {
  uint64_t ticks = MulQ32(wait_ns, apic_ticks_per_ns_q32);
  return ticks == 0 ? 1 : ticks > 0xffffffff ? 0xffffffff : static_cast<uint32_t>(ticks);
}

}  // namespace ebbrt::x86_64
