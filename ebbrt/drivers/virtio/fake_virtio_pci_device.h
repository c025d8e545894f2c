// SPDX-License-Identifier: Apache-2.0
// A simulated virtio 1.x PCI device's common configuration structure and notification
// area (virtio 1.1 §4.1.4.3, §4.1.5.2), for tests of the transport and of drivers: feature
// windows, the status register (a reset clears what the driver set; FEATURES_OK sticks
// only for a subset of the offered features), per-queue registers, MSI-X vectors the
// device can or cannot map, and a record of notifications.
#pragma once

#include <stdint.h>

#include <utility>
#include <vector>

#include "ebbrt/drivers/virtio/pci_transport.h"

namespace ebbrt::virtio {

class FakeVirtioCommonConfig : public RegisterWindow {
 public:
  // queue_size reads the device's maximum after a reset, then what the driver wrote
  // (virtio 1.1 §4.1.4.3).
  struct Queue {
    uint16_t size = 256;
    uint16_t msix_vector = kNoVector;
    uint16_t enable = 0;
    uint64_t desc = 0, driver = 0, device = 0;
  };

  // `queues` queues of up to `max_queue_size` entries; MSI-X vectors below `msix_vectors`
  // can be mapped, others read back kNoVector.
  FakeVirtioCommonConfig(uint64_t features, uint16_t queues, uint16_t msix_vectors,
                         uint16_t max_queue_size = 256)
      : features_(features),
        queues_(queues, Queue{.size = max_queue_size}),
        max_sizes_(queues, max_queue_size),
        msix_vectors_(msix_vectors) {}
  // A queue the device does not offer (size 0).
  void RemoveQueue(uint16_t index) { max_sizes_[index] = 0; queues_[index].size = 0; }

  // Device behaviour knobs.
  void RefuseFeaturesOk() { refuse_features_ok_ = true; }

  uint8_t status() const { return status_; }
  uint64_t driver_features() const { return driver_features_; }
  const Queue& queue(uint16_t index) const { return queues_[index]; }
  Queue& mutable_queue(uint16_t index) { return queues_[index]; }
  // Every status value written, in order.
  const std::vector<uint8_t>& status_writes() const { return status_writes_; }

  uint8_t Read8(size_t offset) override {
    return offset == common_cfg::kDeviceStatus ? status_ : 0;
  }
  uint16_t Read16(size_t offset) override {
    switch (offset) {
      case common_cfg::kMsixConfig: return config_vector_;
      case common_cfg::kNumQueues: return static_cast<uint16_t>(queues_.size());
      case common_cfg::kQueueSelect: return select_;
      case common_cfg::kQueueSize: return Selected() ? Selected()->size : 0;
      case common_cfg::kQueueMsixVector: return Selected() ? Selected()->msix_vector : kNoVector;
      case common_cfg::kQueueEnable: return Selected() ? Selected()->enable : 0;
      case common_cfg::kQueueNotifyOff: return select_;  // queue i notifies at i x multiplier
    }
    return 0;
  }
  uint32_t Read32(size_t offset) override {
    if (offset == common_cfg::kDeviceFeature) {
      return device_feature_select_ < 2 ? static_cast<uint32_t>(features_ >> (32 * device_feature_select_)) : 0;
    }
    if (offset == common_cfg::kDeviceFeatureSelect) return device_feature_select_;
    return 0;
  }
  void Write8(size_t offset, uint8_t value) override {
    if (offset != common_cfg::kDeviceStatus) return;
    status_writes_.push_back(value);
    if (value == 0) {  // reset
      status_ = 0;
      driver_features_ = 0;
      for (size_t i = 0; i < queues_.size(); ++i) queues_[i] = Queue{.size = max_sizes_[i]};
      return;
    }
    if ((value & kStatusFeaturesOk) != 0 && ((driver_features_ & ~features_) != 0 || refuse_features_ok_)) {
      value = static_cast<uint8_t>(value & ~kStatusFeaturesOk);
    }
    status_ = value;
  }
  void Write16(size_t offset, uint16_t value) override {
    Queue* q = Selected();
    switch (offset) {
      case common_cfg::kMsixConfig: config_vector_ = value < msix_vectors_ ? value : kNoVector; break;
      case common_cfg::kQueueSelect: select_ = value; break;
      case common_cfg::kQueueSize: if (q) q->size = value; break;
      case common_cfg::kQueueMsixVector: if (q) q->msix_vector = value < msix_vectors_ ? value : kNoVector; break;
      case common_cfg::kQueueEnable: if (q) q->enable = value; break;
    }
  }
  void Write32(size_t offset, uint32_t value) override {
    if (offset == common_cfg::kDeviceFeatureSelect) device_feature_select_ = value;
    if (offset == common_cfg::kDriverFeatureSelect) driver_feature_select_ = value;
    if (offset == common_cfg::kDriverFeature && driver_feature_select_ < 2) {
      const int shift = 32 * static_cast<int>(driver_feature_select_);
      driver_features_ = (driver_features_ & ~(uint64_t{0xffffffff} << shift)) | (uint64_t{value} << shift);
    }
    Queue* q = Selected();
    if (q == nullptr) return;
    for (auto [field, base] : {std::pair{&Queue::desc, common_cfg::kQueueDesc},
                               std::pair{&Queue::driver, common_cfg::kQueueDriver},
                               std::pair{&Queue::device, common_cfg::kQueueDevice}}) {
      if (offset == base) (q->*field) = ((q->*field) & ~uint64_t{0xffffffff}) | value;
      if (offset == base + 4) (q->*field) = ((q->*field) & 0xffffffff) | (uint64_t{value} << 32);
    }
  }

 private:
  Queue* Selected() { return select_ < queues_.size() ? &queues_[select_] : nullptr; }

  uint64_t features_;
  std::vector<Queue> queues_;
  std::vector<uint16_t> max_sizes_;
  uint16_t msix_vectors_;
  bool refuse_features_ok_ = false;
  uint8_t status_ = 0;
  uint32_t device_feature_select_ = 0;
  uint32_t driver_feature_select_ = 0;
  uint64_t driver_features_ = 0;
  uint16_t select_ = 0;
  uint16_t config_vector_ = kNoVector;
  std::vector<uint8_t> status_writes_;
};

// The notification area: records each write as {offset, value}.
class FakeVirtioNotify : public RegisterWindow {
 public:
  struct Write {
    size_t offset;
    uint16_t value;
  };
  const std::vector<Write>& writes() const { return writes_; }
  uint8_t Read8(size_t) override { return 0; }
  uint16_t Read16(size_t) override { return 0; }
  uint32_t Read32(size_t) override { return 0; }
  void Write8(size_t, uint8_t) override {}
  void Write16(size_t offset, uint16_t value) override { writes_.push_back({offset, value}); }
  void Write32(size_t, uint32_t) override {}

 private:
  std::vector<Write> writes_;
};

}  // namespace ebbrt::virtio
