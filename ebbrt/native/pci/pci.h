// SPDX-License-Identifier: Apache-2.0
// PCI devices from their configuration space: the header, BARs with their sizes, the
// capability list, MSI-X, and bus enumeration across bridges. Pure logic over a
// ConfigSpace (config_space.h), so it builds and is tested on hosted against a fake.
//
//   Enumerate(config, [&](const Function& f) {
//     if (f.vendor_id == 0x1af4) {  // virtio
//       Bar bars[kMaxBars];
//       ReadBars(config, f.address, bars);
//       Result<MsixCapability> msix = ReadMsixCapability(config, f.address);
//     }
//     return true;  // keep going
//   });
//
// Spec references: PCI Local Bus 3.0 (header, BARs, capabilities, MSI-X in §6.8.2),
// PCI-to-PCI Bridge Architecture 1.2 (type 1 header).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/result.h"
#include "ebbrt/native/pci/config_space.h"

namespace ebbrt::pci {

// Configuration header offsets and fields. PCI Local Bus 3.0 §6.1, §6.2.
inline constexpr uint16_t kVendorId = 0x00;
inline constexpr uint16_t kDeviceId = 0x02;
inline constexpr uint16_t kCommand = 0x04;
inline constexpr uint16_t kStatus = 0x06;
inline constexpr uint16_t kRevisionId = 0x08;  // then prog-if, subclass, class code
inline constexpr uint16_t kHeaderType = 0x0e;
inline constexpr uint16_t kBar0 = 0x10;
inline constexpr uint16_t kCapabilitiesPointer = 0x34;
// Type 1 (bridge) header: PCI-to-PCI Bridge Architecture 1.2 §3.2.5.3.
inline constexpr uint16_t kSecondaryBus = 0x19;

inline constexpr uint16_t kCommandIoSpace = 1 << 0;
inline constexpr uint16_t kCommandMemorySpace = 1 << 1;
inline constexpr uint16_t kCommandBusMaster = 1 << 2;
inline constexpr uint16_t kCommandInterruptDisable = 1 << 10;
inline constexpr uint16_t kStatusCapabilitiesList = 1 << 4;

inline constexpr uint8_t kCapabilityMsi = 0x05;
inline constexpr uint8_t kCapabilityVendorSpecific = 0x09;
inline constexpr uint8_t kCapabilityPciExpress = 0x10;
inline constexpr uint8_t kCapabilityMsix = 0x11;

inline constexpr uint16_t kNoVendor = 0xffff;
inline constexpr size_t kMaxBars = 6;

// One function's identity, from its header.
struct Function {
  Address address;
  uint16_t vendor_id = 0;
  uint16_t device_id = 0;
  uint8_t class_code = 0;
  uint8_t subclass = 0;
  uint8_t prog_if = 0;
  uint8_t revision = 0;
  uint8_t header_type = 0;  // 0: device, 1: PCI-to-PCI bridge (bit 7, multi-function, cleared)
  bool multifunction = false;
};

// Reads the header of `address`; kNotFound when no function answers there.
Result<Function> ReadFunction(ConfigSpace& config, Address address);

// Calls `visit` for every function reachable from bus 0, depth-first through bridges, in
// bus/device/function order; `visit` returns false to stop. The bus numbers are the ones
// firmware assigned (QEMU's firmware does so before the image boots); a bridge whose
// secondary bus is 0, already visited, or not above its own bus is reported through
// `skipped_bridges` (when given) and not followed, so a bad topology cannot loop.
// Returns how many functions were visited.
size_t Enumerate(ConfigSpace& config, MovableFunction<bool(const Function&)> visit,
                 size_t* skipped_bridges = nullptr);

// A base address register, decoded and sized. PCI Local Bus 3.0 §6.2.5.1.
struct Bar {
  enum class Kind : uint8_t { kUnused, kIo, kMemory32, kMemory64 };
  Kind kind = Kind::kUnused;
  bool prefetchable = false;
  uint64_t address = 0;  // what firmware assigned (0: not assigned)
  uint64_t size = 0;     // bytes the function decodes
};

const char* BarKindName(Bar::Kind kind);

// Decodes and sizes the six BARs of a type 0 function into `bars` (indexed by BAR
// number; the upper half of a 64-bit BAR is kUnused) and returns how many are in use.
// Sizing writes all ones and reads back (§6.2.5.1), with I/O and memory decoding off
// meanwhile, as the spec asks, and restores both the BARs and the command register.
// kInvalidArgument for a bridge (its two BARs are not read here) or a 64-bit BAR in the
// last slot.
Result<size_t> ReadBars(ConfigSpace& config, Address address, Bar (&bars)[kMaxBars]);

// Calls `visit(id, offset)` for each capability in the function's list; `visit` returns
// false to stop. A list that points below the header (offset < 0x40), past the space, at
// an unaligned offset, or that has more entries than can fit (a cycle) is malformed:
// kInvalidArgument, after visiting the entries before the bad link. A function without
// a list visits nothing and is Ok.
Status ForEachCapability(ConfigSpace& config, Address address,
                         MovableFunction<bool(uint8_t id, uint8_t offset)> visit);

// The offset of the first capability with `id`; kNotFound when absent (or the list is
// malformed before it).
Result<uint8_t> FindCapability(ConfigSpace& config, Address address, uint8_t id);

// MSI-X as the function describes it. PCI Local Bus 3.0 §6.8.2.
struct MsixCapability {
  uint8_t offset = 0;        // of the capability in configuration space
  uint16_t table_size = 0;   // entries (1-2048)
  uint8_t table_bar = 0;     // BAR index holding the table ...
  uint32_t table_offset = 0; // ... at this offset (8-byte aligned)
  uint8_t pba_bar = 0;       // and the pending bit array
  uint32_t pba_offset = 0;
};

// kNotFound without an MSI-X capability; kInvalidArgument when its table or PBA names
// BAR 6 or 7 (reserved).
Result<MsixCapability> ReadMsixCapability(ConfigSpace& config, Address address);

// Turns MSI-X on or off for the function, with every vector masked by the function mask
// (`function_masked`) or not. Enabling also sets interrupt-disable in the command
// register, so the legacy INTx pin stays quiet. §6.8.2.3.
void SetMsixControl(ConfigSpace& config, Address address, const MsixCapability& msix,
                    bool enabled, bool function_masked);

// An MSI/MSI-X message that interrupts one core: the address names its local APIC (physical
// destination mode, no redirection) and the data the vector, fixed delivery, edge
// triggered. Intel SDM Vol. 3A §11.11.1 (message address), §11.11.2 (message data).
struct MsiMessage {
  uint64_t address = 0;
  uint32_t data = 0;
};
// `apic_id` up to 255 (the xAPIC format's 8-bit destination; larger ids need interrupt
// remapping or the extended destination id, which are not supported): kInvalidArgument.
Result<MsiMessage> MsiMessageFor(uint32_t apic_id, uint8_t vector);

// One MSI-X table in device memory (mapped uncached), as 32-bit words. An entry is
// {address low, address high, data, vector control}; bit 0 of vector control masks it.
// PCI Local Bus 3.0 §6.8.2.6-§6.8.2.9.
class MsixTable {
 public:
  MsixTable(volatile uint32_t* table, uint16_t size) : table_(table), size_(size) {}

  uint16_t size() const { return size_; }

  // Writes `message` into `entry` with the entry masked while its address and data
  // change (a device may latch a half-written message otherwise), then unmasks it.
  // kOutOfRange for an entry past the table.
  Status Program(uint16_t entry, const MsiMessage& message);
  Status Mask(uint16_t entry, bool masked);
  bool IsMasked(uint16_t entry) const;

 private:
  static constexpr size_t kWordsPerEntry = 4;
  volatile uint32_t* table_;
  uint16_t size_;
};

}  // namespace ebbrt::pci
