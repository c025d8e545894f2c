// SPDX-License-Identifier: Apache-2.0
// The local APIC and the boot-time clock calibration: the per-core timer interrupt that
// wakes an idle core, interprocessor interrupts, end-of-interrupt, and a TSC-based
// monotonic clock.
//
// Two choices are made once, on the boot core, from CPUID, and every core follows them:
//   - the register interface: x2APIC (MSRs 0x800 and up) when CPUID.01H:ECX[21] says the
//     CPU has it, otherwise xAPIC (memory-mapped registers at IA32_APIC_BASE);
//   - the timer: TSC-deadline (an absolute TSC value in IA32_TSC_DEADLINE) when
//     CPUID.01H:ECX[24] says so, otherwise the APIC timer's one-shot count mode.
// QEMU 7.2's TCG offers neither (it warns "TCG doesn't support requested feature" for
// `-cpu ...,+x2apic` and `+tsc-deadline`); KVM's in-kernel APIC offers both.
//
// Calibration counts TSC and APIC timer ticks across 2 ms of the legacy PIT (channel 2,
// gated through port 0x61), which every PC machine type has. Under KVM, kvmclock could
// give the TSC frequency directly (not done: the APIC timer needs the PIT anyway); under
// TCG the PIT is what there is. NowNs() reads kvmclock once InitKvmClock() chose it
// (kvmclock.h), the calibrated TSC otherwise.
#pragma once

#include <stdint.h>

#include "ebbrt/native/arch/x86_64/apic_registers.h"  // ApicMode, TimerMode

namespace ebbrt::x86_64 {

// The timer's interrupt vector and the spurious vector.
inline constexpr uint8_t kApicTimerVector = 0x20;
inline constexpr uint8_t kApicSpuriousVector = 0xff;
// The vector other cores send to wake a sleeping core (SpawnRemote, Stop).
inline constexpr uint8_t kWakeVector = 0x21;

// Enables this core's local APIC (in x2APIC mode when the CPU has it), masks the legacy
// PIC, calibrates the TSC and the APIC timer, arms the timer in TSC-deadline mode when
// the CPU has it, and installs the timer's handler (which only acknowledges: waking the
// core from hlt is its whole job).
void InitApicAndClock();

// On a secondary core: enables its local APIC in the boot core's mode, with the boot
// core's calibration and timer mode.
void InitApicOnSecondaryCore();

// What InitApicAndClock chose, and names for them in reports ("x2APIC", "TSC-deadline").
ApicMode CurrentApicMode();
TimerMode CurrentTimerMode();
const char* ApicModeName(ApicMode mode);
const char* TimerModeName(TimerMode mode);

// This core's local APIC id (8 bits in xAPIC mode, 32 in x2APIC mode).
uint32_t LocalApicId();

// Interprocessor interrupts. Intel SDM Vol. 3A §11.6.1 (ICR), §11.12.9 (ICR in x2APIC
// mode), §9.4.4 (MP initialisation). `apic_id` is a physical destination: the 8-bit
// APIC id in xAPIC mode, the 32-bit x2APIC id in x2APIC mode.
void SendIpi(uint32_t apic_id, uint8_t vector);
void SendInitIpi(uint32_t apic_id);
void SendStartupIpi(uint32_t apic_id, uint8_t start_page);
// An interrupt with `vector` to this core. Intel SDM Vol. 3A §11.6.1 (destination
// shorthand "self"), §11.12.11 (SELF IPI register).
void SendSelfIpi(uint8_t vector);

// Busy-waits `ns` nanoseconds on the calibrated clock.
void DelayNs(uint64_t ns);

// Monotonic nanoseconds: kvmclock's system time (since the VM started) when kvmclock is
// the clock, else since calibration.
uint64_t NowNs();

// One timer interrupt at (or soon after) `deadline_ns`; replaces any earlier request.
void ArmTimer(uint64_t deadline_ns);

void ApicEndOfInterrupt();

// The calibrated frequencies, for reports.
uint64_t TscHz();
uint64_t ApicTimerHz();

}  // namespace ebbrt::x86_64
