// SPDX-License-Identifier: Apache-2.0
#include "apps/memcached/reply_builder.h"

#include <string.h>

#include <utility>

namespace memcached {

using ebbrt::IOBuf;
using ebbrt::UniqueIOBuf;

char* ReplyBuilder::Reserve(size_t size) {
  if (text_tail_ == nullptr || text_tail_->tailroom() < size) {
    std::unique_ptr<IOBuf> buffer = UniqueIOBuf::Create(size > kChunk ? size : kChunk);
    IOBuf* raw = buffer.get();
    if (head_ == nullptr) {
      head_ = std::move(buffer);
    } else {
      head_->AppendChain(std::move(buffer));
    }
    text_tail_ = raw;
  }
  return reinterpret_cast<char*>(text_tail_->MutableData() + text_tail_->length());
}

void ReplyBuilder::Commit(size_t used) { text_tail_->Append(used); }

void ReplyBuilder::Append(const void* data, size_t size) {
  if (size == 0) return;
  char* out = Reserve(size);
  memcpy(out, data, size);
  Commit(size);
}

void ReplyBuilder::AppendChain(std::unique_ptr<IOBuf> chain) {
  if (chain == nullptr) return;
  if (head_ == nullptr) {
    head_ = std::move(chain);
  } else {
    head_->AppendChain(std::move(chain));
  }
  text_tail_ = nullptr;
}

void ReplyBuilder::AppendBuilder(ReplyBuilder& other) {
  if (other.head_ == nullptr) return;
  IOBuf* other_tail = other.text_tail_;
  AppendChain(other.Take());
  text_tail_ = other_tail;
}

std::unique_ptr<IOBuf> ReplyBuilder::Take() {
  text_tail_ = nullptr;
  return std::move(head_);
}

}  // namespace memcached
