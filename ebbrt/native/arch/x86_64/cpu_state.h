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

// Drops the TLB entry of the page holding `address` (Intel SDM Vol. 3A §4.10.4.1).
inline void InvalidatePage(uintptr_t address) {
  asm volatile("invlpg (%0)" : : "r"(address) : "memory");
}

}  // namespace ebbrt::x86_64
