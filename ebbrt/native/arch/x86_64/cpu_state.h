// SPDX-License-Identifier: Apache-2.0
// Small x86_64 register and instruction wrappers for native code.
#pragma once

#include <stdint.h>

namespace ebbrt::x86_64 {

inline uint64_t ReadCr2() {
  uint64_t value;
  asm volatile("mov %%cr2, %0" : "=r"(value));
  return value;
}

inline uint64_t ReadCr3() {
  uint64_t value;
  asm volatile("mov %%cr3, %0" : "=r"(value));
  return value;
}

inline uint64_t Rdtsc() {
  uint32_t low;
  uint32_t high;
  asm volatile("rdtsc" : "=a"(low), "=d"(high));
  return (uint64_t{high} << 32) | low;
}

// RDTSC that executes only after every earlier instruction has completed and every
// earlier load is globally visible, so it cannot be read ahead of a preceding load (the
// kvmclock version, say). Intel SDM Vol. 2B §4.3 (RDTSC).
inline uint64_t RdtscOrdered() {
  asm volatile("lfence" ::: "memory");
  return Rdtsc();
}

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf = 0) {
  CpuidResult r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
  return r;
}

// CPUID.01H:ECX feature bits. Intel SDM Vol. 2A §3.3 (CPUID), Table 3-10.
inline constexpr uint32_t kCpuidX2Apic = 1u << 21;
inline constexpr uint32_t kCpuidTscDeadline = 1u << 24;
inline constexpr uint32_t kCpuidHypervisor = 1u << 31;

inline bool CpuHas(uint32_t leaf1_ecx_bit) { return (Cpuid(1).ecx & leaf1_ecx_bit) != 0; }

// The APIC id this CPU came out of reset with, from CPUID rather than the local APIC, so
// it reads the same in xAPIC and x2APIC mode and before either is set up: the 32-bit
// x2APIC id of leaf 0BH where there is one, else the 8-bit id of leaf 01H.
// Intel SDM Vol. 3A §11.12.8 (CPUID leaf 0BH and the x2APIC id).
inline uint32_t InitialApicId() {
  if (Cpuid(0).eax >= 0xb && Cpuid(0xb).ebx != 0) return Cpuid(0xb).edx;
  return Cpuid(1).ebx >> 24;
}

inline uint64_t ReadMsr(uint32_t msr) {
  uint32_t low;
  uint32_t high;
  asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
  return (uint64_t{high} << 32) | low;
}

inline void WriteMsr(uint32_t msr, uint64_t value) {
  asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<uint32_t>(value)),
               "d"(static_cast<uint32_t>(value >> 32)));
}

// Drops the TLB entry of the page holding `address` (Intel SDM Vol. 3A §4.10.4.1).
inline void InvalidatePage(uintptr_t address) {
  asm volatile("invlpg (%0)" : : "r"(address) : "memory");
}

// Drops every TLB entry of this core: writing CR3 invalidates all non-global entries
// (Intel SDM Vol. 3A §4.10.4.1), and EbbRT maps nothing global (CR4.PGE stays clear).
inline void FlushTlb() {
  asm volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
}

}  // namespace ebbrt::x86_64
