// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/drivers/virtio/split_virtqueue.h"

#include <string.h>

#include <atomic>

#include "ebbrt/base/check.h"

namespace ebbrt::virtio {
namespace {

constexpr uint16_t kDescNext = 1;   // §2.6.5: VIRTQ_DESC_F_NEXT
constexpr uint16_t kDescWrite = 2;  // VIRTQ_DESC_F_WRITE
constexpr uint16_t kAvailNoInterrupt = 1;  // §2.6.6: VIRTQ_AVAIL_F_NO_INTERRUPT
constexpr uint16_t kUsedNoNotify = 1;      // §2.6.8: VIRTQ_USED_F_NO_NOTIFY

// §2.6.7.2: whether an index moving from `old_idx` to `new_idx` passed `event`.
bool NeedEvent(uint16_t event, uint16_t new_idx, uint16_t old_idx) {
  return static_cast<uint16_t>(new_idx - event - 1) < static_cast<uint16_t>(new_idx - old_idx);
}

// The device is another agent reading and writing the ring: the C++ fences order our
// ring accesses against it as against another thread (on x86, release and acquire stop
// only the compiler; the full fence is an mfence).
void ReleaseFence() { std::atomic_thread_fence(std::memory_order_release); }
void AcquireFence() { std::atomic_thread_fence(std::memory_order_acquire); }
void FullFence() { std::atomic_thread_fence(std::memory_order_seq_cst); }

}  // namespace

SplitVirtqueue::SplitVirtqueue(void* ring, uint16_t size, bool event_idx)
    : ring_(static_cast<uint8_t*>(ring)), size_(size), event_idx_(event_idx), free_count_(size) {
  EBBRT_CHECK_MSG(size != 0 && size <= kMaxSize && (size & (size - 1)) == 0,
                  "SplitVirtqueue: size must be a power of two up to 32768");
  EBBRT_CHECK_MSG(reinterpret_cast<uintptr_t>(ring) % kAlignment == 0,
                  "SplitVirtqueue: ring memory must be 16-byte aligned");
  memset(ring_, 0, RingBytes(size));
  shadow_ = new Shadow[size];
  for (uint16_t i = 0; i < size; ++i) {
    shadow_[i] = Shadow{.token = nullptr,
                        .writable_bytes = 0,
                        .next_free = static_cast<uint16_t>(i + 1),
                        .chain_length = 0};
  }
}

SplitVirtqueue::~SplitVirtqueue() { delete[] shadow_; }

volatile SplitVirtqueue::Descriptor* SplitVirtqueue::descriptors() const {
  return reinterpret_cast<volatile Descriptor*>(ring_);
}
volatile uint16_t* SplitVirtqueue::avail_flags() const {
  return reinterpret_cast<volatile uint16_t*>(ring_ + AvailOffset(size_));
}
volatile uint16_t* SplitVirtqueue::avail_idx() const { return avail_flags() + 1; }
volatile uint16_t* SplitVirtqueue::avail_ring(uint16_t slot) const { return avail_flags() + 2 + slot; }
volatile uint16_t* SplitVirtqueue::used_event() const { return avail_flags() + 2 + size_; }
volatile uint16_t* SplitVirtqueue::used_flags() const {
  return reinterpret_cast<volatile uint16_t*>(ring_ + UsedOffset(size_));
}
volatile uint16_t* SplitVirtqueue::used_idx() const { return used_flags() + 1; }
volatile uint32_t* SplitVirtqueue::used_elem(uint16_t slot) const {
  return reinterpret_cast<volatile uint32_t*>(ring_ + UsedOffset(size_) + 4) + 2 * slot;
}
volatile uint16_t* SplitVirtqueue::avail_event() const {
  return reinterpret_cast<volatile uint16_t*>(ring_ + UsedOffset(size_) + 4 + 8 * size_t{size_});
}

Result<uint16_t> SplitVirtqueue::Add(std::span<const BufferSegment> segments, void* token) {
  if (broken_) return Status(StatusCode::kFailedPrecondition, "virtqueue is broken: reset the device");
  if (segments.empty()) return Status(StatusCode::kInvalidArgument, "virtqueue: empty chain");
  uint64_t writable = 0;
  bool seen_writable = false;
  for (const BufferSegment& segment : segments) {
    if (segment.length == 0) return Status(StatusCode::kInvalidArgument, "virtqueue: empty buffer");
    // §2.6.4.2: device-writable descriptors come after every device-readable one.
    if (seen_writable && !segment.device_writes) {
      return Status(StatusCode::kInvalidArgument, "virtqueue: readable buffer after a writable one");
    }
    seen_writable = seen_writable || segment.device_writes;
    if (segment.device_writes) writable += segment.length;
  }
  if (writable > UINT32_MAX) return Status(StatusCode::kInvalidArgument, "virtqueue: chain too long");
  if (segments.size() > free_count_) {
    return Status(StatusCode::kResourceExhausted, "virtqueue: not enough free descriptors");
  }
  const uint16_t head = free_head_;
  uint16_t current = head;
  for (size_t i = 0; i < segments.size(); ++i) {
    volatile Descriptor& d = descriptors()[current];
    const bool last = i + 1 == segments.size();
    d.address = segments[i].address;
    d.length = segments[i].length;
    d.flags = static_cast<uint16_t>((last ? 0 : kDescNext) | (segments[i].device_writes ? kDescWrite : 0));
    d.next = last ? 0 : shadow_[current].next_free;
    if (!last) current = shadow_[current].next_free;
  }
  free_head_ = shadow_[current].next_free;
  free_count_ = static_cast<uint16_t>(free_count_ - segments.size());
  shadow_[head].token = token;
  shadow_[head].writable_bytes = static_cast<uint32_t>(writable);
  shadow_[head].chain_length = static_cast<uint16_t>(segments.size());
  *avail_ring(static_cast<uint16_t>(avail_shadow_ & (size_ - 1))) = head;
  ++avail_shadow_;
  return head;
}

bool SplitVirtqueue::Publish() {
  if (avail_shadow_ == published_idx_) return false;
  // §2.6.13.3: the ring entries and descriptors before the index that exposes them.
  ReleaseFence();
  *avail_idx() = avail_shadow_;
  // §2.6.13.6: the index must be visible before we read whether the device wants a
  // notification (a store followed by a load: only a full fence orders them).
  FullFence();
  const uint16_t old_idx = published_idx_;
  published_idx_ = avail_shadow_;
  if (event_idx_) return NeedEvent(*avail_event(), avail_shadow_, old_idx);
  return (*used_flags() & kUsedNoNotify) == 0;
}

bool SplitVirtqueue::HasUsed() const { return !broken_ && *used_idx() != last_used_; }

std::optional<UsedBuffer> SplitVirtqueue::PopUsed() {
  if (broken_) return std::nullopt;
  const uint16_t idx = *used_idx();
  if (idx == last_used_) return std::nullopt;
  // More entries than chains are out: the device's index is garbage.
  if (static_cast<uint16_t>(idx - last_used_) > outstanding()) {
    ++bad_used_indexes_;
    broken_ = true;
    return std::nullopt;
  }
  // The entry was written before the index that exposed it (§2.6.8).
  AcquireFence();
  volatile uint32_t* elem = used_elem(static_cast<uint16_t>(last_used_ & (size_ - 1)));
  const uint32_t id = elem[0];
  uint32_t length = elem[1];
  ++last_used_;
  if (event_idx_ && !interrupts_disabled_) *used_event() = last_used_;
  if (id >= size_ || shadow_[id].chain_length == 0) {
    // Not a chain we gave out: its descriptors cannot be found again, so the queue's
    // state is unknown from here on.
    ++bad_used_ids_;
    broken_ = true;
    return std::nullopt;
  }
  Shadow& head = shadow_[id];
  if (length > head.writable_bytes) {
    ++bad_used_lengths_;
    length = head.writable_bytes;
  }
  UsedBuffer used{.token = head.token, .length = length, .head = static_cast<uint16_t>(id)};
  // The chain's own links (kept privately) lead to its last descriptor; the whole chain
  // goes back on the free list at once.
  uint16_t last = static_cast<uint16_t>(id);
  for (uint16_t i = 1; i < head.chain_length; ++i) last = shadow_[last].next_free;
  shadow_[last].next_free = free_head_;
  free_head_ = static_cast<uint16_t>(id);
  free_count_ = static_cast<uint16_t>(free_count_ + head.chain_length);
  head.chain_length = 0;
  head.token = nullptr;
  return used;
}

void SplitVirtqueue::DisableInterrupts() {
  interrupts_disabled_ = true;
  if (event_idx_) {
    // §2.6.7.1: with event indexes the flag stays 0; an event index just behind the
    // next used entry is not reached until the index wraps.
    *used_event() = static_cast<uint16_t>(last_used_ - 1);
  } else {
    *avail_flags() = kAvailNoInterrupt;
  }
}

bool SplitVirtqueue::EnableInterrupts() {
  interrupts_disabled_ = false;
  if (event_idx_) {
    *used_event() = last_used_;
  } else {
    *avail_flags() = 0;
  }
  // The request must be visible before we look for entries that raced with it: one that
  // arrived before the device saw it raised no interrupt.
  FullFence();
  return HasUsed();
}

}  // namespace ebbrt::virtio
