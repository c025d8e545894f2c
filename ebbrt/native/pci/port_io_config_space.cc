// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/pci/port_io_config_space.h"

#include "ebbrt/base/check.h"
#include "ebbrt/base/spin_lock.h"
#include "ebbrt/native/arch/x86_64/io_port.h"

namespace ebbrt::pci {
namespace {

constexpr uint16_t kAddressPort = 0xcf8;
constexpr uint16_t kDataPort = 0xcfc;
constexpr uint32_t kEnable = 1u << 31;

SpinLock g_lock;

// Selects the dword holding `offset`; returns the data port of its byte `offset & 3`.
uint16_t Select(Address address, uint16_t offset, uint16_t width) {
  EBBRT_CHECK_MSG(offset < 256 && offset % width == 0 && address.device < 32 &&
                      address.function < 8,
                  "PCI port I/O: bad register");
  x86_64::OutL(kAddressPort, kEnable | uint32_t{address.bus} << 16 |
                                 uint32_t{address.device} << 11 |
                                 uint32_t{address.function} << 8 | (offset & 0xfcu));
  return static_cast<uint16_t>(kDataPort + (offset & 3));
}

}  // namespace

uint8_t PortIoConfigSpace::Read8(Address address, uint16_t offset) {
  SpinLockGuard guard(g_lock);
  return x86_64::InB(Select(address, offset, 1));
}

uint16_t PortIoConfigSpace::Read16(Address address, uint16_t offset) {
  SpinLockGuard guard(g_lock);
  return x86_64::InW(Select(address, offset, 2));
}

uint32_t PortIoConfigSpace::Read32(Address address, uint16_t offset) {
  SpinLockGuard guard(g_lock);
  return x86_64::InL(Select(address, offset, 4));
}

void PortIoConfigSpace::Write16(Address address, uint16_t offset, uint16_t value) {
  SpinLockGuard guard(g_lock);
  x86_64::OutW(Select(address, offset, 2), value);
}

void PortIoConfigSpace::Write32(Address address, uint16_t offset, uint32_t value) {
  SpinLockGuard guard(g_lock);
  x86_64::OutL(Select(address, offset, 4), value);
}

}  // namespace ebbrt::pci
