// SPDX-License-Identifier: Apache-2.0
// Cursors over IOBuf chains: read (DataPointer) and write (MutDataPointer) integers,
// headers and byte runs at a position that moves across link boundaries.
//
// Every access is bounds-checked against the chain's data and fails with kOutOfRange
// instead of reading or writing past the end; a failed access does not move the cursor.
// This is what network parsers use on bytes they do not trust.
//
//   DataPointer p(packet.get());
//   EthernetHeader eth = EBBRT_TRY(p.Get<EthernetHeader>());   // may span two links
//   uint16_t type = EBBRT_TRY(p.GetBe16());
//   EBBRT_TRY(p.Advance(options_length));
//
//   MutDataPointer w(reply.get());
//   EBBRT_TRY(w.PutBe32(0x12345678));
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <type_traits>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/iobuf/iobuf.h"

namespace ebbrt {

namespace iobuf_internal {

// A position in a chain: the link, the offset in its view, and what is left in total.
class Position {
 public:
  explicit Position(IOBuf* head);

  size_t Remaining() const { return remaining_; }
  size_t Offset() const { return consumed_; }
  // Bytes left in the current link from the position.
  size_t ContiguousRemaining() const { return remaining_ == 0 ? 0 : link_->length() - offset_; }
  uint8_t* Here() const { return const_cast<uint8_t*>(link_->data()) + offset_; }

  Status Advance(size_t n);
  // Copies `n` bytes from the chain into `out` (read) or from `in` into the chain (write),
  // advancing. All or nothing.
  Status Read(void* out, size_t n);
  Status Write(const void* in, size_t n);

 private:
  void SkipEmptyLinks();
  Status OutOfRange(size_t n) const;

  IOBuf* link_;
  size_t offset_ = 0;
  size_t remaining_;
  size_t consumed_ = 0;
};

}  // namespace iobuf_internal

class DataPointer {
 public:
  // Starts at the first byte of `head`'s chain. The chain must outlive the cursor and
  // must not change while it is used.
  explicit DataPointer(const IOBuf* head) : position_(const_cast<IOBuf*>(head)) {}

  // Bytes from the position to the end of the chain, and bytes already consumed.
  size_t Remaining() const { return position_.Remaining(); }
  size_t Offset() const { return position_.Offset(); }

  Status Advance(size_t n) { return position_.Advance(n); }
  Status CopyOut(void* out, size_t n) { return position_.Read(out, n); }

  // Reads a trivially copyable T in memory order (use the Be helpers for network order).
  template <typename T>
  Result<T> Get() {
    static_assert(std::is_trivially_copyable_v<T>, "Get<T> copies bytes into a T");
    T value;
    EBBRT_TRY(position_.Read(&value, sizeof(T)));
    return value;
  }
  Result<uint8_t> GetU8() { return Get<uint8_t>(); }
  Result<uint16_t> GetBe16() {
    uint16_t v = EBBRT_TRY(Get<uint16_t>());
    return __builtin_bswap16(v);
  }
  Result<uint32_t> GetBe32() {
    uint32_t v = EBBRT_TRY(Get<uint32_t>());
    return __builtin_bswap32(v);
  }
  Result<uint64_t> GetBe64() {
    uint64_t v = EBBRT_TRY(Get<uint64_t>());
    return __builtin_bswap64(v);
  }

  // `n` bytes starting at the position, without advancing: a pointer into the buffer when
  // they are contiguous in one link, else a copy in `scratch` (which must hold n bytes).
  Result<const uint8_t*> Peek(size_t n, void* scratch) const {
    if (n > position_.Remaining()) {
      return Status(StatusCode::kOutOfRange, "read past the end of the IOBuf chain");
    }
    if (n <= position_.ContiguousRemaining()) return static_cast<const uint8_t*>(position_.Here());
    iobuf_internal::Position copy = position_;
    EBBRT_TRY(copy.Read(scratch, n));
    return static_cast<const uint8_t*>(scratch);
  }

 private:
  iobuf_internal::Position position_;
};

class MutDataPointer {
 public:
  // Starts at the first byte of `head`'s chain; writes go into the chain's existing views
  // (grow them first with Append) and never past their end.
  explicit MutDataPointer(IOBuf* head) : position_(head) {}

  size_t Remaining() const { return position_.Remaining(); }
  size_t Offset() const { return position_.Offset(); }

  Status Advance(size_t n) { return position_.Advance(n); }
  Status CopyIn(const void* in, size_t n) { return position_.Write(in, n); }

  template <typename T>
  Status Put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "Put<T> copies a T's bytes");
    return position_.Write(&value, sizeof(T));
  }
  Status PutU8(uint8_t v) { return Put(v); }
  Status PutBe16(uint16_t v) { return Put(__builtin_bswap16(v)); }
  Status PutBe32(uint32_t v) { return Put(__builtin_bswap32(v)); }
  Status PutBe64(uint64_t v) { return Put(__builtin_bswap64(v)); }

 private:
  iobuf_internal::Position position_;
};

}  // namespace ebbrt
