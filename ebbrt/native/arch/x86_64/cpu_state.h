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

}  // namespace ebbrt::x86_64
