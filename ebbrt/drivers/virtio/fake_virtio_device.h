// SPDX-License-Identifier: Apache-2.0
// The device's side of a split virtqueue, for tests of the driver side (and of drivers
// above it): takes the chains the driver made available, reads their descriptors, marks
// chains used, and decides notifications and interrupts as a device would (virtio 1.1
// §2.6). Descriptor addresses are used as pointers, as on hosted (and natively, where
// DMA addresses are identity-mapped). Also writes garbage into the used ring for tests of
// a misbehaving device.
//
//   FakeVirtqueueDevice device(ring, 256, /*event_idx=*/true);
//   while (std::optional<FakeVirtqueueDevice::Chain> chain = device.TakeAvailable()) {
//     memcpy(chain->segments[0].pointer(), "hi", 2);
//     device.PutUsed(chain->head, 2);
//   }
#pragma once

#include <stdint.h>
#include <string.h>

#include <atomic>
#include <optional>
#include <vector>

#include "ebbrt/drivers/virtio/split_virtqueue.h"

namespace ebbrt::virtio {

class FakeVirtqueueDevice {
 public:
  struct Segment {
    uint64_t address;
    uint32_t length;
    bool device_writes;
    uint8_t* pointer() const { return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(address)); }
  };
  struct Chain {
    uint16_t head;
    std::vector<Segment> segments;
  };

  FakeVirtqueueDevice(void* ring, uint16_t size, bool event_idx)
      : ring_(static_cast<uint8_t*>(ring)), size_(size), event_idx_(event_idx) {}

  // The next chain the driver published, or nullopt. A malformed chain (a loop, a next
  // past the table) is returned cut short with `malformed` set, as a device would refuse it.
  std::optional<Chain> TakeAvailable() {
    const uint16_t avail_idx = Load16(AvailOffset() + 2);
    if (avail_idx == next_avail_) return std::nullopt;
    std::atomic_thread_fence(std::memory_order_acquire);
    Chain chain;
    chain.head = Load16(AvailOffset() + 4 + 2 * (next_avail_ & (size_ - 1)));
    ++next_avail_;
    uint16_t index = chain.head;
    for (uint16_t n = 0; n < size_ && index < size_; ++n) {
      const size_t d = 16 * size_t{index};
      uint64_t address;
      memcpy(&address, ring_ + d, 8);
      const uint32_t length = Load32(d + 8);
      const uint16_t flags = Load16(d + 12);
      chain.segments.push_back({address, length, (flags & 2) != 0});
      if ((flags & 1) == 0) break;
      index = Load16(d + 14);
    }
    // The device advertises how far it has read, for the driver's notification decision.
    if (event_idx_) Store16(UsedOffset() + 4 + 8 * size_t{size_}, avail_event_ahead_ ? next_avail_ : avail_event_);
    return chain;
  }

  // Marks `head`'s chain used with `length` bytes written; returns whether the device
  // would interrupt the driver now.
  bool PutUsed(uint16_t head, uint32_t length) {
    WriteUsedEntry(head, length);
    const uint16_t old_idx = used_idx_;
    ++used_idx_;
    std::atomic_thread_fence(std::memory_order_release);
    Store16(UsedOffset() + 2, used_idx_);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (event_idx_) {
      const uint16_t event = Load16(AvailOffset() + 4 + 2 * size_t{size_});
      return static_cast<uint16_t>(used_idx_ - event - 1) < static_cast<uint16_t>(used_idx_ - old_idx);
    }
    return (Load16(AvailOffset()) & 1) == 0;
  }

  // Device-side notification suppression: the VIRTQ_USED_F_NO_NOTIFY flag (without event
  // indexes), or the avail_event index (with them): the driver need notify only when its
  // available index passes `index`. By default avail_event follows the chains taken.
  void SetNoNotify(bool no_notify) { Store16(UsedOffset(), no_notify ? 1 : 0); }
  void SetAvailEvent(uint16_t index) {
    avail_event_ahead_ = false;
    avail_event_ = index;
    Store16(UsedOffset() + 4 + 8 * size_t{size_}, index);
  }

  // Garbage for tests of a misbehaving device: an entry and an index as given.
  void WriteUsedEntry(uint32_t id, uint32_t length) {
    const size_t e = UsedOffset() + 4 + 8 * static_cast<size_t>(used_idx_ & (size_ - 1));
    Store32(e, id);
    Store32(e + 4, length);
  }
  void SetUsedIndex(uint16_t index) {
    used_idx_ = index;
    std::atomic_thread_fence(std::memory_order_release);
    Store16(UsedOffset() + 2, index);
  }
  uint16_t used_index() const { return used_idx_; }

 private:
  size_t AvailOffset() const { return 16 * size_t{size_}; }
  size_t UsedOffset() const { return (AvailOffset() + 6 + 2 * size_t{size_} + 3) & ~size_t{3}; }
  uint16_t Load16(size_t offset) const {
    uint16_t v;
    memcpy(&v, ring_ + offset, 2);
    return v;
  }
  uint32_t Load32(size_t offset) const {
    uint32_t v;
    memcpy(&v, ring_ + offset, 4);
    return v;
  }
  void Store16(size_t offset, uint16_t v) { memcpy(ring_ + offset, &v, 2); }
  void Store32(size_t offset, uint32_t v) { memcpy(ring_ + offset, &v, 4); }

  uint8_t* ring_;
  uint16_t size_;
  bool event_idx_;
  uint16_t next_avail_ = 0;
  uint16_t used_idx_ = 0;
  bool avail_event_ahead_ = true;
  uint16_t avail_event_ = 0;
};

}  // namespace ebbrt::virtio
