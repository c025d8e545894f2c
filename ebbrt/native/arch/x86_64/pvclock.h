// SPDX-License-Identifier: Apache-2.0
// kvmclock's guest ABI as pure functions: finding KVM's CPUID leaves, the per-vCPU time
// structure the hypervisor keeps up to date (pvclock_vcpu_time_info), reading it
// consistently against a concurrent update, converting a TSC value to nanoseconds with
// its scale and shift, the wall clock at boot, and a clock made monotonic across cores.
//
// kvmclock.cc programs the MSRs and reads the TSC; everything here is free of privileged
// instructions so a hosted unit test (pvclock_test.cc) checks it: QEMU's TCG offers no
// kvmclock, and this project's machines' KVM cannot boot an image, so no native test
// here runs the MSR path.
//
//   KvmClockDetection kvm = DetectKvmClock([](uint32_t leaf) { return Cpuid(leaf); });
//   if (kvm.usable) {
//     WriteMsr(kMsrKvmSystemTimeNew, physical_address_of_info | kKvmSystemTimeEnable);
//     uint64_t ns = ReadPvclock(info, [] { return RdtscOrdered(); }).system_time_ns;
//   }
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>

#include "ebbrt/native/arch/x86_64/fixed_point.h"

namespace ebbrt::x86_64 {

// KVM's CPUID leaves. Linux Documentation/virt/kvm/x86/cpuid.rst (KVM_CPUID_SIGNATURE,
// KVM_CPUID_FEATURES). The signature leaf is 0x40000000 unless another hypervisor
// interface (Hyper-V's, say) sits there, in which case KVM's is at a later multiple of
// 0x100; the features are one leaf above it.
inline constexpr uint32_t kHypervisorCpuidFirst = 0x40000000;
inline constexpr uint32_t kHypervisorCpuidLast = 0x4000ff00;
inline constexpr uint32_t kHypervisorCpuidStep = 0x100;
// "KVMKVMKVM\0\0\0" in EBX, ECX, EDX.
inline constexpr uint32_t kKvmSignatureEbx = 0x4b4d564b;
inline constexpr uint32_t kKvmSignatureEcx = 0x564b4d56;
inline constexpr uint32_t kKvmSignatureEdx = 0x0000004d;
// KVM_CPUID_FEATURES EAX bits. Linux Documentation/virt/kvm/x86/cpuid.rst.
inline constexpr uint32_t kKvmFeatureClocksource2 = 1u << 3;
inline constexpr uint32_t kKvmFeatureClocksourceStable = 1u << 24;
// CPUID.01H:ECX[31]: a hypervisor is present. Intel SDM Vol. 2A §3.3 (CPUID), Table 3-10
// lists it as unused; hypervisors set it and real CPUs leave it clear.
inline constexpr uint32_t kCpuidHypervisorBit = 1u << 31;

// The MSRs. Linux Documentation/virt/kvm/x86/msr.rst (MSR_KVM_WALL_CLOCK_NEW,
// MSR_KVM_SYSTEM_TIME_NEW).
inline constexpr uint32_t kMsrKvmWallClockNew = 0x4b564d00;
inline constexpr uint32_t kMsrKvmSystemTimeNew = 0x4b564d01;
// Bit 0 of the MSR_KVM_SYSTEM_TIME_NEW value enables updates; the rest is the 4-byte
// aligned guest physical address of the structure.
inline constexpr uint64_t kKvmSystemTimeEnable = 1;

// One per vCPU, written by the hypervisor. Linux Documentation/virt/kvm/x86/msr.rst
// (MSR_KVM_SYSTEM_TIME_NEW) and arch/x86/include/asm/pvclock-abi.h. Every field is
// naturally aligned, so the ABI's packed layout needs no packing here (asserted below).
struct PvclockVcpuTimeInfo {
  uint32_t version;  // Odd while the hypervisor updates the other fields.
  uint32_t pad0;
  uint64_t tsc_timestamp;  // The TSC when system_time was taken.
  uint64_t system_time;    // Nanoseconds since the VM's clock started.
  uint32_t tsc_to_system_mul;
  int8_t tsc_shift;
  uint8_t flags;
  uint8_t pad[2];
};
static_assert(sizeof(PvclockVcpuTimeInfo) == 32);
static_assert(offsetof(PvclockVcpuTimeInfo, tsc_timestamp) == 8);
static_assert(offsetof(PvclockVcpuTimeInfo, system_time) == 16);
static_assert(offsetof(PvclockVcpuTimeInfo, tsc_to_system_mul) == 24);
static_assert(offsetof(PvclockVcpuTimeInfo, tsc_shift) == 28);
static_assert(offsetof(PvclockVcpuTimeInfo, flags) == 29);

// PVCLOCK_TSC_STABLE_BIT in `flags`: the hypervisor promises the TSCs of all vCPUs agree,
// so readings on different cores are ordered without help. Only meaningful when
// KVM_FEATURE_CLOCKSOURCE_STABLE_BIT is offered. arch/x86/include/asm/pvclock-abi.h.
inline constexpr uint8_t kPvclockTscStable = 1u << 0;

// The wall clock when system_time was 0, written by the hypervisor at the moment the
// guest writes MSR_KVM_WALL_CLOCK_NEW. Linux Documentation/virt/kvm/x86/msr.rst.
struct PvclockWallClock {
  uint32_t version;
  uint32_t sec;
  uint32_t nsec;
};
static_assert(sizeof(PvclockWallClock) == 12);

// What CPUID says about kvmclock.
struct KvmClockDetection {
  bool usable = false;      // KVM with KVM_FEATURE_CLOCKSOURCE2: the MSRs above work.
  bool tsc_stable = false;  // KVM_FEATURE_CLOCKSOURCE_STABLE_BIT.
  uint32_t base = 0;        // KVM's signature leaf, when found.
  // Why not, for the boot report; "" when usable.
  const char* reason = "";
};

constexpr bool IsKvmSignature(uint32_t ebx, uint32_t ecx, uint32_t edx) {
  return ebx == kKvmSignatureEbx && ecx == kKvmSignatureEcx && edx == kKvmSignatureEdx;
}

// `cpuid(leaf)` returns something with members eax, ebx, ecx, edx (the CPU's CPUID on
// native; a table in the test).
template <typename CpuidFn>
KvmClockDetection DetectKvmClock(CpuidFn&& cpuid) {
  KvmClockDetection result;
  if ((cpuid(1).ecx & kCpuidHypervisorBit) == 0) {
    result.reason = "no hypervisor";
    return result;
  }
  for (uint32_t base = kHypervisorCpuidFirst; base <= kHypervisorCpuidLast; base += kHypervisorCpuidStep) {
    auto signature = cpuid(base);
    if (!IsKvmSignature(signature.ebx, signature.ecx, signature.edx)) continue;
    // EAX is the highest leaf; old hosts leave it 0, meaning base + 1 (cpuid.rst).
    if (signature.eax != 0 && signature.eax < base + 1) {
      result.reason = "KVM without a features leaf";
      return result;
    }
    result.base = base;
    uint32_t features = cpuid(base + 1).eax;
    if ((features & kKvmFeatureClocksource2) == 0) {
      result.reason = "KVM without KVM_FEATURE_CLOCKSOURCE2";
      return result;
    }
    result.usable = true;
    result.tsc_stable = (features & kKvmFeatureClocksourceStable) != 0;
    return result;
  }
  result.reason = "hypervisor is not KVM";
  return result;
}

// Scales a TSC delta to nanoseconds exactly as the ABI specifies: shift the 64-bit delta
// left by tsc_shift (or right by -tsc_shift), then multiply by tsc_to_system_mul, a
// fraction with 32 fractional bits, keeping the product's bits 95:32. The product needs
// 96 bits. Linux Documentation/virt/kvm/x86/msr.rst (MSR_KVM_SYSTEM_TIME_NEW).
// Shifts of 64 or more (no hypervisor sends them) give 0 rather than undefined behaviour.
constexpr uint64_t PvclockScaleDelta(uint64_t delta, uint32_t mul, int8_t shift) {
  if (shift >= 64 || shift <= -64) return 0;
  if (shift >= 0) {
    delta <<= shift;
  } else {
    delta >>= -shift;
  }
  return MulQ32(delta, mul);
}

// system_time + the scaled TSC delta since tsc_timestamp, for one consistent copy.
// A TSC behind tsc_timestamp counts as no time passing (the ABI's unsigned subtraction
// would wrap to centuries); it can only happen on a core whose TSC lags the hypervisor's.
constexpr uint64_t PvclockNs(const PvclockVcpuTimeInfo& info, uint64_t tsc) {
  uint64_t delta = tsc > info.tsc_timestamp ? tsc - info.tsc_timestamp : 0;
  return info.system_time + PvclockScaleDelta(delta, info.tsc_to_system_mul, info.tsc_shift);
}

// The TSC frequency the scale implies: 10^9 · 2^32 / mul, shifted against tsc_shift.
// For reports; 0 when mul is 0 (not written yet).
constexpr uint64_t PvclockTscHz(uint32_t mul, int8_t shift) {
  if (mul == 0) return 0;
  uint64_t hz = (uint64_t{1'000'000'000} << 32) / mul;
  return shift >= 0 ? hz >> shift : hz << -shift;
}

// Copies a structure the hypervisor may be rewriting: `copy()` runs until the version
// read before it equals the one read after and is even (odd: an update is in progress).
// The acquire fences keep the compiler, and the CPU on weaker-ordered machines, from
// moving the copy's loads outside the two version loads; on x86 loads are not reordered
// with other loads, so they cost nothing there. Linux Documentation/virt/kvm/x86/msr.rst
// (version: "guest has to check version before and after ... and check that they are
// both equal and even").
template <typename CopyFn>
void ReadConsistently(const volatile uint32_t& version, CopyFn&& copy) {
  uint32_t before;
  uint32_t after;
  do {
    before = version;
    std::atomic_thread_fence(std::memory_order_acquire);
    copy();
    std::atomic_thread_fence(std::memory_order_acquire);
    after = version;
  } while ((before & 1) != 0 || before != after);
}

struct PvclockReading {
  uint64_t system_time_ns;
  uint8_t flags;
};

// Reads this vCPU's clock: the TSC is read inside the retry loop, so it belongs to the
// same version as the fields it is converted with. `read_tsc()` must not be executed
// ahead of the version load (on x86: LFENCE; RDTSC).
template <typename ReadTscFn>
PvclockReading ReadPvclock(const volatile PvclockVcpuTimeInfo& info, ReadTscFn&& read_tsc) {
  PvclockVcpuTimeInfo copy{};
  uint64_t tsc = 0;
  ReadConsistently(info.version, [&] {
    tsc = read_tsc();
    copy.tsc_timestamp = info.tsc_timestamp;
    copy.system_time = info.system_time;
    copy.tsc_to_system_mul = info.tsc_to_system_mul;
    copy.tsc_shift = info.tsc_shift;
    copy.flags = info.flags;
  });
  return PvclockReading{PvclockNs(copy, tsc), copy.flags};
}

// The wall clock (nanoseconds since 1970) when system_time was 0.
inline uint64_t ReadPvclockWallClockNs(const volatile PvclockWallClock& wall) {
  uint32_t sec = 0;
  uint32_t nsec = 0;
  ReadConsistently(wall.version, [&] {
    sec = wall.sec;
    nsec = wall.nsec;
  });
  return uint64_t{sec} * 1'000'000'000 + nsec;
}

// Now as wall-clock nanoseconds: the wall clock at system time 0 plus the system time.
// Linux Documentation/virt/kvm/x86/msr.rst (MSR_KVM_WALL_CLOCK_NEW: "the system_time
// from MSR_KVM_SYSTEM_TIME_NEW needs to be added").
constexpr uint64_t WallClockNs(uint64_t boot_wall_ns, uint64_t system_time_ns) {
  return boot_wall_ns + system_time_ns;
}

// Without the stable bit each vCPU's structure is scaled from its own TSC and updated at
// its own times, so a reading on one core can be behind one just taken on another. This
// returns max(`now`, the latest value any core returned) and records it: one shared
// atomic on the clock's path, which is why it is used only when the hypervisor does not
// promise stable TSCs.
inline uint64_t MonotonicAcrossCores(std::atomic<uint64_t>& latest, uint64_t now) {
  uint64_t seen = latest.load(std::memory_order_relaxed);
  while (now > seen) {
    if (latest.compare_exchange_weak(seen, now, std::memory_order_relaxed)) return now;
  }
  return seen;
}

}  // namespace ebbrt::x86_64
