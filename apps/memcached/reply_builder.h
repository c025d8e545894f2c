// SPDX-License-Identifier: Apache-2.0
// ReplyBuilder: accumulates a session's replies as one IOBuf chain.
//
// Small text (status lines, headers) is packed into UniqueIOBufs with spare room, so a
// pipeline of a hundred SETs answers with one buffer of "STORED\r\n"s; values are linked
// in as the SharedIOBuf clones the store returns, never copied.
//
//   ReplyBuilder out;
//   out.Append("VALUE k 0 5\r\n");
//   out.AppendChain(std::move(hit.value));   // the stored bytes themselves
//   out.Append("\r\nEND\r\n");                // goes into a fresh buffer after the value
//   sink.Send(out.Take());
#pragma once

#include <stddef.h>

#include <memory>
#include <string_view>

#include "ebbrt/iobuf/iobuf.h"

namespace memcached {

class ReplyBuilder {
 public:
  ReplyBuilder() = default;
  ReplyBuilder(const ReplyBuilder&) = delete;
  ReplyBuilder& operator=(const ReplyBuilder&) = delete;

  bool Empty() const { return head_ == nullptr; }

  void Append(const void* data, size_t size);
  void Append(std::string_view text) { Append(text.data(), text.size()); }
  // `size` contiguous writable bytes at the end of the reply; Commit() how many were used.
  char* Reserve(size_t size);
  void Commit(size_t used);
  // Links `chain` in as it is; text appended later goes into a new buffer after it.
  void AppendChain(std::unique_ptr<ebbrt::IOBuf> chain);
  // Moves all of `other`'s reply to the end of this one.
  void AppendBuilder(ReplyBuilder& other);
  // The whole reply so far (null when empty); the builder is empty afterwards.
  std::unique_ptr<ebbrt::IOBuf> Take();

 private:
  // Text buffers start this big (a few status lines or a GET hit's header).
  static constexpr size_t kChunk = 256;

  std::unique_ptr<ebbrt::IOBuf> head_;
  // The chain's last link when it is one of our text buffers (it may have room).
  ebbrt::IOBuf* text_tail_ = nullptr;
};

}  // namespace memcached
