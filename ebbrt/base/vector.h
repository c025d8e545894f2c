// SPDX-License-Identifier: Apache-2.0
// Vector<T>: a minimal growable array for the core (std::vector is outside the native
// C++ subset). Move-only elements are fine; growth moves them.
//
//   Vector<Handler> handlers;
//   handlers.PushBack(std::move(h));
//   for (auto& h : handlers) h();
#pragma once

#include <stddef.h>

#include <new>
#include <utility>

#include "ebbrt/base/check.h"

namespace ebbrt {

template <typename T>
class Vector {
 public:
  Vector() = default;
  Vector(const Vector&) = delete;
  Vector& operator=(const Vector&) = delete;
  Vector(Vector&& other) noexcept
      : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  Vector& operator=(Vector&& other) noexcept {
    if (this != &other) {
      Clear();
      ::operator delete(data_);
      data_ = other.data_;
      size_ = other.size_;
      capacity_ = other.capacity_;
      other.data_ = nullptr;
      other.size_ = other.capacity_ = 0;
    }
    return *this;
  }
  ~Vector() {
    Clear();
    ::operator delete(data_);
  }

  size_t Size() const { return size_; }
  bool Empty() const { return size_ == 0; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](size_t i) {
    EBBRT_DCHECK(i < size_);
    return data_[i];
  }
  const T& operator[](size_t i) const {
    EBBRT_DCHECK(i < size_);
    return data_[i];
  }
  T& Back() {
    EBBRT_DCHECK(size_ > 0);
    return data_[size_ - 1];
  }

  void Reserve(size_t capacity) {
    if (capacity <= capacity_) return;
    T* fresh = static_cast<T*>(::operator new(capacity * sizeof(T)));
    for (size_t i = 0; i < size_; ++i) {
      new (&fresh[i]) T(std::move(data_[i]));
      data_[i].~T();
    }
    ::operator delete(data_);
    data_ = fresh;
    capacity_ = capacity;
  }

  template <typename... Args>
  T& EmplaceBack(Args&&... args) {
    if (size_ == capacity_) {
      // Build the new element before moving the old ones: `args` may refer into them.
      size_t capacity = capacity_ == 0 ? 8 : capacity_ * 2;
      T* fresh = static_cast<T*>(::operator new(capacity * sizeof(T)));
      new (&fresh[size_]) T(std::forward<Args>(args)...);
      for (size_t i = 0; i < size_; ++i) {
        new (&fresh[i]) T(std::move(data_[i]));
        data_[i].~T();
      }
      ::operator delete(data_);
      data_ = fresh;
      capacity_ = capacity;
    } else {
      new (&data_[size_]) T(std::forward<Args>(args)...);
    }
    return data_[size_++];
  }
  void PushBack(T value) { EmplaceBack(std::move(value)); }

  void PopBack() {
    EBBRT_DCHECK(size_ > 0);
    data_[--size_].~T();
  }

  // Removes element `i` by moving the last element into its place (order not kept).
  void SwapRemove(size_t i) {
    EBBRT_DCHECK(i < size_);
    if (i != size_ - 1) data_[i] = std::move(data_[size_ - 1]);
    PopBack();
  }

  void Clear() {
    while (size_ > 0) PopBack();
  }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace ebbrt
