// SPDX-License-Identifier: Apache-2.0
// RegisterWindow natively: a virtio configuration structure in a BAR mapped uncached
// (pci::MapBar), accessed with exact-width MMIO.
//
//   volatile uint8_t* bar = EBBRT_TRY(pci::MapBar(bars[layout.common.bar], "virtio"));
//   MmioWindow common(bar + layout.common.offset);
#pragma once

#include "ebbrt/drivers/virtio/pci_transport.h"
#include "ebbrt/native/arch/x86_64/mmio.h"

namespace ebbrt::virtio {

class MmioWindow final : public RegisterWindow {
 public:
  explicit MmioWindow(volatile uint8_t* base) : base_(base) {}
  uint8_t Read8(size_t offset) override { return x86_64::MmioRead8(base_ + offset); }
  uint16_t Read16(size_t offset) override { return x86_64::MmioRead16(base_ + offset); }
  uint32_t Read32(size_t offset) override { return x86_64::MmioRead32(base_ + offset); }
  void Write8(size_t offset, uint8_t value) override { x86_64::MmioWrite8(base_ + offset, value); }
  void Write16(size_t offset, uint16_t value) override { x86_64::MmioWrite16(base_ + offset, value); }
  void Write32(size_t offset, uint32_t value) override { x86_64::MmioWrite32(base_ + offset, value); }

 private:
  volatile uint8_t* base_;
};

}  // namespace ebbrt::virtio
