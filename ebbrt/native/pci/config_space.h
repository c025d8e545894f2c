// SPDX-License-Identifier: Apache-2.0
// PCI configuration space access, behind an interface so the parsing above it (pci.h) is
// pure and tested on hosted against a fake. Natively: PortIoConfigSpace (configuration
// mechanism #1, ports 0xCF8/0xCFC, the first 256 bytes of each function).
//
//   PortIoConfigSpace config;
//   uint16_t vendor = config.Read16({.bus = 0, .device = 3, .function = 0}, 0x00);
#pragma once

#include <stdint.h>

namespace ebbrt::pci {

// A function's place on the bus ("BDF").
struct Address {
  uint8_t bus = 0;
  uint8_t device = 0;    // 0-31
  uint8_t function = 0;  // 0-7

  friend constexpr bool operator==(const Address& a, const Address& b) {
    return a.bus == b.bus && a.device == b.device && a.function == b.function;
  }
};

// Reads and writes of one function's configuration registers. Offsets are aligned to the
// access size and below Size(). Accesses are of exactly the width asked: a 16-bit write
// does not rewrite its neighbour (the status register next to the command register has
// write-1-to-clear bits). A function that does not exist reads as all ones.
class ConfigSpace {
 public:
  virtual ~ConfigSpace() = default;

  // 256 (conventional PCI access) or 4096 (PCI Express extended configuration space).
  virtual uint16_t Size() const = 0;

  virtual uint8_t Read8(Address address, uint16_t offset) = 0;
  virtual uint16_t Read16(Address address, uint16_t offset) = 0;
  virtual uint32_t Read32(Address address, uint16_t offset) = 0;
  virtual void Write16(Address address, uint16_t offset, uint16_t value) = 0;
  virtual void Write32(Address address, uint16_t offset, uint32_t value) = 0;
};

}  // namespace ebbrt::pci
