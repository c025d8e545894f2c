// SPDX-License-Identifier: Apache-2.0
// PCI configuration mechanism #1: an address written to port 0xCF8 selects a function's
// register, port 0xCFC (+0..3) reads or writes it. Reaches the first 256 bytes of each
// function on every x86 PC (QEMU's i440fx and q35 alike). PCI Local Bus 3.0 §3.2.2.3.2.
//
// The address/data pair is one shared register for the whole machine, so each access
// holds a spin lock: any core may call these.
#pragma once

#include "ebbrt/native/pci/config_space.h"

namespace ebbrt::pci {

class PortIoConfigSpace final : public ConfigSpace {
 public:
  uint16_t Size() const override { return 256; }
  uint8_t Read8(Address address, uint16_t offset) override;
  uint16_t Read16(Address address, uint16_t offset) override;
  uint32_t Read32(Address address, uint16_t offset) override;
  void Write16(Address address, uint16_t offset, uint16_t value) override;
  void Write32(Address address, uint16_t offset, uint32_t value) override;
};

}  // namespace ebbrt::pci
