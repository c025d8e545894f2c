// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/iobuf/iobuf_cursor.h"

namespace ebbrt::iobuf_internal {

Position::Position(IOBuf* head) : link_(head), remaining_(head->ComputeChainDataLength()) {
  SkipEmptyLinks();
}

void Position::SkipEmptyLinks() {
  // Keep the position on a link with bytes left, unless the chain is exhausted.
  while (remaining_ > 0 && offset_ == link_->length()) {
    link_ = link_->Next();
    offset_ = 0;
  }
}

Status Position::OutOfRange(size_t) const {
  return Status(StatusCode::kOutOfRange, "access past the end of the IOBuf chain");
}

Status Position::Advance(size_t n) {
  if (n > remaining_) return OutOfRange(n);
  remaining_ -= n;
  consumed_ += n;
  while (n > 0) {
    size_t here = link_->length() - offset_;
    size_t step = n < here ? n : here;
    offset_ += step;
    n -= step;
    if (offset_ == link_->length() && (n > 0 || remaining_ > 0)) {
      link_ = link_->Next();
      offset_ = 0;
    }
  }
  SkipEmptyLinks();
  return Status::Ok();
}

Status Position::Read(void* out, size_t n) {
  if (n > remaining_) return OutOfRange(n);
  auto* dst = static_cast<uint8_t*>(out);
  size_t left = n;
  IOBuf* link = link_;
  size_t offset = offset_;
  while (left > 0) {
    size_t here = link->length() - offset;
    size_t step = left < here ? left : here;
    memcpy(dst, link->data() + offset, step);
    dst += step;
    left -= step;
    offset += step;
    if (offset == link->length()) {
      link = link->Next();
      offset = 0;
    }
  }
  return Advance(n);
}

Status Position::Write(const void* in, size_t n) {
  if (n > remaining_) return OutOfRange(n);
  auto* src = static_cast<const uint8_t*>(in);
  size_t left = n;
  IOBuf* link = link_;
  size_t offset = offset_;
  while (left > 0) {
    size_t here = link->length() - offset;
    size_t step = left < here ? left : here;
    memcpy(link->MutableData() + offset, src, step);
    src += step;
    left -= step;
    offset += step;
    if (offset == link->length()) {
      link = link->Next();
      offset = 0;
    }
  }
  return Advance(n);
}

}  // namespace ebbrt::iobuf_internal
