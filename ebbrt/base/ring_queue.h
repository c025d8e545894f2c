// SPDX-License-Identifier: Apache-2.0
// RingQueue<T>: a growable FIFO in one power-of-two array (amortised O(1) push and pop).
//
// The per-core event queue: single-threaded, so no locks. It only grows; a core that
// once queued many events keeps the capacity for the next burst.
//
//   RingQueue<MovableFunction<void()>> q;
//   q.Push(std::move(f));
//   while (!q.Empty()) q.Pop()();
#pragma once

#include <stddef.h>

#include <new>
#include <utility>

#include "ebbrt/base/check.h"

namespace ebbrt {

template <typename T>
class RingQueue {
 public:
  RingQueue() = default;
  RingQueue(const RingQueue&) = delete;
  RingQueue& operator=(const RingQueue&) = delete;
  ~RingQueue() {
    while (!Empty()) Pop();
    ::operator delete(slots_);
  }

  bool Empty() const { return head_ == tail_; }
  size_t Size() const { return tail_ - head_; }

  void Push(T value) {
    if (Size() == capacity_) Grow();
    new (&slots_[tail_ & (capacity_ - 1)]) T(std::move(value));
    ++tail_;
  }

  // Removes and returns the oldest element; the queue must not be empty.
  T Pop() {
    EBBRT_DCHECK(!Empty());
    T* slot = &slots_[head_ & (capacity_ - 1)];
    T value(std::move(*slot));
    slot->~T();
    ++head_;
    return value;
  }

 private:
  void Grow() {
    size_t new_capacity = capacity_ == 0 ? 16 : capacity_ * 2;
    T* new_slots = static_cast<T*>(::operator new(new_capacity * sizeof(T)));
    size_t size = Size();
    for (size_t i = 0; i < size; ++i) {
      T* old = &slots_[(head_ + i) & (capacity_ - 1)];
      new (&new_slots[i]) T(std::move(*old));
      old->~T();
    }
    ::operator delete(slots_);
    slots_ = new_slots;
    capacity_ = new_capacity;
    head_ = 0;
    tail_ = size;
  }

  T* slots_ = nullptr;
  size_t capacity_ = 0;  // Zero or a power of two.
  size_t head_ = 0;      // Index of the oldest element (unwrapped).
  size_t tail_ = 0;      // One past the newest element (unwrapped).
};

}  // namespace ebbrt
