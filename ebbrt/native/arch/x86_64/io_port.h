// SPDX-License-Identifier: Apache-2.0
// x86 port-mapped I/O: the IN and OUT instructions as inline functions.
//
// Legacy PC devices (16550 UART, isa-debug-exit, PCI configuration mechanism
// #1) are reached through the 64 KiB I/O address space rather than memory.
//
//   ebbrt::x86_64::OutB(0x3f8, 'A');
//   uint8_t lsr = ebbrt::x86_64::InB(0x3fd);
#pragma once

#include <stdint.h>

namespace ebbrt::x86_64 {

// The "Nd" constraint lets the compiler use the 8-bit immediate form for ports
// below 256 and %dx otherwise; the value must be in %al/%ax/%eax.
// Intel SDM Vol. 2A §3.2 (IN), Vol. 2B §4.3 (OUT).
//
// The "memory" clobber keeps the compiler from moving ordinary loads and
// stores across a device access: device side effects (e.g. DMA setup read back
// through memory) must be ordered with the program's own memory traffic.

inline void OutB(uint16_t port, uint8_t value) {
  asm volatile("outb %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

inline void OutW(uint16_t port, uint16_t value) {
  asm volatile("outw %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

inline void OutL(uint16_t port, uint32_t value) {
  asm volatile("outl %0, %1" : : "a"(value), "Nd"(port) : "memory");
}

inline uint8_t InB(uint16_t port) {
  uint8_t value;
  asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port) : "memory");
  return value;
}

inline uint16_t InW(uint16_t port) {
  uint16_t value;
  asm volatile("inw %1, %0" : "=a"(value) : "Nd"(port) : "memory");
  return value;
}

inline uint32_t InL(uint16_t port) {
  uint32_t value;
  asm volatile("inl %1, %0" : "=a"(value) : "Nd"(port) : "memory");
  return value;
}

}  // namespace ebbrt::x86_64
