// The local APIC (xAPIC, memory-mapped) and the boot-time clock calibration: the
// per-core timer interrupt that wakes an idle core, end-of-interrupt, and a TSC-based
// monotonic clock.
//
// Calibration counts TSC and APIC timer ticks across 2 ms of the legacy PIT (channel 2,
// gated through port 0x61), which every PC machine type has. Under KVM, kvmclock would
// give the TSC frequency directly (a later change); under TCG the PIT is what there is.
//
// x2APIC (MSR access) and the TSC-deadline timer are faster where present; the xAPIC MMIO
// interface works everywhere QEMU runs, which is what the native platform needs first.
#pragma once

#include <stdint.h>

namespace ebbrt::x86_64 {

// The timer's interrupt vector and the spurious vector.
inline constexpr uint8_t kApicTimerVector = 0x20;
inline constexpr uint8_t kApicSpuriousVector = 0xff;
// The vector other cores send to wake a sleeping core (SpawnRemote, Stop).
inline constexpr uint8_t kWakeVector = 0x21;

// Enables this core's local APIC, masks the legacy PIC, calibrates the TSC and the APIC
// timer, and installs the timer's handler (which only acknowledges: waking the core from
// hlt is its whole job).
void InitApicAndClock();

// On a secondary core: enables its local APIC with the boot core's calibration.
void InitApicOnSecondaryCore();

// This core's local APIC id.
uint32_t LocalApicId();

// Interprocessor interrupts. Intel SDM Vol. 3A §11.6.1 (ICR), §8.4.4 (MP initialisation).
void SendIpi(uint32_t apic_id, uint8_t vector);
void SendInitIpi(uint32_t apic_id);
void SendStartupIpi(uint32_t apic_id, uint8_t start_page);

// Busy-waits `ns` nanoseconds on the calibrated clock.
void DelayNs(uint64_t ns);

// Monotonic nanoseconds since calibration.
uint64_t NowNs();

// One timer interrupt at (or soon after) `deadline_ns`; replaces any earlier request.
void ArmTimer(uint64_t deadline_ns);

void ApicEndOfInterrupt();

// The calibrated frequencies, for reports.
uint64_t TscHz();
uint64_t ApicTimerHz();

}  // namespace ebbrt::x86_64
