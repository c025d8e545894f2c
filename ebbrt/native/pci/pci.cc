// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/native/pci/pci.h"

namespace ebbrt::pci {
namespace {

constexpr uint8_t kHeaderTypeMask = 0x7f;
constexpr uint8_t kHeaderMultifunction = 0x80;
constexpr uint8_t kHeaderTypeBridge = 1;
constexpr uint16_t kFirstCapabilityOffset = 0x40;  // capabilities follow the 64-byte header
constexpr int kMaxBuses = 256;

// BAR bits. PCI Local Bus 3.0 §6.2.5.1.
constexpr uint32_t kBarIoSpace = 1u << 0;
constexpr uint32_t kBarTypeMask = 3u << 1;
constexpr uint32_t kBarType64 = 2u << 1;
constexpr uint32_t kBarPrefetchable = 1u << 3;
constexpr uint32_t kBarIoAddressMask = ~3u;
constexpr uint32_t kBarMemoryAddressMask = ~15u;

// MSI-X capability fields. PCI Local Bus 3.0 §6.8.2.3-§6.8.2.5.
constexpr uint16_t kMsixMessageControl = 2;
constexpr uint16_t kMsixTable = 4;
constexpr uint16_t kMsixPba = 8;
constexpr uint16_t kMsixTableSizeMask = 0x07ff;
constexpr uint16_t kMsixFunctionMask = 1u << 14;
constexpr uint16_t kMsixEnable = 1u << 15;
constexpr uint32_t kMsixBirMask = 7;
constexpr uint8_t kMaxBarIndicator = 5;

constexpr uint32_t kMsixEntryAddressLow = 0;
constexpr uint32_t kMsixEntryAddressHigh = 1;
constexpr uint32_t kMsixEntryData = 2;
constexpr uint32_t kMsixEntryVectorControl = 3;
constexpr uint32_t kMsixVectorMasked = 1u << 0;

class Enumerator {
 public:
  Enumerator(ConfigSpace& config, MovableFunction<bool(const Function&)>& visit)
      : config_(config), visit_(visit) {}

  // Returns false once `visit` asked to stop.
  bool ScanBus(uint8_t bus) {
    visited_[bus] = true;
    for (uint8_t device = 0; device < 32; ++device) {
      Result<Function> first = ReadFunction(config_, {bus, device, 0});
      if (!first.ok()) continue;
      if (!Visit(first.value())) return false;
      if (!first.value().multifunction) continue;
      for (uint8_t function = 1; function < 8; ++function) {
        Result<Function> other = ReadFunction(config_, {bus, device, function});
        if (other.ok() && !Visit(other.value())) return false;
      }
    }
    return true;
  }

  size_t visited() const { return count_; }
  size_t skipped_bridges() const { return skipped_bridges_; }

 private:
  bool Visit(const Function& function) {
    ++count_;
    if (!visit_(function)) return false;
    if (function.header_type != kHeaderTypeBridge) return true;
    uint8_t secondary = config_.Read8(function.address, kSecondaryBus);
    if (secondary == 0 || secondary <= function.address.bus || visited_[secondary]) {
      ++skipped_bridges_;
      return true;
    }
    return ScanBus(secondary);
  }

  ConfigSpace& config_;
  MovableFunction<bool(const Function&)>& visit_;
  bool visited_[kMaxBuses] = {};
  size_t count_ = 0;
  size_t skipped_bridges_ = 0;
};

}  // namespace

Result<Function> ReadFunction(ConfigSpace& config, Address address) {
  uint16_t vendor = config.Read16(address, kVendorId);
  if (vendor == kNoVendor) return Status(StatusCode::kNotFound, "no PCI function there");
  Function f;
  f.address = address;
  f.vendor_id = vendor;
  f.device_id = config.Read16(address, kDeviceId);
  uint32_t class_word = config.Read32(address, kRevisionId);
  f.revision = static_cast<uint8_t>(class_word);
  f.prog_if = static_cast<uint8_t>(class_word >> 8);
  f.subclass = static_cast<uint8_t>(class_word >> 16);
  f.class_code = static_cast<uint8_t>(class_word >> 24);
  uint8_t header = config.Read8(address, kHeaderType);
  f.header_type = header & kHeaderTypeMask;
  f.multifunction = (header & kHeaderMultifunction) != 0;
  return f;
}

size_t Enumerate(ConfigSpace& config, MovableFunction<bool(const Function&)> visit,
                 size_t* skipped_bridges) {
  Enumerator enumerator(config, visit);
  enumerator.ScanBus(0);
  if (skipped_bridges != nullptr) *skipped_bridges = enumerator.skipped_bridges();
  return enumerator.visited();
}

const char* BarKindName(Bar::Kind kind) {
  switch (kind) {
    case Bar::Kind::kUnused:
      return "unused";
    case Bar::Kind::kIo:
      return "io";
    case Bar::Kind::kMemory32:
      return "mem32";
    case Bar::Kind::kMemory64:
      return "mem64";
  }
  return "?";
}

Result<size_t> ReadBars(ConfigSpace& config, Address address, Bar (&bars)[kMaxBars]) {
  if ((config.Read8(address, kHeaderType) & kHeaderTypeMask) != 0) {
    return Status(StatusCode::kInvalidArgument, "ReadBars: not a type 0 (device) header");
  }
  for (Bar& bar : bars) bar = Bar{};
  // Sizing makes a BAR decode a bogus range for a moment: turn decoding off meanwhile.
  const uint16_t command = config.Read16(address, kCommand);
  config.Write16(address, kCommand,
                 command & static_cast<uint16_t>(~(kCommandIoSpace | kCommandMemorySpace)));
  Status status;
  size_t used = 0;
  for (size_t i = 0; i < kMaxBars; ++i) {
    const uint16_t offset = static_cast<uint16_t>(kBar0 + 4 * i);
    const uint32_t original = config.Read32(address, offset);
    config.Write32(address, offset, ~0u);
    const uint32_t probed = config.Read32(address, offset);
    config.Write32(address, offset, original);
    if (probed == 0) continue;  // Not implemented: all bits read as zero.
    Bar& bar = bars[i];
    if ((original & kBarIoSpace) != 0) {
      bar.kind = Bar::Kind::kIo;
      bar.address = original & kBarIoAddressMask;
      // I/O BARs may leave the upper 16 bits unimplemented (reading 0).
      uint32_t mask = probed & kBarIoAddressMask;
      if ((mask & 0xffff0000u) == 0) mask |= 0xffff0000u;
      bar.size = static_cast<uint32_t>(~mask + 1);
      ++used;
      continue;
    }
    bar.prefetchable = (original & kBarPrefetchable) != 0;
    uint64_t mask = probed & kBarMemoryAddressMask;
    bar.address = original & kBarMemoryAddressMask;
    if ((original & kBarTypeMask) == kBarType64) {
      if (i + 1 == kMaxBars) {
        bar = Bar{};
        status = Status(StatusCode::kInvalidArgument, "ReadBars: 64-bit BAR in the last slot");
        break;
      }
      const uint16_t high_offset = static_cast<uint16_t>(offset + 4);
      const uint32_t high = config.Read32(address, high_offset);
      config.Write32(address, high_offset, ~0u);
      const uint32_t high_probed = config.Read32(address, high_offset);
      config.Write32(address, high_offset, high);
      bar.kind = Bar::Kind::kMemory64;
      bar.address |= uint64_t{high} << 32;
      mask |= uint64_t{high_probed} << 32;
      bar.size = ~mask + 1;
      ++i;  // The next slot is this BAR's upper half.
    } else {
      bar.kind = Bar::Kind::kMemory32;
      bar.size = static_cast<uint32_t>(~static_cast<uint32_t>(mask) + 1);
    }
    ++used;
  }
  config.Write16(address, kCommand, command);
  if (!status.ok()) return status;
  return used;
}

Status ForEachCapability(ConfigSpace& config, Address address,
                         MovableFunction<bool(uint8_t id, uint8_t offset)> visit) {
  if ((config.Read16(address, kStatus) & kStatusCapabilitiesList) == 0) return Status::Ok();
  // Each capability takes at least 4 bytes after the header: more links than that is a cycle.
  constexpr int kMaxCapabilities = (256 - kFirstCapabilityOffset) / 4;
  uint8_t offset = config.Read8(address, kCapabilitiesPointer) & 0xfc;
  for (int n = 0; offset != 0; ++n) {
    if (n == kMaxCapabilities || offset < kFirstCapabilityOffset) {
      return Status(StatusCode::kInvalidArgument, "PCI capability list is malformed");
    }
    const uint16_t header = config.Read16(address, offset);
    if (!visit(static_cast<uint8_t>(header), offset)) return Status::Ok();
    // The low two bits of the next pointer are reserved. PCI Local Bus 3.0 §6.7.
    offset = static_cast<uint8_t>(header >> 8) & 0xfc;
  }
  return Status::Ok();
}

Result<uint8_t> FindCapability(ConfigSpace& config, Address address, uint8_t id) {
  uint8_t found = 0;
  (void)ForEachCapability(config, address, [&](uint8_t cap_id, uint8_t offset) {
    if (cap_id != id) return true;
    found = offset;
    return false;
  });
  if (found == 0) return Status(StatusCode::kNotFound, "PCI capability not present");
  return found;
}

Result<MsixCapability> ReadMsixCapability(ConfigSpace& config, Address address) {
  uint8_t offset = EBBRT_TRY(FindCapability(config, address, kCapabilityMsix));
  MsixCapability msix;
  msix.offset = offset;
  const uint16_t control = config.Read16(address, offset + kMsixMessageControl);
  msix.table_size = static_cast<uint16_t>((control & kMsixTableSizeMask) + 1);
  const uint32_t table = config.Read32(address, offset + kMsixTable);
  const uint32_t pba = config.Read32(address, offset + kMsixPba);
  msix.table_bar = static_cast<uint8_t>(table & kMsixBirMask);
  msix.table_offset = table & ~kMsixBirMask;
  msix.pba_bar = static_cast<uint8_t>(pba & kMsixBirMask);
  msix.pba_offset = pba & ~kMsixBirMask;
  if (msix.table_bar > kMaxBarIndicator || msix.pba_bar > kMaxBarIndicator) {
    return Status(StatusCode::kInvalidArgument, "MSI-X table or PBA in a reserved BAR");
  }
  return msix;
}

void SetMsixControl(ConfigSpace& config, Address address, const MsixCapability& msix,
                    bool enabled, bool function_masked) {
  if (enabled) {
    const uint16_t command = config.Read16(address, kCommand);
    config.Write16(address, kCommand, command | kCommandInterruptDisable);
  }
  const uint16_t offset = static_cast<uint16_t>(msix.offset + kMsixMessageControl);
  uint16_t control = config.Read16(address, offset);
  control = static_cast<uint16_t>(control & ~(kMsixEnable | kMsixFunctionMask));
  if (enabled) control |= kMsixEnable;
  if (function_masked) control |= kMsixFunctionMask;
  config.Write16(address, offset, control);
}

Result<MsiMessage> MsiMessageFor(uint32_t apic_id, uint8_t vector) {
  if (apic_id > 0xff) {
    return Status(StatusCode::kInvalidArgument, "MSI: APIC id above 255 needs interrupt remapping");
  }
  // Intel SDM Vol. 3A §11.11.1: 0xFEE in bits 31:20, destination id in 19:12, RH = DM = 0.
  // §11.11.2: vector in 7:0, delivery mode 000 (fixed), trigger mode 0 (edge).
  return MsiMessage{.address = 0xfee00000u | (apic_id << 12), .data = vector};
}

Status MsixTable::Program(uint16_t entry, const MsiMessage& message) {
  EBBRT_TRY(Mask(entry, true));
  volatile uint32_t* words = table_ + entry * kWordsPerEntry;
  words[kMsixEntryAddressLow] = static_cast<uint32_t>(message.address);
  words[kMsixEntryAddressHigh] = static_cast<uint32_t>(message.address >> 32);
  words[kMsixEntryData] = message.data;
  return Mask(entry, false);
}

Status MsixTable::Mask(uint16_t entry, bool masked) {
  if (entry >= size_) return Status(StatusCode::kOutOfRange, "MSI-X entry past the table");
  volatile uint32_t& control = table_[entry * kWordsPerEntry + kMsixEntryVectorControl];
  // Other vector-control bits are reserved and must be preserved. §6.8.2.9.
  const uint32_t value = control;
  control = masked ? (value | kMsixVectorMasked) : (value & ~kMsixVectorMasked);
  return Status::Ok();
}

bool MsixTable::IsMasked(uint16_t entry) const {
  if (entry >= size_) return true;
  return (table_[entry * kWordsPerEntry + kMsixEntryVectorControl] & kMsixVectorMasked) != 0;
}

}  // namespace ebbrt::pci
