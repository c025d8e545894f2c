// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/pci/ecam_config_space.h"

#include "ebbrt/base/check.h"
#include "ebbrt/native/arch/x86_64/mmio.h"
#include "ebbrt/native/mem/vmem_allocator.h"

namespace ebbrt::pci {
namespace {

constexpr uint64_t kBusBytes = uint64_t{1} << 20;

}  // namespace

void EcamConfigSpace::Init(uint64_t base, uint8_t start_bus, uint8_t end_bus) {
  base_ = base;
  start_bus_ = start_bus;
  end_bus_ = end_bus;
}

volatile uint8_t* EcamConfigSpace::Register(Address address, uint16_t offset, uint16_t width) {
  EBBRT_CHECK_MSG(offset < 4096 && offset % width == 0 && address.device < 32 && address.function < 8,
                  "PCI ECAM: bad register");
  if (base_ == 0 || address.bus < start_bus_ || address.bus > end_bus_) return nullptr;
  volatile uint8_t* bus = buses_[address.bus].load(std::memory_order_acquire);
  if (bus == nullptr) {
    SpinLockGuard guard(map_lock_);
    bus = buses_[address.bus].load(std::memory_order_relaxed);
    if (bus == nullptr) {
      Result<uintptr_t> mapped = native::VMemAllocator::MapDevice(
          base_ + uint64_t{static_cast<uint8_t>(address.bus - start_bus_)} * kBusBytes, kBusBytes,
          "PCI ECAM window");
      EBBRT_CHECK_MSG(mapped.ok(), "PCI ECAM: cannot map a bus's configuration space");
      bus = reinterpret_cast<volatile uint8_t*>(mapped.value());
      buses_[address.bus].store(bus, std::memory_order_release);
    }
  }
  return bus + (uint32_t{address.device} << 15 | uint32_t{address.function} << 12 | offset);
}

uint8_t EcamConfigSpace::Read8(Address address, uint16_t offset) {
  volatile uint8_t* r = Register(address, offset, 1);
  return r != nullptr ? x86_64::MmioRead8(r) : 0xff;
}

uint16_t EcamConfigSpace::Read16(Address address, uint16_t offset) {
  volatile uint8_t* r = Register(address, offset, 2);
  return r != nullptr ? x86_64::MmioRead16(r) : 0xffff;
}

uint32_t EcamConfigSpace::Read32(Address address, uint16_t offset) {
  volatile uint8_t* r = Register(address, offset, 4);
  return r != nullptr ? x86_64::MmioRead32(r) : ~0u;
}

void EcamConfigSpace::Write16(Address address, uint16_t offset, uint16_t value) {
  if (volatile uint8_t* r = Register(address, offset, 2)) x86_64::MmioWrite16(r, value);
}

void EcamConfigSpace::Write32(Address address, uint16_t offset, uint32_t value) {
  if (volatile uint8_t* r = Register(address, offset, 4)) x86_64::MmioWrite32(r, value);
}

}  // namespace ebbrt::pci
