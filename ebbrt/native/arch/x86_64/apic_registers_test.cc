// SPDX-License-Identifier: Apache-2.0
// The APIC encodings against the manual's tables (Intel SDM Vol. 3A §11.12.1.2 Table
// 11-6, §11.12.9, §11.5.1 Figure 11-8, §11.12.1 Figure 11-26), and the clock's fixed-point
// conversions. Hosted only: this is the one place the x2APIC and TSC-deadline encodings
// are checked, since QEMU 7.2's TCG offers neither feature to a native test.
#include "ebbrt/native/arch/x86_64/apic_registers.h"

#include "gtest/gtest.h"

namespace ebbrt::x86_64 {
namespace {

TEST(ApicRegistersTest, X2ApicMsrsMatchTable11_6) {
  EXPECT_EQ(X2ApicMsr(kApicId), 0x802u);
  EXPECT_EQ(X2ApicMsr(kApicEoi), 0x80bu);
  EXPECT_EQ(X2ApicMsr(kApicSpurious), 0x80fu);
  EXPECT_EQ(X2ApicMsr(kApicIcrLow), kX2ApicIcrMsr);
  EXPECT_EQ(X2ApicMsr(kApicLvtTimer), 0x832u);
  EXPECT_EQ(X2ApicMsr(kApicTimerInitialCount), 0x838u);
  EXPECT_EQ(X2ApicMsr(kApicTimerCurrentCount), 0x839u);
  EXPECT_EQ(X2ApicMsr(kApicTimerDivide), 0x83eu);
}

TEST(ApicRegistersTest, IcrDestinationInEachMode) {
  // A fixed IPI, vector 0x21, to APIC id 3: 8 bits on top of the xAPIC high word, 32 bits
  // on top of the one 64-bit x2APIC write.
  EXPECT_EQ(XApicIcrHigh(3), 0x03000000u);
  EXPECT_EQ(X2ApicIcr(3, kIcrAssert | 0x21), 0x0000000300004021ull);
  // x2APIC ids above 255 reach the destination field whole.
  EXPECT_EQ(X2ApicIcr(0x12345, kIcrAssert | kIcrInit), 0x0001234500004500ull);
  EXPECT_EQ(X2ApicIcr(7, kIcrAssert | kIcrStartup | 0x08), 0x0000000700004608ull);
}

TEST(ApicRegistersTest, IdRegister) {
  EXPECT_EQ(ApicIdFromRegister(ApicMode::kXApic, 0x05000000), 5u);
  EXPECT_EQ(ApicIdFromRegister(ApicMode::kX2Apic, 0x00000105), 0x105u);
}

TEST(ApicRegistersTest, LvtTimerModeBits) {
  EXPECT_EQ(LvtTimer(TimerMode::kOneShotCount, 0x20), 0x00020u);
  EXPECT_EQ(LvtTimer(TimerMode::kTscDeadline, 0x20), 0x40020u);  // Bits 18:17 = 10b.
}

TEST(ApicRegistersTest, ApicBaseKeepsAddressAndSetsEnableAndExtd) {
  constexpr uint64_t kBspXApic = 0xfee00900;  // Default base, BSP flag, EN.
  EXPECT_EQ(ApicBaseFor(ApicMode::kXApic, kBspXApic), kBspXApic);
  EXPECT_EQ(ApicBaseFor(ApicMode::kX2Apic, kBspXApic), 0xfee00d00u);
  // From disabled (EN clear) straight to x2APIC: EN and EXTD together.
  EXPECT_EQ(ApicBaseFor(ApicMode::kX2Apic, 0xfee00000), 0xfee00c00u);
  // Already in x2APIC mode: unchanged.
  EXPECT_EQ(ApicBaseFor(ApicMode::kX2Apic, 0xfee00d00), 0xfee00d00u);
}

TEST(ApicRegistersTest, FixedPointRatiosDoNotOverflow) {
  // 1 ns per tick of a 1 GHz clock, 2.5 ticks per ns of a 2.5 GHz one, and a 5 GHz TSC
  // (whose ticks-per-ns shifted by 32 overflows 64 bits if computed naively).
  EXPECT_EQ(RatioQ32(1'000'000'000, 1'000'000'000), uint64_t{1} << 32);
  EXPECT_EQ(RatioQ32(2'500'000'000, 1'000'000'000), (uint64_t{5} << 32) / 2);
  EXPECT_EQ(RatioQ32(5'000'000'000, 1'000'000'000), uint64_t{5} << 32);
  EXPECT_EQ(MulQ32(1'000'000, RatioQ32(5'000'000'000, 1'000'000'000)), 5'000'000u);
}

TEST(ApicRegistersTest, TscDeadlineIsAbsoluteAndRoundsUp) {
  uint64_t per_ns = RatioQ32(2'000'000'000, 1'000'000'000);  // 2 GHz.
  EXPECT_EQ(TscDeadlineFor(1000, 0, per_ns), 1001u);            // Never 0 (disarm).
  EXPECT_EQ(TscDeadlineFor(1000, 500, per_ns), 1000u + 1000 + 1);
  // 1000 s out, the longest wait apic.cc asks for, at 5 GHz: no overflow.
  uint64_t fast = RatioQ32(5'000'000'000, 1'000'000'000);
  EXPECT_EQ(TscDeadlineFor(0, 1'000'000'000'000, fast), 5'000'000'000'000u + 1);
}

TEST(ApicRegistersTest, OneShotCountIsClamped) {
  uint64_t per_ns = RatioQ32(1'000'000'000, 1'000'000'000);  // 1 GHz APIC timer.
  EXPECT_EQ(OneShotCountFor(0, per_ns), 1u);
  EXPECT_EQ(OneShotCountFor(1'000, per_ns), 1'000u);
  EXPECT_EQ(OneShotCountFor(10'000'000'000, per_ns), 0xffffffffu);
}

}  // namespace
}  // namespace ebbrt::x86_64
