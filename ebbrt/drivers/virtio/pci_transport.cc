// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/drivers/virtio/pci_transport.h"

#include <stdio.h>

#include "ebbrt/base/console.h"
#include "ebbrt/native/pci/pci.h"

namespace ebbrt::virtio {
namespace {

// virtio 1.1 §4.1.4: struct virtio_pci_cap, and the notify capability's multiplier.
constexpr uint8_t kCapCfgType = 3;
constexpr uint8_t kCapBar = 4;
constexpr uint8_t kCapOffset = 8;
constexpr uint8_t kCapLength = 12;
constexpr uint8_t kCapNotifyOffMultiplier = 16;
constexpr uint8_t kCapMinLength = 16;
constexpr uint8_t kCapNotifyMinLength = 20;

constexpr uint8_t kCommonCfg = 1;
constexpr uint8_t kNotifyCfg = 2;
constexpr uint8_t kIsrCfg = 3;
constexpr uint8_t kDeviceCfg = 4;

constexpr FeatureName kCommonNames[] = {
    {kFeatureRingIndirectDesc, "VIRTIO_F_RING_INDIRECT_DESC",
     "virtio: device lacks required feature VIRTIO_F_RING_INDIRECT_DESC"},
    {kFeatureRingEventIdx, "VIRTIO_F_RING_EVENT_IDX",
     "virtio: device lacks required feature VIRTIO_F_RING_EVENT_IDX"},
    {kFeatureVersion1, "VIRTIO_F_VERSION_1",
     "virtio: device lacks required feature VIRTIO_F_VERSION_1 (a legacy-only device)"},
    {kFeatureAccessPlatform, "VIRTIO_F_ACCESS_PLATFORM",
     "virtio: device lacks required feature VIRTIO_F_ACCESS_PLATFORM"},
    {kFeatureRingPacked, "VIRTIO_F_RING_PACKED", "virtio: device lacks required feature VIRTIO_F_RING_PACKED"},
};

const FeatureName* NameOf(uint64_t bit, std::span<const FeatureName> names) {
  for (const FeatureName& n : names) {
    if (n.bit == bit) return &n;
  }
  for (const FeatureName& n : kCommonNames) {
    if (n.bit == bit) return &n;
  }
  return nullptr;
}

uint64_t ReadDeviceFeatures(RegisterWindow& common) {
  uint64_t features = 0;
  for (uint32_t word = 0; word < 2; ++word) {
    common.Write32(common_cfg::kDeviceFeatureSelect, word);
    features |= uint64_t{common.Read32(common_cfg::kDeviceFeature)} << (32 * word);
  }
  return features;
}

void WriteDriverFeatures(RegisterWindow& common, uint64_t features) {
  for (uint32_t word = 0; word < 2; ++word) {
    common.Write32(common_cfg::kDriverFeatureSelect, word);
    common.Write32(common_cfg::kDriverFeature, static_cast<uint32_t>(features >> (32 * word)));
  }
}

// 64-bit fields as two 32-bit accesses, low half first (§4.1.3.1 allows it).
void Write64(RegisterWindow& common, size_t offset, uint64_t value) {
  common.Write32(offset, static_cast<uint32_t>(value));
  common.Write32(offset + 4, static_cast<uint32_t>(value >> 32));
}

}  // namespace

std::span<const FeatureName> CommonFeatureNames() { return kCommonNames; }

Result<VirtioPciLayout> FindVirtioPciLayout(pci::ConfigSpace& config, pci::Address address) {
  VirtioPciLayout layout;
  bool have_common = false, have_notify = false, have_isr = false, have_device = false;
  Status malformed;
  Status walked = pci::ForEachCapability(config, address, [&](uint8_t id, uint8_t offset) {
    if (id != pci::kCapabilityVendorSpecific) return true;
    const uint8_t cap_length = config.Read8(address, offset + 2);
    if (cap_length < kCapMinLength) return true;  // not a virtio structure capability
    const uint8_t type = config.Read8(address, offset + kCapCfgType);
    VirtioPciRegion region{.bar = config.Read8(address, offset + kCapBar),
                           .offset = config.Read32(address, offset + kCapOffset),
                           .length = config.Read32(address, offset + kCapLength)};
    bool* seen = type == kCommonCfg   ? &have_common
                 : type == kNotifyCfg ? &have_notify
                 : type == kIsrCfg    ? &have_isr
                 : type == kDeviceCfg ? &have_device
                                      : nullptr;
    if (seen == nullptr || *seen) return true;  // other types, later duplicates: unused
    if (region.bar > 5) {
      // §4.1.4.1: values 0x6-0xff are reserved; a driver ignores such a capability.
      return true;
    }
    if (type == kNotifyCfg) {
      if (cap_length < kCapNotifyMinLength) {
        malformed = Status(StatusCode::kInvalidArgument, "virtio: notify capability too short");
        return false;
      }
      layout.notify_off_multiplier = config.Read32(address, offset + kCapNotifyOffMultiplier);
    }
    *seen = true;
    (type == kCommonCfg ? layout.common
     : type == kNotifyCfg ? layout.notify
     : type == kIsrCfg    ? layout.isr
                          : layout.device) = region;
    return true;
  });
  EBBRT_TRY(walked);
  EBBRT_TRY(malformed);
  if (!have_common || !have_notify || !have_isr) {
    return Status(StatusCode::kNotFound, "virtio: no modern (1.x) PCI interface on this function");
  }
  if (layout.common.length < common_cfg::kSize) {
    return Status(StatusCode::kInvalidArgument, "virtio: common configuration structure too short");
  }
  pci::Bar bars[pci::kMaxBars];
  EBBRT_TRY(pci::ReadBars(config, address, bars));
  for (const VirtioPciRegion* region : {&layout.common, &layout.notify, &layout.isr, &layout.device}) {
    if (region->length == 0) continue;
    const pci::Bar& bar = bars[region->bar];
    if (bar.kind != pci::Bar::Kind::kMemory32 && bar.kind != pci::Bar::Kind::kMemory64) {
      return Status(StatusCode::kUnimplemented, "virtio: a structure outside a memory BAR (I/O BARs unsupported)");
    }
    if (uint64_t{region->offset} + region->length > bar.size) {
      return Status(StatusCode::kInvalidArgument, "virtio: a structure does not fit in its BAR");
    }
  }
  return layout;
}

Result<uint64_t> VirtioPciTransport::Negotiate(uint64_t required, uint64_t wanted,
                                               std::span<const FeatureName> names) {
  required |= kFeatureVersion1;
  // §3.1.1: reset, ACKNOWLEDGE, DRIVER.
  EBBRT_TRY(Reset());
  common_.Write8(common_cfg::kDeviceStatus, kStatusAcknowledge);
  common_.Write8(common_cfg::kDeviceStatus, kStatusAcknowledge | kStatusDriver);
  const uint64_t offered = ReadDeviceFeatures(common_);
  const uint64_t missing = required & ~offered;
  if (missing != 0) {
    const char* first_message = "virtio: device lacks a required feature (see the console)";
    bool named = false;
    char line[160];
    for (int bit = 0; bit < 64; ++bit) {
      const uint64_t mask = uint64_t{1} << bit;
      if ((missing & mask) == 0) continue;
      const FeatureName* name = NameOf(mask, names);
      if (name != nullptr && !named) {
        first_message = name->missing;
        named = true;
      }
      snprintf(line, sizeof(line), "[ebbrt] virtio: the device lacks required feature %s (bit %d)\n",
               name != nullptr ? name->name : "(unnamed)", bit);
      ConsolePrint(line);
    }
    Fail();
    return Status(StatusCode::kUnimplemented, first_message);
  }
  const uint64_t accepted = offered & (required | wanted);
  WriteDriverFeatures(common_, accepted);
  common_.Write8(common_cfg::kDeviceStatus, kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
  // §3.1.1 step 6: the device may refuse the subset by not keeping FEATURES_OK.
  if ((common_.Read8(common_cfg::kDeviceStatus) & kStatusFeaturesOk) == 0) {
    Fail();
    return Status(StatusCode::kUnimplemented, "virtio: device refused the accepted feature set");
  }
  return accepted;
}

Status VirtioPciTransport::Reset() {
  common_.Write8(common_cfg::kDeviceStatus, 0);
  // §4.1.4.3.2: the reset is done when the status reads 0 again.
  for (int i = 0; i < 1'000'000 && common_.Read8(common_cfg::kDeviceStatus) != 0; ++i) {
  }
  if (common_.Read8(common_cfg::kDeviceStatus) != 0) {
    return Status(StatusCode::kTimeout, "virtio: device did not finish its reset");
  }
  return Status::Ok();
}

uint16_t VirtioPciTransport::NumQueues() { return common_.Read16(common_cfg::kNumQueues); }

Result<uint16_t> VirtioPciTransport::QueueMaxSize(uint16_t index) {
  if (index >= NumQueues() || index >= kMaxQueues) {
    return Status(StatusCode::kNotFound, "virtio: no such queue");
  }
  common_.Write16(common_cfg::kQueueSelect, index);
  const uint16_t size = common_.Read16(common_cfg::kQueueSize);
  if (size == 0) return Status(StatusCode::kNotFound, "virtio: queue not available");
  return size;
}

Status VirtioPciTransport::EnableQueue(uint16_t index, const QueueSetup& setup) {
  const uint16_t max = EBBRT_TRY(QueueMaxSize(index));  // selects the queue
  if (setup.size == 0 || setup.size > max || (setup.size & (setup.size - 1)) != 0) {
    return Status(StatusCode::kInvalidArgument, "virtio: queue size not a power of two within the maximum");
  }
  common_.Write16(common_cfg::kQueueSize, setup.size);
  Write64(common_, common_cfg::kQueueDesc, setup.desc);
  Write64(common_, common_cfg::kQueueDriver, setup.driver);
  Write64(common_, common_cfg::kQueueDevice, setup.device);
  if (setup.msix_vector != kNoVector) {
    common_.Write16(common_cfg::kQueueMsixVector, setup.msix_vector);
    if (common_.Read16(common_cfg::kQueueMsixVector) != setup.msix_vector) {
      return Status(StatusCode::kResourceExhausted, "virtio: device cannot use the queue's MSI-X vector");
    }
  }
  notify_offsets_[index] = common_.Read16(common_cfg::kQueueNotifyOff) * notify_off_multiplier_;
  common_.Write16(common_cfg::kQueueEnable, 1);
  return Status::Ok();
}

Status VirtioPciTransport::SetConfigVector(uint16_t vector) {
  common_.Write16(common_cfg::kMsixConfig, vector);
  if (common_.Read16(common_cfg::kMsixConfig) != vector) {
    return Status(StatusCode::kResourceExhausted, "virtio: device cannot use the config MSI-X vector");
  }
  return Status::Ok();
}

void VirtioPciTransport::SetDriverOk() {
  common_.Write8(common_cfg::kDeviceStatus, common_.Read8(common_cfg::kDeviceStatus) | kStatusDriverOk);
}

uint8_t VirtioPciTransport::DeviceStatus() { return common_.Read8(common_cfg::kDeviceStatus); }

void VirtioPciTransport::Fail() {
  common_.Write8(common_cfg::kDeviceStatus, common_.Read8(common_cfg::kDeviceStatus) | kStatusFailed);
}

void VirtioPciTransport::Notify(uint16_t index) {
  if (index < kMaxQueues) notify_.Write16(notify_offsets_[index], index);
}

}  // namespace ebbrt::virtio
