// SPDX-License-Identifier: Apache-2.0
// One NUMA node's buddy allocator, the piece of PageAllocator (page_allocator.h) that
// needs no machine: it works on whatever memory it is given, so a hosted test can drive it
// over a buffer (buddy_node_test.cc). Boot order: Init with the node's span, PlaceTable
// with each usable range until one holds the page-state table, then AddRange with every
// usable range.
//
//   BuddyNode node;
//   node.Init(span_begin, span_end);
//   for (Range r : ranges) if (node.PlaceTable(r.begin, r.end)) break;
//   for (Range r : ranges) node.AddRange(r.begin, r.end);
//   uintptr_t page = EBBRT_TRY(node.Allocate(0));
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ebbrt/base/check.h"
#include "ebbrt/base/result.h"
#include "ebbrt/base/spin_lock.h"

namespace ebbrt::native::page_allocator_internal {

// Per-page state byte.
inline constexpr uint8_t kInterior = 0xff;   // Not a block head (or not this node's RAM).
inline constexpr uint8_t kFreeHead = 0x40;   // | order
inline constexpr uint8_t kAllocHead = 0x80;  // | order
inline constexpr uint8_t kOrderMask = 0x3f;

inline constexpr size_t kPageSize = 4096;
// Largest block: 2^18 pages = 1 GiB.
inline constexpr int kMaxOrder = 18;

struct FreeBlock {
  FreeBlock* next;
  FreeBlock* prev;
};

inline constexpr size_t BlockBytes(int order) { return kPageSize << order; }

// One node's buddy allocator. Cache-line aligned so one node's lock and counters do not
// share a line with another's.
class alignas(64) BuddyNode {
 public:
  void Init(uintptr_t span_begin, uintptr_t span_end) {
    EBBRT_CHECK(state_ == nullptr && span_bytes_ == 0 && span_begin < span_end);
    span_begin_ = span_begin & ~(kPageSize - 1);
    span_bytes_ = ((span_end + kPageSize - 1) & ~(kPageSize - 1)) - span_begin_;
  }

  // First pass: offers a usable range [begin, end) to hold the page-state table, which
  // takes the start of the first range big enough for it. Returns whether the node has its
  // table (placed now or by an earlier range).
  bool PlaceTable(uintptr_t begin, uintptr_t end) {
    ClipToSpan(&begin, &end);
    SpinLockGuard guard(lock_);
    if (state_ != nullptr) return true;
    if (begin >= end || end - begin < TableBytes()) return false;
    state_ = reinterpret_cast<uint8_t*>(begin);
    memset(state_, kInterior, span_bytes_ / kPageSize);
    return true;
  }

  // Second pass: hands over a usable range (in any order, including ranges offered to
  // PlaceTable before the one that took the table), minus the table's own pages.
  void AddRange(uintptr_t begin, uintptr_t end) {
    ClipToSpan(&begin, &end);
    if (begin >= end) return;
    SpinLockGuard guard(lock_);
    EBBRT_CHECK_MSG(state_ != nullptr, "PageAllocator::AddRange before the node's page-state table was placed");
    const uintptr_t table_begin = reinterpret_cast<uintptr_t>(state_);
    const uintptr_t table_end = table_begin + TableBytes();
    if (table_end <= begin || table_begin >= end) {
      AddFreeLocked(begin, end);
      return;
    }
    if (begin < table_begin) AddFreeLocked(begin, table_begin);
    if (table_end < end) AddFreeLocked(table_end, end);
  }

  Result<uintptr_t> Allocate(int order) {
    SpinLockGuard guard(lock_);
    int have = order;
    while (have <= kMaxOrder && free_[have] == nullptr) ++have;
    if (have > kMaxOrder) return Status(StatusCode::kOutOfMemory, "out of physical pages");
    uintptr_t block = reinterpret_cast<uintptr_t>(free_[have]);
    RemoveFree(block, have);
    // Split: the upper halves go back to the free lists.
    while (have > order) {
      --have;
      PushFree(block + BlockBytes(have), have);
    }
    StateOf(block) = static_cast<uint8_t>(kAllocHead | order);
    free_pages_ -= size_t{1} << order;
    return block;
  }

  void Free(uintptr_t block) {
    SpinLockGuard guard(lock_);
    EBBRT_CHECK_MSG(AllocatedOrder(block) >= 0,
                    "PageAllocator::Free of an address that is not an allocated block");
    int order = StateOf(block) & kOrderMask;
    free_pages_ += size_t{1} << order;
    FreeLocked(block, order);
  }

  // Reads the state byte without the lock: a block's head only changes while its owner
  // holds it (Allocate returns it, Free takes it back), so the owner asking is stable.
  int AllocatedOrder(uintptr_t address) const {
    if (state_ == nullptr || !InSpan(address) || (address & (kPageSize - 1)) != 0) return -1;
    uint8_t state = StateOf(address);
    if (state == kInterior || !(state & kAllocHead)) return -1;
    return state & kOrderMask;
  }

  size_t free_pages() const { return free_pages_; }
  size_t total_pages() const { return total_pages_; }

 private:
  bool InSpan(uintptr_t address) const { return address - span_begin_ < span_bytes_; }

  // A byte per page of the span, in whole pages.
  size_t TableBytes() const { return ((span_bytes_ / kPageSize) + kPageSize - 1) & ~(kPageSize - 1); }

  // Whole pages only, inside the span.
  void ClipToSpan(uintptr_t* begin, uintptr_t* end) const {
    *begin = (*begin + kPageSize - 1) & ~(kPageSize - 1);
    *end &= ~(kPageSize - 1);
    if (*begin < span_begin_) *begin = span_begin_;
    if (*end > span_begin_ + span_bytes_) *end = span_begin_ + span_bytes_;
  }

  // Hands [begin, end) over as the largest aligned blocks that fit.
  void AddFreeLocked(uintptr_t begin, uintptr_t end) {
    while (begin < end) {
      int order = kMaxOrder;
      while (order > 0 && ((begin & (BlockBytes(order) - 1)) != 0 || begin + BlockBytes(order) > end)) {
        --order;
      }
      total_pages_ += size_t{1} << order;
      free_pages_ += size_t{1} << order;
      FreeLocked(begin, order);
      begin += BlockBytes(order);
    }
  }

  uint8_t& StateOf(uintptr_t address) const { return state_[(address - span_begin_) / kPageSize]; }

  void PushFree(uintptr_t address, int order) {
    auto* block = reinterpret_cast<FreeBlock*>(address);
    block->prev = nullptr;
    block->next = free_[order];
    if (block->next != nullptr) block->next->prev = block;
    free_[order] = block;
    StateOf(address) = static_cast<uint8_t>(kFreeHead | order);
  }

  void RemoveFree(uintptr_t address, int order) {
    auto* block = reinterpret_cast<FreeBlock*>(address);
    if (block->prev != nullptr) {
      block->prev->next = block->next;
    } else {
      free_[order] = block->next;
    }
    if (block->next != nullptr) block->next->prev = block->prev;
    StateOf(address) = kInterior;
  }

  // Frees a block, merging it with its free buddies. A buddy outside this node's RAM is
  // kInterior in this node's table (or outside its span), so merging stops at the node.
  void FreeLocked(uintptr_t address, int order) {
    while (order < kMaxOrder) {
      uintptr_t buddy = address ^ BlockBytes(order);
      if (!InSpan(buddy) || StateOf(buddy) != (kFreeHead | order)) break;
      RemoveFree(buddy, order);
      address = address < buddy ? address : buddy;
      ++order;
    }
    PushFree(address, order);
  }

  SpinLock lock_;
  uint8_t* state_ = nullptr;  // One byte per page of the span.
  uintptr_t span_begin_ = 0;
  size_t span_bytes_ = 0;
  FreeBlock* free_[kMaxOrder + 1] = {};
  size_t free_pages_ = 0;
  size_t total_pages_ = 0;
};

}  // namespace ebbrt::native::page_allocator_internal
