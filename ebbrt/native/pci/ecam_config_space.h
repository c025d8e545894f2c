// SPDX-License-Identifier: Apache-2.0
// PCI Express enhanced configuration access (ECAM): each function's full 4 KiB
// configuration space as memory, at base + ((bus - start_bus) << 20 | device << 15 |
// function << 12), the range the ACPI MCFG table gives (QEMU's q35 has one; i440fx does
// not). PCI Express Base 4.0 §7.2.2; PCI Firmware 3.0 §4.1.2.
//
// A bus's 1 MiB window is mapped uncached the first time one of its functions is
// accessed (most of the 256 MiB a full range spans is never touched). Any core may call
// these; a function outside the range reads as all ones, as one that is not there.
#pragma once

#include <stdint.h>

#include <atomic>

#include "ebbrt/base/spin_lock.h"
#include "ebbrt/native/pci/config_space.h"

namespace ebbrt::pci {

class EcamConfigSpace final : public ConfigSpace {
 public:
  constexpr EcamConfigSpace() = default;
  void Init(uint64_t base, uint8_t start_bus, uint8_t end_bus);

  uint64_t base() const { return base_; }
  uint8_t start_bus() const { return start_bus_; }
  uint8_t end_bus() const { return end_bus_; }

  uint16_t Size() const override { return 4096; }
  uint8_t Read8(Address address, uint16_t offset) override;
  uint16_t Read16(Address address, uint16_t offset) override;
  uint32_t Read32(Address address, uint16_t offset) override;
  void Write16(Address address, uint16_t offset, uint16_t value) override;
  void Write32(Address address, uint16_t offset, uint32_t value) override;

 private:
  // The register's address, or nullptr outside the range.
  volatile uint8_t* Register(Address address, uint16_t offset, uint16_t width);

  uint64_t base_ = 0;
  uint8_t start_bus_ = 0;
  uint8_t end_bus_ = 0;
  SpinLock map_lock_;
  std::atomic<volatile uint8_t*> buses_[256] = {};
};

}  // namespace ebbrt::pci
