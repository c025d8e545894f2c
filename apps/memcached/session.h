// SPDX-License-Identifier: Apache-2.0
// Session: one memcached connection's protocol state, between the network and the store.
//
// The server makes one Session per TCP connection, on the connection's core, and hands
// it the received bytes; the Session answers through the connection's ReplySink.
//
//   class Connection : public ebbrt::net::TcpHandler, public memcached::ReplySink {
//     void Receive(std::unique_ptr<ebbrt::IOBuf> data) override {
//       session_.Receive(std::move(data));
//     }
//     void Send(std::unique_ptr<ebbrt::IOBuf> reply) override { /* queue on the TCP conn */ }
//     void Close() override { /* close after the queued replies */ }
//     memcached::Session session_{store, *this};
//   };
//
// The first byte of the connection picks the protocol, as in memcached: 0x80 (the binary
// request magic) is binary, anything else ASCII. Requests may be split anywhere across
// Receive calls and many may arrive in one; the replies to everything one Receive
// completed are sent with one Send() at its end, in request order. What a Session keeps
// between calls is bounded: a partial command line (ASCII: 2 KiB, or the item size limit
// + 4 KiB for a get/gets line), a partial binary header + extras + key (529 bytes), and
// the value being received (at most the item size limit; larger ones are refused and
// skipped as they arrive). Past those bounds the connection gets the protocol's error
// and is closed.
#pragma once

#include <stdint.h>

#include <memory>

#include "apps/memcached/ascii_protocol.h"
#include "apps/memcached/binary_protocol.h"
#include "apps/memcached/reply_builder.h"
#include "apps/memcached/store.h"
#include "ebbrt/iobuf/iobuf.h"

namespace memcached {

// Where a session's replies go (the TCP connection).
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  // A reply chain, in order. GET replies link SharedIOBuf clones of stored values.
  virtual void Send(std::unique_ptr<ebbrt::IOBuf> reply) = 0;
  // Close the connection after what was sent (quit, or a fatal protocol error). The
  // Session calls nothing after this, and this is the last thing its Receive does, so
  // the sink may destroy the Session from here on (but not from inside Send).
  virtual void Close() = 0;
};

class Session {
 public:
  // The connection counts itself (ItemStore::ConnectionOpened/Closed); the Session does
  // not, so it can also serve tests and tools that are not connections.
  Session(ItemStore& store, ReplySink& sink);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Bytes received on the connection, in order, arbitrarily split. Ignored once the
  // session has closed.
  void Receive(std::unique_ptr<ebbrt::IOBuf> data);

  bool closed() const { return closed_; }

 private:
  enum class Protocol : uint8_t { kUnknown, kAscii, kBinary };

  ReplySink& sink_;
  ReplyBuilder out_;
  AsciiProtocol ascii_;
  BinaryProtocol binary_;
  Protocol protocol_ = Protocol::kUnknown;
  bool closed_ = false;
};

}  // namespace memcached
