// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/chain.h"

#include <string.h>

#include "ebbrt/base/check.h"

namespace ebbrt::net::wire {

DataPointer CursorAt(const IOBuf& chain, size_t offset) {
  DataPointer p(&chain);
  EBBRT_CHECK_MSG(p.Advance(offset).ok(), "CursorAt: offset past the end of the chain");
  return p;
}

bool CopyFromChain(const IOBuf& chain, size_t offset, void* out, size_t n) {
  // Walk the links directly: no total-length pass, and the common case (the header in
  // the first link) is one memcpy.
  const IOBuf* link = &chain;
  auto* dst = static_cast<uint8_t*>(out);
  do {
    size_t here = link->length();
    if (offset >= here) {
      offset -= here;
    } else {
      size_t take = here - offset < n ? here - offset : n;
      memcpy(dst, link->data() + offset, take);
      dst += take;
      n -= take;
      offset = 0;
    }
    if (n == 0) return true;
    link = link->Next();
  } while (link != &chain);
  return false;
}

std::unique_ptr<IOBuf> TakeRange(std::unique_ptr<IOBuf> chain, size_t offset, size_t length) {
  EBBRT_CHECK_MSG(offset + length <= chain->ComputeChainDataLength(),
                  "TakeRange: range past the end of the chain");
  // Free whole links before the range.
  while (chain->IsChained() && offset >= chain->length()) {
    offset -= chain->length();
    IOBuf* next = chain->Next();
    std::unique_ptr<IOBuf> dead = chain.release()->Unlink();
    chain.reset(next);
  }
  chain->Advance(offset);
  // Find the link where the range ends, trim it and free the links after it.
  IOBuf* last = chain.get();
  size_t left = length;
  while (left > last->length()) {
    left -= last->length();
    last = last->Next();
  }
  last->TrimEnd(last->length() - left);
  while (chain->Prev() != last) {
    std::unique_ptr<IOBuf> dead = chain->Prev()->Unlink();
  }
  return chain;
}

Result<uint8_t*> PrependHeader(IOBuf& head, size_t n, const char* message) {
  if (head.headroom() < n) return Status(StatusCode::kFailedPrecondition, message);
  head.Retreat(n);
  return head.MutableData();
}

}  // namespace ebbrt::net::wire
