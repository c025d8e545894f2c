// SPDX-License-Identifier: Apache-2.0
// The driver's side of a virtio split virtqueue (virtio 1.1 §2.6): the descriptor table,
// the available ring the driver fills and the used ring the device fills, in one block
// of memory the caller provides (DMA-able natively). Pure logic: its only allocation is
// its private bookkeeping, once, in the constructor, and it touches nothing but that
// memory, so it builds and is tested on both platforms against a simulated device
// (fake_virtio_device.h) and fuzzed with garbage from the device.
//
//   alignas(SplitVirtqueue::kAlignment) static uint8_t ring[SplitVirtqueue::RingBytes(256)];
//   SplitVirtqueue queue(ring, 256, /*event_idx=*/true);
//   // transport: queue_desc = DmaAddress(ring + queue.desc_offset()), queue_driver = ...
//   Result<uint16_t> head = queue.Add({{.address = buf, .length = 2048, .device_writes = true}}, token);
//   if (queue.Publish()) Notify();          // only when the device asked to be told
//   while (std::optional<UsedBuffer> used = queue.PopUsed()) Deliver(used->token, used->length);
//
// The device is not trusted: a used entry naming a descriptor that is not out, or a
// length beyond the buffers it may write, is counted and never reaches the caller as a
// bad token or an overlong length (a bad id breaks the queue: broken() says the device
// must be reset).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <initializer_list>
#include <optional>
#include <span>

#include "ebbrt/base/result.h"

namespace ebbrt::virtio {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "virtio 1.x rings are little-endian; this code stores them natively");

// One buffer of a chain: device-readable (the driver's data) or device-writable.
struct BufferSegment {
  uint64_t address = 0;  // as the device sees it (a DMA address)
  uint32_t length = 0;
  bool device_writes = false;
};

// A chain the device has finished with.
struct UsedBuffer {
  void* token = nullptr;  // what Add was given for the chain
  uint32_t length = 0;    // bytes the device wrote (never more than the chain's writable bytes)
  uint16_t head = 0;
};

class SplitVirtqueue {
 public:
  // virtio 1.1 §2.6: the descriptor table is 16-aligned, the available ring 2-aligned,
  // the used ring 4-aligned; the block is laid out in that order.
  static constexpr size_t kAlignment = 16;
  static constexpr uint16_t kMaxSize = 32768;

  // Bytes of the ring block for `size` entries (a power of two, 1..kMaxSize).
  static constexpr size_t RingBytes(uint16_t size) { return UsedOffset(size) + 6 + 8 * size_t{size}; }

  // `ring` holds RingBytes(size) bytes aligned to kAlignment; it is zeroed here. `size` must
  // be a power of two up to kMaxSize (checked). `event_idx`: VIRTIO_F_RING_EVENT_IDX was
  // negotiated (§2.6.7, §2.6.10): notifications and interrupts are suppressed by ring
  // indexes instead of flags.
  SplitVirtqueue(void* ring, uint16_t size, bool event_idx);
  SplitVirtqueue(const SplitVirtqueue&) = delete;
  SplitVirtqueue& operator=(const SplitVirtqueue&) = delete;
  ~SplitVirtqueue();

  uint16_t size() const { return size_; }
  size_t desc_offset() const { return 0; }
  size_t avail_offset() const { return AvailOffset(size_); }
  size_t used_offset() const { return UsedOffset(size_); }

  // Puts a chain of `segments` (device-readable ones first, as §2.6.4.2 requires) in the
  // descriptor table and the available ring; the device does not see it until Publish().
  // Returns the chain's head. kInvalidArgument for an empty chain, a zero-length segment
  // or readable after writable segments; kResourceExhausted when fewer descriptors are
  // free than the chain needs; kFailedPrecondition on a broken queue.
  Result<uint16_t> Add(std::span<const BufferSegment> segments, void* token);
  Result<uint16_t> Add(std::initializer_list<BufferSegment> segments, void* token) {
    return Add(std::span<const BufferSegment>(segments.begin(), segments.size()), token);
  }

  // Makes the chains added since the last Publish visible to the device. Returns whether
  // the device must be notified (§2.6.13.6: it may have asked not to be, by flag or by
  // its avail_event index).
  [[nodiscard]] bool Publish();

  // The next chain the device has used, or nullopt when none is waiting (or the queue
  // is broken). The chain's descriptors are free again.
  std::optional<UsedBuffer> PopUsed();
  // Whether PopUsed would return a chain now.
  bool HasUsed() const;

  // Interrupt suppression (§2.6.7): DisableInterrupts asks the device not to interrupt
  // (a hint it may ignore); EnableInterrupts asks again and returns true when used
  // entries arrived meanwhile, so the caller keeps polling instead of waiting for an
  // interrupt that was never sent.
  void DisableInterrupts();
  [[nodiscard]] bool EnableInterrupts();

  uint16_t free_descriptors() const { return free_count_; }
  uint16_t outstanding() const { return static_cast<uint16_t>(size_ - free_count_); }
  bool broken() const { return broken_; }

  // Device misbehaviour seen, by kind.
  uint64_t bad_used_ids() const { return bad_used_ids_; }
  uint64_t bad_used_lengths() const { return bad_used_lengths_; }
  uint64_t bad_used_indexes() const { return bad_used_indexes_; }

 private:
  struct [[gnu::packed]] Descriptor {  // §2.6.5
    uint64_t address;
    uint32_t length;
    uint16_t flags;
    uint16_t next;
  };
  static constexpr size_t AvailOffset(uint16_t size) { return 16 * size_t{size}; }
  static constexpr size_t UsedOffset(uint16_t size) {
    return (AvailOffset(size) + 6 + 2 * size_t{size} + 3) & ~size_t{3};
  }

  volatile Descriptor* descriptors() const;
  volatile uint16_t* avail_flags() const;
  volatile uint16_t* avail_idx() const;
  volatile uint16_t* avail_ring(uint16_t slot) const;
  volatile uint16_t* used_event() const;
  volatile uint16_t* used_flags() const;
  volatile uint16_t* used_idx() const;
  volatile uint32_t* used_elem(uint16_t slot) const;  // {id, len}
  volatile uint16_t* avail_event() const;

  uint8_t* ring_;
  uint16_t size_;
  bool event_idx_;
  bool broken_ = false;
  uint16_t free_head_ = 0;
  uint16_t free_count_;
  uint16_t avail_shadow_ = 0;     // next avail index the driver will publish
  uint16_t published_idx_ = 0;    // avail index at the last Publish
  uint16_t last_used_ = 0;        // next used index to read
  bool interrupts_disabled_ = false;
  // Driver-private per descriptor: the free list's links, and per head the chain's
  // token, length in descriptors and writable bytes (never read back from the shared
  // table, which the device could scribble on).
  struct Shadow {
    void* token;
    uint32_t writable_bytes;
    uint16_t next_free;
    uint16_t chain_length;  // 0: not the head of a chain that is out
  };
  Shadow* shadow_;

  uint64_t bad_used_ids_ = 0;
  uint64_t bad_used_lengths_ = 0;
  uint64_t bad_used_indexes_ = 0;
};

}  // namespace ebbrt::virtio
