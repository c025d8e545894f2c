// SPDX-License-Identifier: Apache-2.0
// A configuration space in memory, for tests of code above ConfigSpace: functions are
// added with their header, BARs (which size the way hardware does: bits below the size
// read as zero after writing all ones) and capabilities; only bits a test marks writable
// change on writes, as only the implemented bits of a real register do.
//
//   FakeConfigSpace config;
//   Address nic = config.AddFunction({0, 3, 0}, 0x1af4, 0x1041, /*class_code=*/0x02);
//   config.SetMemoryBar(nic, 4, 0xfe000000, 0x4000, /*is_64bit=*/true, /*prefetchable=*/true);
//   config.AddCapability(nic, kCapabilityMsix, {...});
#pragma once

#include <stdint.h>
#include <string.h>

#include <initializer_list>
#include <map>
#include <span>
#include <tuple>

#include "ebbrt/native/pci/config_space.h"
#include "ebbrt/native/pci/pci.h"

namespace ebbrt::pci {

class FakeConfigSpace : public ConfigSpace {
 public:
  static constexpr uint16_t kSpaceSize = 256;

  struct FakeFunction {
    uint8_t bytes[kSpaceSize] = {};
    uint8_t writable[kSpaceSize] = {};  // per-bit write mask
    uint8_t next_capability = 0x40;
    uint8_t last_capability = 0;       // offset of the list's tail (0: empty)
  };

  uint16_t Size() const override { return kSpaceSize; }

  uint8_t Read8(Address a, uint16_t offset) override { return static_cast<uint8_t>(Read(a, offset, 1)); }
  uint16_t Read16(Address a, uint16_t offset) override {
    return static_cast<uint16_t>(Read(a, offset, 2));
  }
  uint32_t Read32(Address a, uint16_t offset) override { return Read(a, offset, 4); }
  void Write16(Address a, uint16_t offset, uint16_t value) override { Write(a, offset, value, 2); }
  void Write32(Address a, uint16_t offset, uint32_t value) override { Write(a, offset, value, 4); }

  // A function with the given identity; header type 0 unless `header_type` says 1
  // (bridge). Command register bits 0-2 and 10 are writable.
  Address AddFunction(Address a, uint16_t vendor, uint16_t device, uint8_t class_code,
                      uint8_t header_type = 0) {
    FakeFunction& f = functions_[Key(a)];
    Put16(f, kVendorId, vendor);
    Put16(f, kDeviceId, device);
    f.bytes[kRevisionId + 3] = class_code;
    f.bytes[kHeaderType] = header_type;
    Put16Mask(f, kCommand, kCommandIoSpace | kCommandMemorySpace | kCommandBusMaster |
                               kCommandInterruptDisable);
    return a;
  }

  void SetMultifunction(Address a) { functions_[Key(a)].bytes[kHeaderType] |= 0x80; }

  // A bridge's secondary bus number register.
  void SetSecondaryBus(Address a, uint8_t bus) { functions_[Key(a)].bytes[kSecondaryBus] = bus; }

  void SetIoBar(Address a, int index, uint32_t address, uint32_t size) {
    FakeFunction& f = functions_[Key(a)];
    Put32(f, BarOffset(index), address | 1);
    Put32Mask(f, BarOffset(index), ~(size - 1) & ~3u);
  }

  void SetMemoryBar(Address a, int index, uint64_t address, uint64_t size, bool is_64bit,
                    bool prefetchable) {
    FakeFunction& f = functions_[Key(a)];
    uint32_t low_flags = (is_64bit ? 4u : 0u) | (prefetchable ? 8u : 0u);
    uint64_t mask = ~(size - 1);
    Put32(f, BarOffset(index), static_cast<uint32_t>(address) | low_flags);
    Put32Mask(f, BarOffset(index), static_cast<uint32_t>(mask) & ~15u);
    if (is_64bit) {
      Put32(f, BarOffset(index + 1), static_cast<uint32_t>(address >> 32));
      Put32Mask(f, BarOffset(index + 1), static_cast<uint32_t>(mask >> 32));
    }
  }

  // Appends a capability (its id and next pointer, then `body`) to the function's list
  // and returns its offset; sets the status register's capabilities bit.
  uint8_t AddCapability(Address a, uint8_t id, std::initializer_list<uint8_t> body) {
    return AddCapability(a, id, std::span<const uint8_t>(body.begin(), body.size()));
  }
  uint8_t AddCapability(Address a, uint8_t id, std::span<const uint8_t> body) {
    FakeFunction& f = functions_[Key(a)];
    const uint8_t offset = f.next_capability;
    f.bytes[offset] = id;
    f.bytes[offset + 1] = 0;
    size_t i = offset + 2;
    for (uint8_t b : body) f.bytes[i++] = b;
    if (f.last_capability == 0) {
      f.bytes[kCapabilitiesPointer] = offset;
    } else {
      f.bytes[f.last_capability + 1] = offset;
    }
    f.last_capability = offset;
    f.next_capability = static_cast<uint8_t>((i + 3) & ~size_t{3});
    Put16(f, kStatus, Get16(f, kStatus) | kStatusCapabilitiesList);
    return offset;
  }

  // Direct access for tests that build odd layouts or check what was written.
  FakeFunction& function(Address a) { return functions_[Key(a)]; }
  void MarkWritable16(Address a, uint16_t offset, uint16_t mask) {
    Put16Mask(functions_[Key(a)], offset, mask);
  }

  size_t writes() const { return writes_; }

 private:
  using FunctionKey = std::tuple<uint8_t, uint8_t, uint8_t>;
  static FunctionKey Key(Address a) { return {a.bus, a.device, a.function}; }
  static uint16_t BarOffset(int index) { return static_cast<uint16_t>(kBar0 + 4 * index); }

  static void Put16(FakeFunction& f, uint16_t offset, uint16_t v) { memcpy(&f.bytes[offset], &v, 2); }
  static void Put32(FakeFunction& f, uint16_t offset, uint32_t v) { memcpy(&f.bytes[offset], &v, 4); }
  static uint16_t Get16(const FakeFunction& f, uint16_t offset) {
    uint16_t v;
    memcpy(&v, &f.bytes[offset], 2);
    return v;
  }
  static void Put16Mask(FakeFunction& f, uint16_t offset, uint16_t m) { memcpy(&f.writable[offset], &m, 2); }
  static void Put32Mask(FakeFunction& f, uint16_t offset, uint32_t m) { memcpy(&f.writable[offset], &m, 4); }

  uint32_t Read(Address a, uint16_t offset, int width) {
    auto it = functions_.find(Key(a));
    if (it == functions_.end()) return width == 4 ? ~0u : (1u << (8 * width)) - 1;
    uint32_t v = 0;
    memcpy(&v, &it->second.bytes[offset], static_cast<size_t>(width));
    return v;
  }

  void Write(Address a, uint16_t offset, uint32_t value, int width) {
    ++writes_;
    auto it = functions_.find(Key(a));
    if (it == functions_.end()) return;
    FakeFunction& f = it->second;
    for (int i = 0; i < width; ++i) {
      const uint8_t mask = f.writable[offset + i];
      const uint8_t byte = static_cast<uint8_t>(value >> (8 * i));
      f.bytes[offset + i] = static_cast<uint8_t>((f.bytes[offset + i] & ~mask) | (byte & mask));
    }
  }

  std::map<FunctionKey, FakeFunction> functions_;
  size_t writes_ = 0;
};

}  // namespace ebbrt::pci
