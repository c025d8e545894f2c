// SPDX-License-Identifier: Apache-2.0
// kvmclock's guest ABI (pvclock.h) against values computed independently: the CPUID
// signature from its bytes, conversions from Python's arbitrary-precision integers and
// from a 32-bit-halves multiplication, and the consistent read against a hypervisor
// update simulated in the middle of a read and run concurrently in another thread.
#include "ebbrt/native/arch/x86_64/pvclock.h"

#include <string.h>

#include <atomic>
#include <map>
#include <thread>

#include "gtest/gtest.h"

namespace ebbrt::x86_64 {
namespace {

// --- CPUID detection ------------------------------------------------------------------

struct Regs {
  uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

// A CPU's CPUID as a table: leaves not in it read as zeros, as unknown hypervisor leaves
// do on real CPUs (which return the highest basic leaf, never a KVM signature).
class FakeCpuid {
 public:
  FakeCpuid& Leaf(uint32_t leaf, Regs regs) {
    leaves_[leaf] = regs;
    return *this;
  }
  FakeCpuid& Signature(uint32_t base, const char (&text)[13], uint32_t max_leaf) {
    Regs regs{max_leaf};
    memcpy(&regs.ebx, text, 4);
    memcpy(&regs.ecx, text + 4, 4);
    memcpy(&regs.edx, text + 8, 4);
    return Leaf(base, regs);
  }
  Regs operator()(uint32_t leaf) const {
    auto it = leaves_.find(leaf);
    return it == leaves_.end() ? Regs{} : it->second;
  }

 private:
  std::map<uint32_t, Regs> leaves_;
};

constexpr Regs kLeaf1WithHypervisor{0, 0, 1u << 31, 0};
constexpr uint32_t kClocksource2 = 1u << 3;
constexpr uint32_t kStable = 1u << 24;

// A hypervisor with KVM's signature at `base`, `max_leaf` in its EAX, and `features` in
// the leaf after.
FakeCpuid Kvm(uint32_t base, uint32_t max_leaf, uint32_t features) {
  FakeCpuid cpuid;
  cpuid.Leaf(1, kLeaf1WithHypervisor).Signature(base, "KVMKVMKVM\0\0\0", max_leaf).Leaf(base + 1, {features});
  return cpuid;
}

TEST(KvmSignature, ConstantsSpellKvmKvmKvm) {
  const char text[13] = "KVMKVMKVM\0\0\0";
  uint32_t words[3];
  memcpy(words, text, sizeof(words));
  EXPECT_TRUE(IsKvmSignature(words[0], words[1], words[2]));
  EXPECT_EQ(words[0], 0x4b4d564bu);  // Linux Documentation/virt/kvm/x86/cpuid.rst
  EXPECT_EQ(words[1], 0x564b4d56u);
  EXPECT_EQ(words[2], 0x4du);
  EXPECT_FALSE(IsKvmSignature(words[0], words[1], 0x4e));
}

TEST(DetectKvmClock, NoHypervisorBit) {
  FakeCpuid cpuid = Kvm(0x40000000, 0x40000001, kClocksource2);
  cpuid.Leaf(1, Regs{});
  KvmClockDetection kvm = DetectKvmClock(cpuid);
  EXPECT_FALSE(kvm.usable);
  EXPECT_STREQ(kvm.reason, "no hypervisor");
}

TEST(DetectKvmClock, OtherHypervisor) {
  FakeCpuid cpuid;
  cpuid.Leaf(1, kLeaf1WithHypervisor).Signature(0x40000000, "TCGTCGTCGTCG", 0x40000001);
  KvmClockDetection kvm = DetectKvmClock(cpuid);
  EXPECT_FALSE(kvm.usable);
  EXPECT_STREQ(kvm.reason, "hypervisor is not KVM");
}

TEST(DetectKvmClock, KvmWithStableClocksource2) {
  KvmClockDetection kvm = DetectKvmClock(Kvm(0x40000000, 0x40000001, kClocksource2 | kStable | 1));
  EXPECT_TRUE(kvm.usable);
  EXPECT_TRUE(kvm.tsc_stable);
  EXPECT_EQ(kvm.base, 0x40000000u);
  EXPECT_STREQ(kvm.reason, "");
}

TEST(DetectKvmClock, OldHostWithZeroMaxLeaf) {
  // cpuid.rst: old hosts set EAX to 0, to be read as 0x40000001.
  KvmClockDetection kvm = DetectKvmClock(Kvm(0x40000000, 0, kClocksource2));
  EXPECT_TRUE(kvm.usable);
  EXPECT_FALSE(kvm.tsc_stable);
}

TEST(DetectKvmClock, KvmBehindHyperV) {
  // With Hyper-V enlightenments, Hyper-V's leaves come first and KVM's follow at 0x100.
  FakeCpuid cpuid = Kvm(0x40000100, 0x40000101, kClocksource2 | kStable);
  cpuid.Signature(0x40000000, "Microsoft Hv", 0x4000000a).Leaf(0x40000001, {0x31237648});  // "Hv#1".
  KvmClockDetection kvm = DetectKvmClock(cpuid);
  EXPECT_TRUE(kvm.usable);
  EXPECT_TRUE(kvm.tsc_stable);
  EXPECT_EQ(kvm.base, 0x40000100u);
}

TEST(DetectKvmClock, KvmAtTheLastBase) {
  EXPECT_EQ(DetectKvmClock(Kvm(0x4000ff00, 0x4000ff01, kClocksource2)).base, 0x4000ff00u);
}

TEST(DetectKvmClock, KvmWithoutClocksource2) {
  // Only the old MSRs 0x11/0x12 (KVM_FEATURE_CLOCKSOURCE, bit 0): not used.
  KvmClockDetection kvm = DetectKvmClock(Kvm(0x40000000, 0x40000001, 1));
  EXPECT_FALSE(kvm.usable);
  EXPECT_STREQ(kvm.reason, "KVM without KVM_FEATURE_CLOCKSOURCE2");
}

TEST(DetectKvmClock, MaxLeafBelowFeatures) {
  EXPECT_FALSE(DetectKvmClock(Kvm(0x40000000, 0x40000000, kClocksource2)).usable);
}

// --- Scaling --------------------------------------------------------------------------

// The ABI's formula (shift the 64-bit delta, then (delta * mul) >> 32) with the multiply
// done in 32-bit halves instead of 128 bits: delta = hi·2^32 + lo, so
// (delta·mul) >> 32 = hi·mul + ((lo·mul) >> 32) exactly.
uint64_t ReferenceScale(uint64_t delta, uint32_t mul, int shift) {
  uint64_t shifted = shift >= 0 ? delta << shift : delta >> -shift;
  return (shifted >> 32) * mul + (((shifted & 0xffffffff) * mul) >> 32);
}

struct ScaleCase {
  uint64_t delta;
  uint32_t mul;
  int8_t shift;
  uint64_t expected;  // From Python's integers: ((d << s) % 2**64 or d >> -s) * mul >> 32.
};

TEST(PvclockScaleDelta, MatchesIndependentlyComputedValues) {
  const ScaleCase cases[] = {
      // 2.5 GHz TSC as KVM encodes it (shift -1, mul 0.8·2^32): 1 s of ticks.
      {2'500'000'000, 3435973836, -1, 999'999'999},
      // 1 GHz: shift 1, mul 0.5·2^32.
      {1'000'000'000, 0x80000000, 1, 1'000'000'000},
      // 3 GHz: shift -1, mul (2/3)·2^32.
      {3'000'000'000, 2863311530, -1, 999'999'999},
      // The largest delta and multiplier: the product needs all 96 bits.
      {~uint64_t{0}, 0xffffffff, 0, 0xfffffffeffffffff},
      {~uint64_t{0}, 0xffffffff, -31, 0x1fffffffd},
      {~uint64_t{0}, 0xffffffff, -63, 0},
      {0x123456789abcdef0, 0x9abcdef1, -5, 0x580752749f49f3},
      // A left shift drops the delta's top bit, as the ABI's 64-bit shift does.
      {0xf000000000000001, 0x80000000, 1, 0x7000000000000001},
      {12345, 0xffffffff, 31, 0x181c7fffe7e3},
      {uint64_t{1} << 40, 3435973836, -1, 0x6666666600},
  };
  for (const ScaleCase& c : cases) {
    EXPECT_EQ(PvclockScaleDelta(c.delta, c.mul, c.shift), c.expected)
        << "delta=" << c.delta << " mul=" << c.mul << " shift=" << int{c.shift};
    EXPECT_EQ(ReferenceScale(c.delta, c.mul, c.shift), c.expected);
  }
}

TEST(PvclockScaleDelta, AgreesWithReferenceAcrossShifts) {
  uint64_t delta = 0x0123456789abcdef;
  for (int shift = -63; shift <= 63; ++shift) {
    for (uint32_t mul : {1u, 0x80000000u, 0xcccccccdu, 0xffffffffu}) {
      EXPECT_EQ(PvclockScaleDelta(delta, mul, static_cast<int8_t>(shift)), ReferenceScale(delta, mul, shift))
          << "shift=" << shift << " mul=" << mul;
    }
    delta = delta * 6364136223846793005u + 1442695040888963407u;  // Vary the bits.
  }
}

TEST(PvclockScaleDelta, ShiftsOf64OrMoreGiveZero) {
  EXPECT_EQ(PvclockScaleDelta(~uint64_t{0}, 0xffffffff, 64), 0u);
  EXPECT_EQ(PvclockScaleDelta(~uint64_t{0}, 0xffffffff, -64), 0u);
  EXPECT_EQ(PvclockScaleDelta(~uint64_t{0}, 0xffffffff, -128), 0u);
}

TEST(PvclockNs, AddsScaledDeltaToSystemTime) {
  PvclockVcpuTimeInfo info{};
  info.tsc_timestamp = 1'000'000;
  info.system_time = 5'000'000'000;
  info.tsc_to_system_mul = 3435973836;  // 2.5 GHz.
  info.tsc_shift = -1;
  EXPECT_EQ(PvclockNs(info, 1'000'000), 5'000'000'000u);
  EXPECT_EQ(PvclockNs(info, 1'000'000 + 2'500'000'000), 5'000'000'000u + 999'999'999);
  // A TSC behind the timestamp is no time passing, not a wrap to centuries.
  EXPECT_EQ(PvclockNs(info, 999'999), 5'000'000'000u);
}

TEST(PvclockTscHz, InvertsTheScale) {
  EXPECT_EQ(PvclockTscHz(3435973836, -1), 2'500'000'000u);
  EXPECT_EQ(PvclockTscHz(0x80000000, 1), 1'000'000'000u);
  EXPECT_EQ(PvclockTscHz(0, 0), 0u);
}

// --- Consistent reads -----------------------------------------------------------------

PvclockVcpuTimeInfo MakeInfo(uint32_t version, uint64_t tsc_timestamp, uint64_t system_time) {
  PvclockVcpuTimeInfo info{};
  info.version = version;
  info.tsc_timestamp = tsc_timestamp;
  info.system_time = system_time;
  info.tsc_to_system_mul = 0x80000000;  // 2 GHz: one ns per two ticks.
  info.tsc_shift = 0;
  info.flags = kPvclockTscStable;
  return info;
}

TEST(ReadPvclock, UnchangedStructureReadsOnce) {
  PvclockVcpuTimeInfo info = MakeInfo(2, 1000, 7000);
  int tsc_reads = 0;
  PvclockReading reading = ReadPvclock(info, [&] {
    ++tsc_reads;
    return uint64_t{3000};
  });
  EXPECT_EQ(tsc_reads, 1);
  EXPECT_EQ(reading.system_time_ns, 7000u + 1000);
  EXPECT_EQ(reading.flags, kPvclockTscStable);
}

TEST(ReadPvclock, WaitsOutAnUpdateInProgress) {
  // The hypervisor is mid-update (odd version) when the read starts: the fields are half
  // new. It finishes while the guest reads the TSC; only the finished values may count.
  PvclockVcpuTimeInfo info = MakeInfo(5, 1000, 999'999);  // Torn: new timestamp, old time.
  int tsc_reads = 0;
  PvclockReading reading = ReadPvclock(info, [&] {
    if (++tsc_reads == 1) {
      info.system_time = 9000;
      info.version = 6;
    }
    return uint64_t{3000};
  });
  EXPECT_EQ(tsc_reads, 2);
  EXPECT_EQ(reading.system_time_ns, 9000u + 1000);
}

TEST(ReadPvclock, RetriesWhenTheVersionMovesDuringTheRead) {
  // Even before and even after, but two apart: a whole update happened in between, so
  // the TSC read belongs to the old fields and the fields copied after it to the new.
  PvclockVcpuTimeInfo info = MakeInfo(8, 1000, 7000);
  int tsc_reads = 0;
  PvclockReading reading = ReadPvclock(info, [&] {
    uint64_t tsc = tsc_reads == 0 ? 3000 : 5000;
    if (++tsc_reads == 1) {
      info.tsc_timestamp = 4000;
      info.system_time = 20'000;
      info.version = 10;
    }
    return tsc;
  });
  EXPECT_EQ(tsc_reads, 2);
  EXPECT_EQ(reading.system_time_ns, 20'000u + 500);
}

TEST(ReadPvclock, NeverSeesATornUpdateFromAnotherThread) {
  // A writer thread plays the hypervisor, publishing updates with the version protocol
  // as fast as it can; each update keeps system_time - tsc_timestamp constant, so at a
  // fixed TSC and a 1:1 scale every consistent reading is the same number and a reading
  // mixing two updates is not. volatile accesses stand in for the guest/hypervisor
  // sharing, as in the native code.
  constexpr uint64_t kOffset = 1'000'000;
  constexpr uint64_t kTsc = uint64_t{1} << 40;
  volatile PvclockVcpuTimeInfo info{};
  info.tsc_to_system_mul = 0xffffffff;  // Just below 1:1, so both fields matter.
  info.tsc_shift = 1;                   // ×2 then ×(1 - 2^-32): ~2 ns per tick.
  info.tsc_timestamp = 0;
  info.system_time = kOffset;
  std::atomic<bool> stop{false};
  std::thread hypervisor([&] {
    for (uint64_t k = 1; !stop.load(std::memory_order_relaxed); ++k) {
      info.version = info.version + 1;
      std::atomic_thread_fence(std::memory_order_release);
      uint64_t timestamp = (k * 7919) % (kTsc / 2);
      info.tsc_timestamp = timestamp;
      // Scaling from this timestamp must land on the same clock: system_time advances by
      // what the delta it removes would have added.
      info.system_time = kOffset + PvclockScaleDelta(kTsc, 0xffffffff, 1) -
                         PvclockScaleDelta(kTsc - timestamp, 0xffffffff, 1);
      std::atomic_thread_fence(std::memory_order_release);
      info.version = info.version + 1;
    }
  });
  // What every consistent reading at kTsc gives, computed from the initial fields.
  const uint64_t expected = kOffset + ReferenceScale(kTsc, 0xffffffff, 1);
  int mismatches = 0;
  for (int i = 0; i < 200'000; ++i) {
    PvclockReading reading = ReadPvclock(info, [] { return kTsc; });
    if (reading.system_time_ns != expected) ++mismatches;
  }
  stop.store(true);
  hypervisor.join();
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(info.version % 2, 0u);
}

TEST(ReadPvclockWallClockNs, ComposesSecondsAndNanoseconds) {
  PvclockWallClock wall{2, 1'700'000'000, 123'456'789};
  EXPECT_EQ(ReadPvclockWallClockNs(wall), 1'700'000'000'123'456'789u);
  // The largest the 32-bit fields hold: no overflow in 64 bits.
  PvclockWallClock max{0, 0xffffffff, 999'999'999};
  EXPECT_EQ(ReadPvclockWallClockNs(max), 4'294'967'295'999'999'999u);
}

TEST(ReadConsistently, RetriesWhileTheWallClockIsBeingWritten) {
  PvclockWallClock wall{1, 0, 0};  // Odd: the hypervisor is still writing.
  int copies = 0;
  uint32_t sec = 0;
  ReadConsistently(wall.version, [&] {
    sec = wall.sec;
    if (++copies == 1) {
      wall.sec = 1'700'000'000;
      wall.version = 2;
    }
  });
  EXPECT_EQ(copies, 2);
  EXPECT_EQ(sec, 1'700'000'000u);
}

TEST(WallClockNs, IsBootWallClockPlusSystemTime) {
  EXPECT_EQ(WallClockNs(1'700'000'000'000'000'000, 42'000'000'123), 1'700'000'042'000'000'123u);
}

// --- Monotonic across cores -----------------------------------------------------------

TEST(MonotonicAcrossCores, NeverGoesBack) {
  std::atomic<uint64_t> latest{0};
  EXPECT_EQ(MonotonicAcrossCores(latest, 100), 100u);
  EXPECT_EQ(MonotonicAcrossCores(latest, 90), 100u);  // A core whose clock lags.
  EXPECT_EQ(MonotonicAcrossCores(latest, 150), 150u);
  EXPECT_EQ(latest.load(), 150u);
}

TEST(MonotonicAcrossCores, EachThreadSeesANonDecreasingSequence) {
  // Four "cores" whose clocks disagree by up to 3 µs, each checking that what it gets
  // never goes back, including past values the others returned.
  std::atomic<uint64_t> latest{0};
  std::atomic<int> regressions{0};
  std::thread threads[4];
  for (int t = 0; t < 4; ++t) {
    threads[t] = std::thread([&, t] {
      uint64_t previous = 0;
      for (uint64_t i = 0; i < 100'000; ++i) {
        uint64_t now = MonotonicAcrossCores(latest, i * 10 + uint64_t(t) * 1000);
        if (now < previous) regressions.fetch_add(1);
        previous = now;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(regressions.load(), 0);
  EXPECT_EQ(latest.load(), 99'999u * 10 + 3000);
}

}  // namespace
}  // namespace ebbrt::x86_64
