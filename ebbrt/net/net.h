// SPDX-License-Identifier: Apache-2.0
// The application-facing network API: TCP and UDP over IOBuf chains, per core.
//
// The same header serves both platforms: hosted, it is implemented over non-blocking
// Linux sockets registered with each core's event loop (ebbrt/hosted/net.cc); natively,
// by EbbRT's own TCP/IP stack over virtio-net: the IPv4 part of it exists
// (ebbrt/net/ipv4_stack.h: ARP, IPv4, ICMP, UDP) but this API is not built on it yet, so
// native programs cannot link //ebbrt/net today. Code written against it will build for both.
//
// Every connection lives on one core: the core that accepted it (each core has its own
// listening socket, so connections spread over cores) or the core that called
// ConnectTcp. All of a connection's callbacks run there, as events, and all calls on it
// must be made there.
//
//   class Echo : public net::TcpHandler {
//    public:
//     explicit Echo(net::TcpConnection& c) : conn_(c) {}
//     void Receive(std::unique_ptr<IOBuf> data) override {
//       // Refused chains stay with us; a real server would keep `data` and retry on
//       // WindowIncreased() (see ebbrt/net/net_test.cc's EchoHandler).
//       if (!conn_.Send(std::move(data)).ok()) conn_.Abort();
//     }
//    private:
//     net::TcpConnection& conn_;
//   };
//   class EchoAcceptor : public net::TcpAcceptor {
//     std::unique_ptr<net::TcpHandler> Accept(net::TcpConnection& c) override {
//       return std::make_unique<Echo>(c);
//     }
//   };
//   EchoAcceptor acceptor;                       // must outlive the listener
//   uint16_t port = EBBRT_TRY(net::ListenTcp(7, acceptor).Block());
//
// Sending honours a send window: Send() accepts a whole chain or refuses it with
// kResourceExhausted when the bytes already queued plus the chain would exceed
// SendWindow(); the handler's WindowIncreased() says when to try again. Nothing is
// dropped or truncated silently.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/future/future.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net {

// An IPv4 address in host byte order (`value`), the stack's own type: Any(), Loopback(),
// Parse("10.0.0.2"), Ipv4AddressText for printing (ebbrt/net/wire/ipv4_address.h).
using Ipv4Address = wire::Ipv4Address;

class TcpConnection;

// What an application implements for each connection. Owned by the stack from Accept /
// ConnectTcp on; destroyed on the connection's core after Closed() or Aborted().
class TcpHandler {
 public:
  virtual ~TcpHandler() = default;

  // Bytes received, in order (a chain of one or more IOBufs, never empty).
  virtual void Receive(std::unique_ptr<IOBuf> data) = 0;
  // The peer will send nothing more. The default closes our side too (after what is
  // queued has been sent).
  virtual void PeerClosed();
  // Both sides are closed and everything queued was sent; last callback.
  virtual void Closed() {}
  // The connection failed (reset, error, or Abort()); last callback. Queued data is lost.
  virtual void Aborted(Status why) {}
  // The send window has room again after a Send() was refused.
  virtual void WindowIncreased() {}

 protected:
  TcpHandler() = default;

 private:
  friend class TcpConnection;
  // Set by the stack before the first callback (used by the default PeerClosed).
  TcpConnection* connection_ = nullptr;
};

// A connection's sending side and control. Reference it from the handler; it lives as
// long as the handler does.
class TcpConnection {
 public:
  virtual ~TcpConnection() = default;

  // Queues the whole chain for sending and takes it, or refuses it and leaves it with the
  // caller: kResourceExhausted if it does not fit in SendWindow() (try again on
  // WindowIncreased()), kFailedPrecondition after Close()/Abort() or once aborted.
  virtual Status Send(std::unique_ptr<IOBuf>&& data) = 0;
  // Bytes Send() accepts now at least (with nothing queued it accepts a chain of any
  // size, so one large reply can always go out).
  virtual size_t SendWindow() const = 0;
  // Graceful close: sends what is queued, then FIN. Receive may still be called until the
  // peer closes too.
  virtual void Close() = 0;
  // Immediate reset; queued data is dropped; Aborted() follows.
  virtual void Abort() = 0;

  virtual Ipv4Address RemoteAddress() const = 0;
  virtual uint16_t RemotePort() const = 0;
  size_t core() const { return core_; }

 protected:
  explicit TcpConnection(size_t core) : core_(core) {}
  // For implementations: tells `handler` which connection it belongs to.
  static void Attach(TcpHandler& handler, TcpConnection& connection) {
    handler.connection_ = &connection;
  }

 private:
  size_t core_;
};

// Builds a handler for each accepted connection; called on the connection's core, by
// several cores at once, so it must be safe to call concurrently. Must outlive the
// listener (in practice: the application).
class TcpAcceptor {
 public:
  virtual ~TcpAcceptor() = default;
  virtual std::unique_ptr<TcpHandler> Accept(TcpConnection& connection) = 0;
};

// Listens on `port` (0: an ephemeral port) of every address on every core. Fulfilled with
// the port once all cores listen, or with the error (e.g. kAlreadyExists: port in use;
// kPermissionDenied: a privileged port; on hosted the Status carries the errno, and
// StatusText(status) prints the system's reason).
Future<uint16_t> ListenTcp(uint16_t port, TcpAcceptor& acceptor);

// Connects from the calling core; `make_handler` builds the handler once connected.
// Fulfilled when connected (kUnavailable: refused or unreachable; hosted adds the errno).
Future<void> ConnectTcp(Ipv4Address address, uint16_t port,
                        MovableFunction<std::unique_ptr<TcpHandler>(TcpConnection&)> make_handler);

// --- UDP ------------------------------------------------------------------------------------

// Called on the socket's core for each datagram.
using UdpReceiveFn = MovableFunction<void(Ipv4Address from, uint16_t from_port,
                                          std::unique_ptr<IOBuf> datagram)>;

class UdpSocket {
 public:
  virtual ~UdpSocket() = default;
  // Sends one datagram (the whole chain). kInvalidArgument if larger than a datagram can be.
  virtual Status SendTo(Ipv4Address to, uint16_t port, std::unique_ptr<IOBuf> datagram) = 0;
  virtual uint16_t port() const = 0;
};

// Binds a UDP socket on the calling core (`port` 0: ephemeral). Destroying the socket
// closes it; no callback runs after that.
Result<std::unique_ptr<UdpSocket>> BindUdp(uint16_t port, UdpReceiveFn receive);

}  // namespace ebbrt::net
