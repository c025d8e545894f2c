// SPDX-License-Identifier: Apache-2.0
// IOBuf: a descriptor of bytes in a buffer, linked into chains; the unit in which network
// data moves from the NIC ring to the application and back without copies.
//
// A descriptor has a buffer (start, capacity) and a view of it (data(), length()): the
// bytes that are "in" this IOBuf. Headers are stripped by advancing the view and added
// by retreating it into headroom; payload grows into tailroom. Descriptors link into a
// circular chain that a single owner (the head's std::unique_ptr) owns as a whole.
//
// Ownership of the underlying bytes differs by kind:
//   UniqueIOBuf::Create(n)        owns its storage, allocated together with the descriptor
//   StaticIOBuf::Create(p, n)     bytes that outlive everything (string literals, tables)
//   ViewIOBuf::Create(p, n)       bytes owned by someone else who promises they outlive
//                                 the view (e.g. a NIC ring slot until it is recycled)
//   SharedIOBuf::Create(n)        reference-counted storage; Clone() makes another
//                                 descriptor of the same bytes (a memcached value referenced
//                                 by many GET replies at once)
//   SharedIOBuf::Wrap(storage, p, n)  reference-counted bytes owned elsewhere, handed back
//                                 to their owner when the last descriptor is gone (a NIC
//                                 receive buffer returning to its ring)
//
//   auto packet = UniqueIOBuf::Create(1500);
//   packet->Append(hdr_len + payload_len);          // grow the view into the tailroom
//   packet->Advance(sizeof(EthernetHeader));        // strip a header
//   packet->AppendChain(value.Clone());             // chain the value after it: no copy
//   size_t total = packet->ComputeChainDataLength();
//
// View operations check their bounds with EBBRT_CHECK: exceeding them is a bug in the
// caller. Parsing bytes that came from the network goes through the cursors in
// iobuf_cursor.h, which return errors instead.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>
#include <memory>

#include "ebbrt/base/check.h"

namespace ebbrt {

class IOBuf {
 public:
  // Who owns the bytes (see the header comment).
  enum class Kind : uint8_t { kUnique, kStatic, kView, kShared };

  IOBuf(const IOBuf&) = delete;
  IOBuf& operator=(const IOBuf&) = delete;
  // Destroys this descriptor and every other link of its chain: whoever owns a chain
  // owns it through one std::unique_ptr<IOBuf> (to any link, usually the head).
  virtual ~IOBuf();

  Kind kind() const { return kind_; }

  // --- The buffer and the view -------------------------------------------------------------
  const uint8_t* buffer() const { return buffer_; }
  size_t capacity() const { return capacity_; }
  const uint8_t* data() const { return data_; }
  uint8_t* MutableData() { return data_; }
  size_t length() const { return length_; }
  const uint8_t* tail() const { return data_ + length_; }
  // Bytes before data() and after tail() that the view can grow into.
  size_t headroom() const { return static_cast<size_t>(data_ - buffer_); }
  size_t tailroom() const { return capacity_ - headroom() - length_; }

  // Drops `n` bytes from the front of the view (e.g. a parsed header).
  void Advance(size_t n) {
    EBBRT_CHECK_MSG(n <= length_, "IOBuf::Advance past the end of the view");
    data_ += n;
    length_ -= n;
  }
  // Extends the view `n` bytes backwards into the headroom (e.g. to write a header).
  void Retreat(size_t n) {
    EBBRT_CHECK_MSG(n <= headroom(), "IOBuf::Retreat past the start of the buffer");
    data_ -= n;
    length_ += n;
  }
  // Extends the view `n` bytes into the tailroom.
  void Append(size_t n) {
    EBBRT_CHECK_MSG(n <= tailroom(), "IOBuf::Append past the end of the buffer");
    length_ += n;
  }
  // Drops `n` bytes from the end of the view.
  void TrimEnd(size_t n) {
    EBBRT_CHECK_MSG(n <= length_, "IOBuf::TrimEnd past the start of the view");
    length_ -= n;
  }

  // --- Chains -------------------------------------------------------------------------------
  // Links are circular: a lone IOBuf is its own next and prev.
  IOBuf* Next() { return next_; }
  const IOBuf* Next() const { return next_; }
  IOBuf* Prev() { return prev_; }
  const IOBuf* Prev() const { return prev_; }
  bool IsChained() const { return next_ != this; }

  // Number of links, and total bytes in the views of all links, of the chain this is in.
  size_t CountChainElements() const;
  size_t ComputeChainDataLength() const;

  // Moves all links of `chain` to the end of this chain (after this chain's last link).
  void AppendChain(std::unique_ptr<IOBuf> chain);
  // Removes this link from its chain and returns it alone; the rest stays linked.
  std::unique_ptr<IOBuf> Unlink();
  // Splits the chain headed by `head` so the first `offset` bytes stay and the rest is
  // returned as a new chain (the link containing the boundary is split without copying:
  // Clone for shared buffers, otherwise a ViewIOBuf of this buffer's tail, which must not
  // outlive it). Returns nullptr when offset == total length. offset > total is a bug.
  static std::unique_ptr<IOBuf> SplitAt(IOBuf& head, size_t offset);

  // Iteration over the chain starting here: for (IOBuf& link : *head) {...}
  template <typename Link>
  class ChainIterator {
   public:
    ChainIterator(Link* link, Link* head, bool started) : link_(link), head_(head), started_(started) {}
    Link& operator*() const { return *link_; }
    Link* operator->() const { return link_; }
    ChainIterator& operator++() {
      link_ = link_->Next();
      started_ = true;
      return *this;
    }
    bool operator==(const ChainIterator& other) const {
      return link_ == other.link_ && started_ == other.started_;
    }

   private:
    Link* link_;
    Link* head_;
    bool started_;
  };
  ChainIterator<IOBuf> begin() { return {this, this, false}; }
  ChainIterator<IOBuf> end() { return {this, this, true}; }
  ChainIterator<const IOBuf> begin() const { return {this, this, false}; }
  ChainIterator<const IOBuf> end() const { return {this, this, true}; }

 protected:
  IOBuf(Kind kind, uint8_t* buffer, size_t capacity, uint8_t* data, size_t length)
      : kind_(kind), buffer_(buffer), capacity_(capacity), data_(data), length_(length) {}

 private:
  Kind kind_;
  uint8_t* buffer_;
  size_t capacity_;
  uint8_t* data_;
  size_t length_;
  IOBuf* next_ = this;
  IOBuf* prev_ = this;
};

// Owns storage allocated together with the descriptor (one allocation per buffer).
class UniqueIOBuf final : public IOBuf {
 public:
  // `capacity` bytes, view empty at the start of the buffer (all tailroom). With
  // `headroom`, the view starts that many bytes in, for headers prepended later.
  static std::unique_ptr<IOBuf> Create(size_t capacity, size_t headroom = 0);
  // A copy of `size` bytes at `data` (the view covers all of them).
  static std::unique_ptr<IOBuf> CopyOf(const void* data, size_t size);

  static void operator delete(void* p) { ::operator delete(p); }

 private:
  UniqueIOBuf(uint8_t* storage, size_t capacity, size_t headroom)
      : IOBuf(Kind::kUnique, storage, capacity, storage + headroom, 0) {}
};

// Bytes that outlive every IOBuf (string literals, constant tables); never freed.
class StaticIOBuf final : public IOBuf {
 public:
  static std::unique_ptr<IOBuf> Create(const void* data, size_t size);

 private:
  StaticIOBuf(const void* data, size_t size)
      : IOBuf(Kind::kStatic, static_cast<uint8_t*>(const_cast<void*>(data)), size,
              static_cast<uint8_t*>(const_cast<void*>(data)), size) {}
};

// Bytes owned elsewhere, whose owner guarantees they outlive this view.
class ViewIOBuf final : public IOBuf {
 public:
  static std::unique_ptr<IOBuf> Create(const void* data, size_t size);

 private:
  ViewIOBuf(const void* data, size_t size)
      : IOBuf(Kind::kView, static_cast<uint8_t*>(const_cast<void*>(data)), size,
              static_cast<uint8_t*>(const_cast<void*>(data)), size) {}
};

// Reference-counted storage: the bytes live while any descriptor of them does.
class SharedIOBuf final : public IOBuf {
 public:
  // `capacity` bytes of fresh storage, view empty at `headroom`.
  static std::unique_ptr<IOBuf> Create(size_t capacity, size_t headroom = 0);
  // Another descriptor of the same bytes with the same view (no copy). The bytes are
  // shared: writing through one descriptor is visible through the others.
  static std::unique_ptr<IOBuf> Clone(const IOBuf& shared);
  // Whether `buf` is a SharedIOBuf (only those can be cloned).
  static bool IsShared(const IOBuf& buf) { return buf.kind() == Kind::kShared; }

  // The reference count of shared bytes and what happens when it drops to zero. Create()
  // puts one in front of its bytes (release null: freed with them). An owner of external
  // bytes keeps one per buffer (e.g. per receive-ring slot) with `release` set; `release`
  // runs once, when the last descriptor of the bytes is destroyed, on whichever core
  // destroys it, and must take the buffer back (the Storage may then be wrapped again).
  struct Storage {
    std::atomic<uint32_t> refs{0};
    void (*release)(Storage& storage) = nullptr;
  };
  // A descriptor of the `capacity` bytes at `buffer` that `storage` stands for, its view
  // [data_offset, data_offset + length). `storage` must not be in use (no descriptor of
  // it alive) and must have a `release`; both are checked.
  static std::unique_ptr<IOBuf> Wrap(Storage& storage, uint8_t* buffer, size_t capacity,
                                     size_t data_offset, size_t length);

  ~SharedIOBuf() override;

  // Descriptors sharing this storage (for tests and accounting).
  uint32_t ShareCount() const { return storage_->refs.load(std::memory_order_relaxed); }

 private:
  SharedIOBuf(Storage* storage, uint8_t* buffer, size_t capacity, uint8_t* data, size_t length)
      : IOBuf(Kind::kShared, buffer, capacity, data, length), storage_(storage) {}

  Storage* storage_;
};

}  // namespace ebbrt
