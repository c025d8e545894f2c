#include "ebbrt/native/arch/x86_64/apic.h"

#include "ebbrt/base/check.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/arch/x86_64/io_port.h"

namespace ebbrt::x86_64 {
namespace {

// Local APIC registers (offsets). Intel SDM Vol. 3A §11.4.1, Table 11-1.
constexpr uintptr_t kId = 0x20;
constexpr uintptr_t kEoi = 0xb0;
constexpr uintptr_t kIcrLow = 0x300;
constexpr uintptr_t kIcrHigh = 0x310;
constexpr uint32_t kIcrDeliveryPending = 1u << 12;
constexpr uint32_t kIcrAssert = 1u << 14;
constexpr uint32_t kIcrInit = 5u << 8;
constexpr uint32_t kIcrStartup = 6u << 8;
constexpr uintptr_t kSpurious = 0xf0;
constexpr uintptr_t kLvtTimer = 0x320;
constexpr uintptr_t kTimerInitialCount = 0x380;
constexpr uintptr_t kTimerCurrentCount = 0x390;
constexpr uintptr_t kTimerDivide = 0x3e0;
constexpr uint32_t kApicEnable = 1u << 8;
constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t kDivideBy1 = 0xb;  // Intel SDM Vol. 3A §11.5.4, Figure 11-10.
constexpr uint32_t kIa32ApicBase = 0x1b;

// The PIT's input clock. Intel 8254 data sheet; the PC's 14.31818 MHz / 12.
constexpr uint64_t kPitHz = 1193182;
// 2 ms of PIT (2386 ticks of 838 ns): the frequencies come out within about 0.05 %,
// and the boot spends 2 ms, not 10, spinning here (under TCG every spin is an instruction).
constexpr uint64_t kCalibrationMs = 2;

volatile uint32_t* g_apic = nullptr;
uint64_t g_tsc_hz = 0;
uint64_t g_apic_hz = 0;
uint64_t g_tsc_start = 0;
// Fixed-point (32 fractional bits) conversion factors: multiplications only, because a
// 128-bit division would need compiler-rt, which native images do not link.
uint64_t g_ns_per_tsc_tick_q32 = 0;
uint64_t g_apic_ticks_per_ns_q32 = 0;

uint64_t MulQ32(uint64_t value, uint64_t factor_q32) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(value) * factor_q32) >> 32);
}

uint32_t Read(uintptr_t reg) { return g_apic[reg / 4]; }
void Write(uintptr_t reg, uint32_t value) { g_apic[reg / 4] = value; }

void MaskLegacyPic() {
  OutB(0x21, 0xff);
  OutB(0xa1, 0xff);
}

struct Sample {
  uint64_t tsc_ticks;
  uint32_t apic_ticks;
};

Sample MeasureOnce() {
  uint16_t count = static_cast<uint16_t>(kPitHz * kCalibrationMs / 1000);
  uint8_t gate = InB(0x61);
  OutB(0x61, static_cast<uint8_t>((gate & ~0x02) | 0x01));  // Gate on, speaker off.
  OutB(0x43, 0xb0);  // Channel 2, lobyte/hibyte, mode 0, binary.
  OutB(0x42, static_cast<uint8_t>(count));
  OutB(0x42, static_cast<uint8_t>(count >> 8));
  // Restart the count: the gate's rising edge reloads it.
  gate = InB(0x61);
  OutB(0x61, static_cast<uint8_t>(gate & ~0x01));
  OutB(0x61, static_cast<uint8_t>(gate | 0x01));
  Write(kTimerDivide, kDivideBy1);
  Write(kLvtTimer, kLvtMasked | kApicTimerVector);
  Write(kTimerInitialCount, 0xffffffff);
  uint64_t tsc_begin = Rdtsc();
  while ((InB(0x61) & 0x20) == 0) {
    __builtin_ia32_pause();
  }
  uint64_t tsc_end = Rdtsc();
  uint32_t apic_elapsed = 0xffffffff - Read(kTimerCurrentCount);
  Write(kTimerInitialCount, 0);
  return Sample{tsc_end - tsc_begin, apic_elapsed};
}

// Counts TSC and APIC timer ticks over kCalibrationMs of PIT channel 2 (mode 0, gate via
// port 0x61 bit 0, output on bit 5), three times, keeping the shortest: a measurement
// only ever runs long (the vCPU was descheduled after the PIT expired, as happens under
// an emulator on a busy host), never short.
void Calibrate() {
  Sample best = MeasureOnce();
  for (int i = 0; i < 2; ++i) {
    Sample sample = MeasureOnce();
    if (sample.tsc_ticks < best.tsc_ticks) best = sample;
  }
  g_tsc_hz = best.tsc_ticks * 1000 / kCalibrationMs;
  g_apic_hz = uint64_t{best.apic_ticks} * 1000 / kCalibrationMs;
  EBBRT_CHECK_MSG(g_tsc_hz > 0 && g_apic_hz > 0, "TSC/APIC timer calibration against the PIT failed");
}

void OnTimer(InterruptFrame&) { ApicEndOfInterrupt(); }

void OnWake(InterruptFrame&) {
  // Waking the core from hlt is all it is for; the loop then looks at its queues.
  ApicEndOfInterrupt();
}

void WaitForIcrIdle() {
  while (Read(kIcrLow) & kIcrDeliveryPending) __builtin_ia32_pause();
}

void WriteIcr(uint32_t apic_id, uint32_t low) {
  WaitForIcrIdle();
  Write(kIcrHigh, apic_id << 24);
  Write(kIcrLow, low);
  WaitForIcrIdle();
}

void OnSpurious(InterruptFrame&) {
  // Spurious interrupts need no EOI (Intel SDM Vol. 3A §11.9).
}

}  // namespace

void InitApicAndClock() {
  uint64_t base = ReadMsr(kIa32ApicBase) & 0xfffff000;
  // Below 4 GiB, so inside the boot identity map; QEMU's MTRRs make it uncacheable.
  g_apic = reinterpret_cast<volatile uint32_t*>(base);
  MaskLegacyPic();
  Write(kSpurious, kApicEnable | kApicSpuriousVector);
  SetInterruptHandler(kApicTimerVector, &OnTimer);
  SetInterruptHandler(kApicSpuriousVector, &OnSpurious);
  SetInterruptHandler(kWakeVector, &OnWake);
  Calibrate();
  g_ns_per_tsc_tick_q32 = (uint64_t{1'000'000'000} << 32) / g_tsc_hz;
  g_apic_ticks_per_ns_q32 = (g_apic_hz << 32) / 1'000'000'000;
  g_tsc_start = Rdtsc();
  // One-shot mode, unmasked, from here on.
  Write(kLvtTimer, kApicTimerVector);
}

void InitApicOnSecondaryCore() {
  Write(kSpurious, kApicEnable | kApicSpuriousVector);
  Write(kTimerDivide, kDivideBy1);
  Write(kLvtTimer, kApicTimerVector);
}

uint32_t LocalApicId() { return Read(kId) >> 24; }

void SendIpi(uint32_t apic_id, uint8_t vector) { WriteIcr(apic_id, kIcrAssert | vector); }

void SendInitIpi(uint32_t apic_id) { WriteIcr(apic_id, kIcrAssert | kIcrInit); }

void SendStartupIpi(uint32_t apic_id, uint8_t start_page) {
  WriteIcr(apic_id, kIcrAssert | kIcrStartup | start_page);
}

void DelayNs(uint64_t ns) {
  uint64_t until = NowNs() + ns;
  while (NowNs() < until) __builtin_ia32_pause();
}

uint64_t NowNs() {
  // A 128-bit product: no overflow for centuries of uptime.
  return MulQ32(Rdtsc() - g_tsc_start, g_ns_per_tsc_tick_q32);
}

void ArmTimer(uint64_t deadline_ns) {
  uint64_t now = NowNs();
  uint64_t wait_ns = deadline_ns > now ? deadline_ns - now : 0;
  uint64_t ticks = MulQ32(wait_ns, g_apic_ticks_per_ns_q32);
  // At least one tick (0 stops the timer); at most what the 32-bit counter holds (the
  // loop re-arms after an early wake-up).
  uint32_t count = ticks == 0 ? 1 : ticks > 0xffffffff ? 0xffffffff : static_cast<uint32_t>(ticks);
  Write(kTimerInitialCount, count);
}

void ApicEndOfInterrupt() { Write(kEoi, 0); }

uint64_t TscHz() { return g_tsc_hz; }
uint64_t ApicTimerHz() { return g_apic_hz; }

}  // namespace ebbrt::x86_64
