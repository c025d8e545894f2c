// SPDX-License-Identifier: Apache-2.0
#include "apps/memcached/session.h"

#include <utility>

namespace memcached {

using ebbrt::IOBuf;

Session::Session(ItemStore& store, ReplySink& sink)
    : sink_(sink), ascii_(store, out_), binary_(store, out_) {}

void Session::Receive(std::unique_ptr<IOBuf> data) {
  if (closed_ || data == nullptr) return;
  for (IOBuf& link : *data) {
    const uint8_t* bytes = link.data();
    size_t size = link.length();
    if (size == 0) continue;
    if (protocol_ == Protocol::kUnknown) {
      protocol_ = bytes[0] == binary::kRequestMagic ? Protocol::kBinary : Protocol::kAscii;
    }
    bool keep_open = protocol_ == Protocol::kBinary ? binary_.Feed(bytes, size)
                                                    : ascii_.Feed(bytes, size);
    if (!keep_open) {
      closed_ = true;
      break;
    }
  }
  if (!out_.Empty()) sink_.Send(out_.Take());
  // Last: the sink may destroy this Session when it closes the connection.
  if (closed_) sink_.Close();
}

}  // namespace memcached
