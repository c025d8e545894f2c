#include "ebbrt/native/arch/x86_64/apic.h"

#include "ebbrt/base/check.h"
#include "ebbrt/native/arch/x86_64/cpu_state.h"
#include "ebbrt/native/arch/x86_64/interrupts.h"
#include "ebbrt/native/arch/x86_64/io_port.h"

namespace ebbrt::x86_64 {
namespace {

// Local APIC registers, as xAPIC offsets. Intel SDM Vol. 3A §11.4.1, Table 11-1. In
// x2APIC mode the same register is MSR 0x800 + offset / 16 (§11.12.1.2, Table 11-6).
constexpr uintptr_t kId = 0x20;
constexpr uintptr_t kEoi = 0xb0;
constexpr uintptr_t kSpurious = 0xf0;
constexpr uintptr_t kIcrLow = 0x300;
constexpr uintptr_t kIcrHigh = 0x310;
constexpr uintptr_t kLvtTimer = 0x320;
constexpr uintptr_t kTimerInitialCount = 0x380;
constexpr uintptr_t kTimerCurrentCount = 0x390;
constexpr uintptr_t kTimerDivide = 0x3e0;
constexpr uint32_t kX2ApicMsrBase = 0x800;
// x2APIC only: the 64-bit ICR is one MSR (§11.12.9), and a SELF IPI register (§11.12.11).
constexpr uint32_t kX2ApicIcrMsr = 0x830;
constexpr uint32_t kX2ApicSelfIpiMsr = 0x83f;

constexpr uint32_t kIcrDeliveryPending = 1u << 12;  // xAPIC only; reserved in x2APIC mode.
constexpr uint32_t kIcrAssert = 1u << 14;
constexpr uint32_t kIcrInit = 5u << 8;
constexpr uint32_t kIcrStartup = 6u << 8;
constexpr uint32_t kIcrShorthandSelf = 1u << 18;
constexpr uint32_t kApicEnable = 1u << 8;
constexpr uint32_t kLvtMasked = 1u << 16;
// LVT timer mode, bits 18:17. Intel SDM Vol. 3A §11.5.1, Figure 11-8.
constexpr uint32_t kLvtTimerOneShot = 0u << 17;
constexpr uint32_t kLvtTimerTscDeadline = 2u << 17;
constexpr uint32_t kDivideBy1 = 0xb;  // Intel SDM Vol. 3A §11.5.4, Figure 11-10.

constexpr uint32_t kIa32ApicBase = 0x1b;
// IA32_APIC_BASE: EN (bit 11) enables the local APIC, EXTD (bit 10) selects x2APIC mode.
// Intel SDM Vol. 3A §11.12.1, Figure 11-26.
constexpr uint64_t kApicBaseEnable = 1u << 11;
constexpr uint64_t kApicBaseX2Apic = 1u << 10;
constexpr uint64_t kApicBaseAddressMask = 0xffffff000;
constexpr uint32_t kIa32TscDeadline = 0x6e0;  // Intel SDM Vol. 3A §11.5.4.1.

// The PIT's input clock. Intel 8254 data sheet; the PC's 14.31818 MHz / 12.
constexpr uint64_t kPitHz = 1193182;
// 2 ms of PIT (2386 ticks of 838 ns): the frequencies come out within about 0.05 %,
// and the boot spends 2 ms, not 10, spinning here (under TCG every spin is an instruction).
constexpr uint64_t kCalibrationMs = 2;
// The longest single timer request: the fixed-point products below stay in 64 bits, and
// the event loop re-arms after a wake-up that came early.
constexpr uint64_t kMaxWaitNs = 1'000'000'000'000;  // 1000 s.

// Chosen on the boot core before any other core starts; read-only afterwards.
ApicMode g_apic_mode = ApicMode::kXApic;
TimerMode g_timer_mode = TimerMode::kOneShotCount;
volatile uint32_t* g_apic = nullptr;  // xAPIC mode only.
uint64_t g_tsc_hz = 0;
uint64_t g_apic_hz = 0;
uint64_t g_tsc_start = 0;
// Fixed-point (32 fractional bits) conversion factors: multiplications only, because a
// 128-bit division would need compiler-rt, which native images do not link.
uint64_t g_ns_per_tsc_tick_q32 = 0;
uint64_t g_apic_ticks_per_ns_q32 = 0;
uint64_t g_tsc_ticks_per_ns_q32 = 0;

uint64_t MulQ32(uint64_t value, uint64_t factor_q32) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(value) * factor_q32) >> 32);
}

// (numerator << 32) / denominator without overflowing 64 bits (denominator < 2^32).
uint64_t RatioQ32(uint64_t numerator, uint64_t denominator) {
  return ((numerator / denominator) << 32) + ((numerator % denominator) << 32) / denominator;
}

bool X2Apic() { return g_apic_mode == ApicMode::kX2Apic; }

uint32_t Read(uintptr_t reg) {
  if (X2Apic()) return static_cast<uint32_t>(ReadMsr(kX2ApicMsrBase + reg / 16));
  return g_apic[reg / 4];
}

void Write(uintptr_t reg, uint32_t value) {
  if (X2Apic()) {
    WriteMsr(kX2ApicMsrBase + reg / 16, value);
  } else {
    g_apic[reg / 4] = value;
  }
}

uint32_t TimerModeBits() {
  return g_timer_mode == TimerMode::kTscDeadline ? kLvtTimerTscDeadline : kLvtTimerOneShot;
}

// Unmasks the timer in the chosen mode.
void SetUpTimer() {
  Write(kTimerDivide, kDivideBy1);
  Write(kLvtTimer, TimerModeBits() | kApicTimerVector);
  // The memory-mapped LVT write must be ordered before any later WRMSR to
  // IA32_TSC_DEADLINE, or that write may be ignored. Intel SDM Vol. 3A §11.5.4.1.
  if (!X2Apic()) asm volatile("mfence" ::: "memory");
}

// Puts this core's local APIC in the chosen mode. xAPIC to x2APIC (and disabled to
// x2APIC) are legal transitions; the reverse would fault, and is never asked for.
// Intel SDM Vol. 3A §11.12.5, Figure 11-27.
void EnterApicMode() {
  uint64_t base = ReadMsr(kIa32ApicBase) | kApicBaseEnable;
  if (X2Apic()) base |= kApicBaseX2Apic;
  WriteMsr(kIa32ApicBase, base);
  Write(kSpurious, kApicEnable | kApicSpuriousVector);
}

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
  Write(kLvtTimer, kLvtMasked | kLvtTimerOneShot | kApicTimerVector);
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
// an emulator on a busy host), never short. The APIC timer's rate is measured in
// TSC-deadline mode too: reports show it, and it costs nothing extra.
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

void OnSpurious(InterruptFrame&) {
  // Spurious interrupts need no EOI (Intel SDM Vol. 3A §11.9).
}

void WaitForIcrIdle() {
  while (Read(kIcrLow) & kIcrDeliveryPending) __builtin_ia32_pause();
}

void WriteIcr(uint32_t apic_id, uint32_t low) {
  if (X2Apic()) {
    // WRMSR to an x2APIC register is not serializing: without the fences the IPI could
    // reach its target before this core's earlier stores (the remote queue it is meant
    // to announce) are visible there. Intel SDM Vol. 3A §11.12.3. One 64-bit write with
    // the 32-bit destination on top, and no delivery status to poll (§11.12.9).
    asm volatile("mfence; lfence" ::: "memory");
    WriteMsr(kX2ApicIcrMsr, (uint64_t{apic_id} << 32) | low);
    return;
  }
  WaitForIcrIdle();
  Write(kIcrHigh, apic_id << 24);
  Write(kIcrLow, low);
  WaitForIcrIdle();
}

}  // namespace

void InitApicAndClock() {
  g_apic_mode = CpuHas(kCpuidX2Apic) ? ApicMode::kX2Apic : ApicMode::kXApic;
  g_timer_mode = CpuHas(kCpuidTscDeadline) ? TimerMode::kTscDeadline : TimerMode::kOneShotCount;
  // Below 4 GiB, so inside the boot identity map; QEMU's MTRRs make it uncacheable.
  g_apic = reinterpret_cast<volatile uint32_t*>(ReadMsr(kIa32ApicBase) & kApicBaseAddressMask);
  MaskLegacyPic();
  EnterApicMode();
  SetInterruptHandler(kApicTimerVector, &OnTimer);
  SetInterruptHandler(kApicSpuriousVector, &OnSpurious);
  SetInterruptHandler(kWakeVector, &OnWake);
  Calibrate();
  g_ns_per_tsc_tick_q32 = RatioQ32(1'000'000'000, g_tsc_hz);
  g_apic_ticks_per_ns_q32 = RatioQ32(g_apic_hz, 1'000'000'000);
  g_tsc_ticks_per_ns_q32 = RatioQ32(g_tsc_hz, 1'000'000'000);
  g_tsc_start = Rdtsc();
  SetUpTimer();
}

void InitApicOnSecondaryCore() {
  EnterApicMode();
  SetUpTimer();
}

ApicMode CurrentApicMode() { return g_apic_mode; }
TimerMode CurrentTimerMode() { return g_timer_mode; }

const char* ApicModeName(ApicMode mode) { return mode == ApicMode::kX2Apic ? "x2APIC" : "xAPIC"; }

const char* TimerModeName(TimerMode mode) {
  return mode == TimerMode::kTscDeadline ? "TSC-deadline" : "one-shot count";
}

uint32_t LocalApicId() {
  // The x2APIC id register holds all 32 bits; the xAPIC one keeps its 8 on top.
  return X2Apic() ? Read(kId) : Read(kId) >> 24;
}

void SendIpi(uint32_t apic_id, uint8_t vector) { WriteIcr(apic_id, kIcrAssert | vector); }

void SendInitIpi(uint32_t apic_id) { WriteIcr(apic_id, kIcrAssert | kIcrInit); }

void SendStartupIpi(uint32_t apic_id, uint8_t start_page) {
  WriteIcr(apic_id, kIcrAssert | kIcrStartup | start_page);
}

void SendSelfIpi(uint8_t vector) {
  if (X2Apic()) {
    WriteMsr(kX2ApicSelfIpiMsr, vector);
    return;
  }
  WriteIcr(0, kIcrShorthandSelf | kIcrAssert | vector);
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
  if (wait_ns > kMaxWaitNs) wait_ns = kMaxWaitNs;
  if (g_timer_mode == TimerMode::kTscDeadline) {
    // An absolute TSC value; one already passed fires at once, 0 would disarm (never
    // happens: the sum is after g_tsc_start). The extra tick rounds up, so the interrupt
    // does not come a conversion error before NowNs() reaches the deadline.
    WriteMsr(kIa32TscDeadline, g_tsc_start + MulQ32(now + wait_ns, g_tsc_ticks_per_ns_q32) + 1);
    return;
  }
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
