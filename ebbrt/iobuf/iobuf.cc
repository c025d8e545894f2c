// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/iobuf/iobuf.h"

#include <string.h>

#include <new>
#include <utility>

namespace ebbrt {

IOBuf::~IOBuf() {
  // Delete the other links one at a time, each unlinked first so its own destructor
  // sees a chain of one (no recursion down long chains).
  while (next_ != this) {
    IOBuf* victim = next_;
    next_ = victim->next_;
    next_->prev_ = this;
    victim->next_ = victim;
    victim->prev_ = victim;
    delete victim;
  }
}

size_t IOBuf::CountChainElements() const {
  size_t count = 0;
  for (const IOBuf& link : *this) {
    (void)link;
    ++count;
  }
  return count;
}

size_t IOBuf::ComputeChainDataLength() const {
  size_t total = 0;
  for (const IOBuf& link : *this) total += link.length();
  return total;
}

void IOBuf::AppendChain(std::unique_ptr<IOBuf> chain) {
  EBBRT_CHECK(chain != nullptr);
  IOBuf* first = chain.release();
  IOBuf* last = first->prev_;
  IOBuf* our_last = prev_;
  our_last->next_ = first;
  first->prev_ = our_last;
  last->next_ = this;
  prev_ = last;
}

std::unique_ptr<IOBuf> IOBuf::Unlink() {
  prev_->next_ = next_;
  next_->prev_ = prev_;
  next_ = this;
  prev_ = this;
  return std::unique_ptr<IOBuf>(this);
}

std::unique_ptr<IOBuf> IOBuf::SplitAt(IOBuf& head, size_t offset) {
  IOBuf* link = &head;
  size_t remaining = offset;
  while (remaining >= link->length()) {
    remaining -= link->length();
    link = link->next_;
    if (link == &head) {
      EBBRT_CHECK_MSG(remaining == 0, "IOBuf::SplitAt past the end of the chain");
      return nullptr;
    }
  }
  // The boundary falls inside `link` (or at its start if remaining == 0).
  IOBuf* tail_first;
  if (remaining == 0) {
    EBBRT_CHECK_MSG(link != &head, "IOBuf::SplitAt(0) would leave the head empty; own the chain instead");
    tail_first = link;
  } else {
    std::unique_ptr<IOBuf> rest;
    if (SharedIOBuf::IsShared(*link)) {
      rest = SharedIOBuf::Clone(*link);
    } else {
      rest = ViewIOBuf::Create(link->data(), link->length());
    }
    rest->Advance(remaining);
    link->TrimEnd(link->length() - remaining);
    // Insert the new descriptor right after `link`, then split there.
    IOBuf* inserted = rest.release();
    inserted->next_ = link->next_;
    inserted->prev_ = link;
    link->next_->prev_ = inserted;
    link->next_ = inserted;
    tail_first = inserted;
  }
  // Cut the circle: [head .. tail_first->prev] stays, [tail_first .. head->prev] goes.
  IOBuf* keep_last = tail_first->prev_;
  IOBuf* tail_last = head.prev_;
  keep_last->next_ = &head;
  head.prev_ = keep_last;
  tail_last->next_ = tail_first;
  tail_first->prev_ = tail_last;
  return std::unique_ptr<IOBuf>(tail_first);
}

std::unique_ptr<IOBuf> UniqueIOBuf::Create(size_t capacity, size_t headroom) {
  EBBRT_CHECK_MSG(headroom <= capacity, "UniqueIOBuf headroom larger than its capacity");
  // One allocation: the descriptor, then the bytes.
  void* block = ::operator new(sizeof(UniqueIOBuf) + capacity);
  uint8_t* storage = static_cast<uint8_t*>(block) + sizeof(UniqueIOBuf);
  return std::unique_ptr<IOBuf>(new (block) UniqueIOBuf(storage, capacity, headroom));
}

std::unique_ptr<IOBuf> UniqueIOBuf::CopyOf(const void* data, size_t size) {
  std::unique_ptr<IOBuf> buf = Create(size);
  if (size > 0) memcpy(buf->MutableData(), data, size);
  buf->Append(size);
  return buf;
}

std::unique_ptr<IOBuf> StaticIOBuf::Create(const void* data, size_t size) {
  return std::unique_ptr<IOBuf>(new StaticIOBuf(data, size));
}

std::unique_ptr<IOBuf> ViewIOBuf::Create(const void* data, size_t size) {
  return std::unique_ptr<IOBuf>(new ViewIOBuf(data, size));
}

std::unique_ptr<IOBuf> SharedIOBuf::Create(size_t capacity, size_t headroom) {
  EBBRT_CHECK_MSG(headroom <= capacity, "SharedIOBuf headroom larger than its capacity");
  void* block = ::operator new(sizeof(Storage) + capacity);
  auto* storage = new (block) Storage{};
  storage->refs.store(1, std::memory_order_relaxed);
  static_assert(sizeof(Storage) == 16, "memcached's memory accounting counts a 16-byte header");
  uint8_t* bytes = static_cast<uint8_t*>(block) + sizeof(Storage);
  return std::unique_ptr<IOBuf>(new SharedIOBuf(storage, bytes, capacity, bytes + headroom, 0));
}

std::unique_ptr<IOBuf> SharedIOBuf::Clone(const IOBuf& shared) {
  EBBRT_CHECK_MSG(IsShared(shared), "SharedIOBuf::Clone of an IOBuf that is not shared");
  const auto& source = static_cast<const SharedIOBuf&>(shared);
  source.storage_->refs.fetch_add(1, std::memory_order_relaxed);
  uint8_t* buffer = const_cast<uint8_t*>(source.buffer());
  uint8_t* data = const_cast<uint8_t*>(source.data());
  return std::unique_ptr<IOBuf>(
      new SharedIOBuf(source.storage_, buffer, source.capacity(), data, source.length()));
}

std::unique_ptr<IOBuf> SharedIOBuf::Wrap(Storage& storage, uint8_t* buffer, size_t capacity,
                                         size_t data_offset, size_t length) {
  EBBRT_CHECK_MSG(storage.release != nullptr, "SharedIOBuf::Wrap: storage without a release");
  EBBRT_CHECK_MSG(data_offset <= capacity && length <= capacity - data_offset,
                  "SharedIOBuf::Wrap: view outside the buffer");
  uint32_t idle = 0;
  EBBRT_CHECK_MSG(storage.refs.compare_exchange_strong(idle, 1, std::memory_order_acquire),
                  "SharedIOBuf::Wrap: storage still in use");
  return std::unique_ptr<IOBuf>(
      new SharedIOBuf(&storage, buffer, capacity, buffer + data_offset, length));
}

SharedIOBuf::~SharedIOBuf() {
  if (storage_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    if (storage_->release != nullptr) {
      storage_->release(*storage_);  // the owner takes its buffer back
    } else {
      // Create()'s block: the header, then the bytes.
      storage_->~Storage();
      ::operator delete(storage_);
    }
  }
}

}  // namespace ebbrt
