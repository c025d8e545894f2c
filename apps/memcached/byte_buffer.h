// SPDX-License-Identifier: Apache-2.0
// ByteBuffer: a growable byte array for the parts of a request that arrive split across
// Receive calls (a command line, a binary header). Requests that arrive whole are parsed
// in place and never copied here. The protocols bound how large it may grow.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

namespace memcached {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  ByteBuffer(const ByteBuffer&) = delete;
  ByteBuffer& operator=(const ByteBuffer&) = delete;
  ~ByteBuffer() { delete[] data_; }

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void Append(const uint8_t* bytes, size_t n) {
    if (n == 0) return;
    if (size_ + n > capacity_) Grow(size_ + n);
    memcpy(data_ + size_, bytes, n);
    size_ += n;
  }

  // Empties the buffer; gives back a large allocation (a long multiget line) so an idle
  // connection does not keep it.
  void Clear() {
    size_ = 0;
    if (capacity_ > kKeepCapacity) {
      delete[] data_;
      data_ = nullptr;
      capacity_ = 0;
    }
  }

 private:
  static constexpr size_t kKeepCapacity = 16 * 1024;

  void Grow(size_t need) {
    size_t capacity = capacity_ == 0 ? 256 : capacity_;
    while (capacity < need) capacity *= 2;
    uint8_t* fresh = new uint8_t[capacity];
    if (size_ > 0) memcpy(fresh, data_, size_);
    delete[] data_;
    data_ = fresh;
    capacity_ = capacity;
  }

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace memcached
