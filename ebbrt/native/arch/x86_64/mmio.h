// SPDX-License-Identifier: Apache-2.0
// Device registers through an uncached mapping (VMemAllocator::MapDevice), and the
// barriers that order ordinary memory a device reads or writes by DMA against them.
//
//   volatile uint8_t* regs = EBBRT_TRY(pci::MapBar(bar, "virtio-net common config"));
//   uint32_t features = ebbrt::x86_64::MmioRead32(regs + 0x04);
//   ring->avail_idx = next;                      // ordinary (write-back) memory
//   ebbrt::x86_64::DmaWriteBarrier();            // descriptors and index before ...
//   ebbrt::x86_64::MmioWrite16(notify, queue);   // ... the doorbell
//
// Each MMIO call is one access of exactly its width (never split or merged) and the
// "memory" clobber keeps the compiler from moving other memory accesses across it; the
// CPU performs uncached accesses in program order, not speculatively, and orders them
// with other loads and stores (Intel SDM Vol. 3A §11.3, §8.2.2).
#pragma once

#include <stdint.h>

namespace ebbrt::x86_64 {

inline uint8_t MmioRead8(const volatile void* address) {
  uint8_t value;
  asm volatile("movb %1, %0" : "=q"(value) : "m"(*static_cast<const volatile uint8_t*>(address)) : "memory");
  return value;
}

inline uint16_t MmioRead16(const volatile void* address) {
  uint16_t value;
  asm volatile("movw %1, %0" : "=r"(value) : "m"(*static_cast<const volatile uint16_t*>(address)) : "memory");
  return value;
}

inline uint32_t MmioRead32(const volatile void* address) {
  uint32_t value;
  asm volatile("movl %1, %0" : "=r"(value) : "m"(*static_cast<const volatile uint32_t*>(address)) : "memory");
  return value;
}

inline uint64_t MmioRead64(const volatile void* address) {
  uint64_t value;
  asm volatile("movq %1, %0" : "=r"(value) : "m"(*static_cast<const volatile uint64_t*>(address)) : "memory");
  return value;
}

inline void MmioWrite8(volatile void* address, uint8_t value) {
  asm volatile("movb %1, %0" : "=m"(*static_cast<volatile uint8_t*>(address)) : "q"(value) : "memory");
}

inline void MmioWrite16(volatile void* address, uint16_t value) {
  asm volatile("movw %1, %0" : "=m"(*static_cast<volatile uint16_t*>(address)) : "r"(value) : "memory");
}

inline void MmioWrite32(volatile void* address, uint32_t value) {
  asm volatile("movl %1, %0" : "=m"(*static_cast<volatile uint32_t*>(address)) : "r"(value) : "memory");
}

inline void MmioWrite64(volatile void* address, uint64_t value) {
  asm volatile("movq %1, %0" : "=m"(*static_cast<volatile uint64_t*>(address)) : "r"(value) : "memory");
}

// Ordering of write-back memory shared with a device (rings, buffers). x86 does not
// reorder a store with older stores, nor a load with older loads (Intel SDM Vol. 3A
// §8.2.2), so the write and read barriers only stop the compiler. A store followed by a
// load of another location can pass it in the CPU: that needs the full barrier (e.g.
// publishing a ring index, then reading the device's event index to decide whether to
// notify it: virtio 1.1 §2.6.7.2).
inline void DmaWriteBarrier() { asm volatile("" ::: "memory"); }
inline void DmaReadBarrier() { asm volatile("" ::: "memory"); }
inline void DmaFullBarrier() { asm volatile("mfence" ::: "memory"); }

}  // namespace ebbrt::x86_64
