// SPDX-License-Identifier: Apache-2.0
// Hosted implementation of the network API (ebbrt/net/net.h) over non-blocking Linux
// sockets watched by each core's epoll set (fd_watch.h).
//
// TCP: one SO_REUSEPORT listening socket per core, so the kernel spreads connections over
// cores and each connection stays on the core that accepted it. Receive reads into a
// per-core buffer and hands the handler an IOBuf of its own (a copy of a short read, or
// the buffer itself for a long one); Send writes chains with writev and queues what the
// kernel did not take, up to the send window; EPOLLOUT drains the queue.
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <limits.h>

#include <memory>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/core/per_core.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/spawn_on.h"
#include "ebbrt/hosted/fd_watch.h"
#include "ebbrt/hosted/internal/hosted_core.h"
#include "ebbrt/hosted/system_error.h"
#include "ebbrt/net/net.h"

namespace ebbrt::net {
namespace {

// Bytes a connection may hold queued beyond what the kernel accepted. A chain is always
// accepted into an empty queue, whatever its size, so one large reply can never deadlock.
constexpr size_t kSendWindow = 4 << 20;
// Receive buffer per read, and reads per readiness event (fairness between connections).
constexpr size_t kReadSize = 16 * 1024;
// Reads up to this size (requests, mostly) are copied out of the core's spare read buffer
// into one of their own size, so the spare serves the next read without an allocation of
// kReadSize; larger ones take the spare itself rather than pay for a copy.
constexpr size_t kCopyReadsUpTo = 2048;
constexpr int kReadsPerEvent = 16;
constexpr size_t kMaxDatagram = 65535;

sockaddr_in ToSockaddr(Ipv4Address address, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(address.value);
  return addr;
}

// Fills `iov` from a chain (at most `max` entries); returns the entry count.
int FillIovecs(const IOBuf& head, iovec* iov, int max) {
  int count = 0;
  for (const IOBuf& link : head) {
    if (count == max) break;
    if (link.length() == 0) continue;
    iov[count].iov_base = const_cast<uint8_t*>(link.data());
    iov[count].iov_len = link.length();
    ++count;
  }
  return count;
}

// Drops `n` sent bytes (and any empty links) from the front of the chain; returns the
// rest, or nullptr when nothing is left.
std::unique_ptr<IOBuf> ConsumeFront(std::unique_ptr<IOBuf> chain, size_t n) {
  while (chain != nullptr) {
    if (n < chain->length()) {
      chain->Advance(n);
      return chain;
    }
    n -= chain->length();
    if (!chain->IsChained()) return nullptr;
    IOBuf* head = chain.release();
    IOBuf* rest = head->Next();
    head->Unlink();  // Returns the lone head, destroyed right here.
    chain.reset(rest);
  }
  return chain;
}

class HostedTcpConnection;

// Per-core registry, so a stopping core closes its sockets (hosted runtime exit hook).
struct CoreNet {
  bool hook_installed = false;
  Vector<int> listen_fds;
  Vector<HostedTcpConnection*> connections;
  // kReadSize bytes that TCP reads land in (see kCopyReadsUpTo); made when needed.
  std::unique_ptr<IOBuf> spare_read_buffer;
};
PerCore<CoreNet> g_core_net;

void CloseEverythingOnThisCore();

CoreNet& ThisCoreNet() {
  CoreNet& net = g_core_net.Mine();
  if (!net.hook_installed) {
    net.hook_installed = true;
    hosted_internal::AddCoreExitHook([] { CloseEverythingOnThisCore(); });
  }
  return net;
}

class HostedTcpConnection final : public TcpConnection {
 public:
  HostedTcpConnection(int fd, Ipv4Address remote, uint16_t remote_port)
      : TcpConnection(MyCore()), fd_(fd), remote_(remote), remote_port_(remote_port) {}

  ~HostedTcpConnection() override {
    if (fd_ >= 0) {
      (void)hosted::UnwatchFd(fd_);
      close(fd_);
    }
  }

  // Installs the handler and starts watching the socket.
  Status Start(std::unique_ptr<TcpHandler> handler) {
    handler_ = std::move(handler);
    Attach(*handler_, *this);
    events_ = EPOLLIN | EPOLLRDHUP;
    Status watched = hosted::WatchFd(fd_, events_, [this](uint32_t ready) { OnReady(ready); });
    if (!watched.ok()) return watched;
    ThisCoreNet().connections.PushBack(this);
    return Status::Ok();
  }

  Status Send(std::unique_ptr<IOBuf>&& data) override {
    if (data == nullptr) return Status(StatusCode::kInvalidArgument, "Send of a null chain");
    if (finished_ || close_requested_) {
      return Status(StatusCode::kFailedPrecondition, "Send on a closed connection");
    }
    size_t length = data->ComputeChainDataLength();
    if (queue_ != nullptr) {
      if (length > SendWindow()) {
        window_refused_ = true;
        return Status(StatusCode::kResourceExhausted, "send window full");
      }
      queue_->AppendChain(std::move(data));
      queued_bytes_ += length;
      return Status::Ok();
    }
    queue_ = std::move(data);  // Taken only once accepted: a refusal leaves it with the caller.
    queued_bytes_ = length;
    Flush();
    return Status::Ok();
  }

  size_t SendWindow() const override {
    return queued_bytes_ >= kSendWindow ? 0 : kSendWindow - queued_bytes_;
  }

  void Close() override {
    if (finished_ || close_requested_) return;
    close_requested_ = true;
    MaybeShutdownWrite();
  }

  void Abort() override { Fail(Status(StatusCode::kCancelled, "connection aborted locally"), true); }

  Ipv4Address RemoteAddress() const override { return remote_; }
  uint16_t RemotePort() const override { return remote_port_; }

  // The core is stopping: close without callbacks into application code that may be
  // half torn down; the handler is destroyed with the connection.
  void CloseForShutdown() {
    finished_ = true;
    delete this;
  }

 private:
  void OnReady(uint32_t ready) {
    if (finished_) return;
    if (ready & EPOLLOUT) {
      Flush();
      if (finished_) return;
    }
    if (ready & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ReadSome();
  }

  void ReadSome() {
    std::unique_ptr<IOBuf>& spare = g_core_net[core()].spare_read_buffer;
    for (int i = 0; i < kReadsPerEvent && !finished_ && !peer_closed_; ++i) {
      if (spare == nullptr) spare = UniqueIOBuf::Create(kReadSize);
      ssize_t n = read(fd_, spare->MutableData(), kReadSize);
      if (n > 0) {
        std::unique_ptr<IOBuf> buf;
        if (static_cast<size_t>(n) <= kCopyReadsUpTo) {
          buf = UniqueIOBuf::CopyOf(spare->data(), static_cast<size_t>(n));
        } else {
          buf = std::move(spare);
          buf->Append(static_cast<size_t>(n));
        }
        handler_->Receive(std::move(buf));
        if (static_cast<size_t>(n) < kReadSize) return;  // Drained for now.
        continue;
      }
      if (n == 0) {
        peer_closed_ = true;
        events_ &= ~static_cast<uint32_t>(EPOLLIN | EPOLLRDHUP);
        UpdateWatch();
        handler_->PeerClosed();
        MaybeFinish();
        return;
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      Fail(Status(StatusCode::kIoError, "recv failed (connection reset?)", errno), false);
      return;
    }
  }

  void Flush() {
    while (queue_ != nullptr) {
      iovec iov[IOV_MAX];
      int count = FillIovecs(*queue_, iov, IOV_MAX);
      if (count == 0) {
        queue_.reset();
        queued_bytes_ = 0;
        break;
      }
      ssize_t n = writev(fd_, iov, count);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        Fail(Status(StatusCode::kIoError, "send failed (peer reset?)", errno), false);
        return;
      }
      queued_bytes_ -= static_cast<size_t>(n);
      queue_ = ConsumeFront(std::move(queue_), static_cast<size_t>(n));
    }
    if (queue_ == nullptr) queued_bytes_ = 0;
    uint32_t wanted = queue_ != nullptr ? (events_ | EPOLLOUT) : (events_ & ~static_cast<uint32_t>(EPOLLOUT));
    if (wanted != events_) {
      events_ = wanted;
      UpdateWatch();
    }
    if (queue_ == nullptr) {
      if (window_refused_) {
        window_refused_ = false;
        handler_->WindowIncreased();
        if (finished_) return;
      }
      MaybeShutdownWrite();
    }
  }

  void MaybeShutdownWrite() {
    if (!close_requested_ || queue_ != nullptr || write_shut_ || finished_) return;
    write_shut_ = true;
    shutdown(fd_, SHUT_WR);
    MaybeFinish();
  }

  void MaybeFinish() {
    if (finished_ || !peer_closed_ || !write_shut_) return;
    finished_ = true;
    StopWatching();
    handler_->Closed();
    DeleteLater();
  }

  void Fail(Status why, bool reset) {
    if (finished_) return;
    finished_ = true;
    if (reset) {
      // SO_LINGER 0 makes close() send RST instead of FIN.
      linger l{1, 0};
      setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    }
    queue_.reset();
    StopWatching();
    handler_->Aborted(why);
    DeleteLater();
  }

  void UpdateWatch() {
    if (!finished_) (void)hosted::ModifyFdWatch(fd_, events_);
  }

  void StopWatching() {
    (void)hosted::UnwatchFd(fd_);
    close(fd_);
    fd_ = -1;
  }

  // Not now: we are inside one of this connection's (or its handler's) call frames.
  void DeleteLater() {
    CoreNet& net = g_core_net[core()];
    for (size_t i = 0; i < net.connections.Size(); ++i) {
      if (net.connections[i] == this) {
        net.connections.SwapRemove(i);
        break;
      }
    }
    SpawnLocal([this] { delete this; });
  }

  int fd_;
  Ipv4Address remote_;
  uint16_t remote_port_;
  std::unique_ptr<TcpHandler> handler_;
  uint32_t events_ = 0;
  std::unique_ptr<IOBuf> queue_;
  size_t queued_bytes_ = 0;
  bool window_refused_ = false;
  bool close_requested_ = false;
  bool write_shut_ = false;
  bool peer_closed_ = false;
  bool finished_ = false;
};

void CloseEverythingOnThisCore() {
  CoreNet& net = g_core_net.Mine();
  for (int fd : net.listen_fds) {
    (void)hosted::UnwatchFd(fd);
    close(fd);
  }
  net.listen_fds.Clear();
  net.spare_read_buffer.reset();
  while (!net.connections.Empty()) {
    HostedTcpConnection* connection = net.connections.Back();
    net.connections.PopBack();
    connection->CloseForShutdown();
  }
  net.hook_installed = false;
}

void AcceptAll(int listen_fd, TcpAcceptor* acceptor) {
  for (int i = 0; i < kReadsPerEvent; ++i) {
    sockaddr_in peer{};
    socklen_t peer_len = sizeof(peer);
    int fd = accept4(listen_fd, reinterpret_cast<sockaddr*>(&peer), &peer_len,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      // EAGAIN: none left; anything else (EMFILE, ECONNABORTED...) drops this attempt
      // and the next readiness event tries again.
      return;
    }
    int one = 1;
    // Small replies go out now rather than waiting for more (request/response traffic).
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto* connection = new HostedTcpConnection(fd, Ipv4Address{ntohl(peer.sin_addr.s_addr)},
                                               ntohs(peer.sin_port));
    std::unique_ptr<TcpHandler> handler = acceptor->Accept(*connection);
    if (handler == nullptr || !connection->Start(std::move(handler)).ok()) {
      delete connection;  // Refused by the application (or fd limits): closes the socket.
    }
  }
}

// Creates, binds and watches this core's listening socket.
Result<uint16_t> ListenOnThisCore(uint16_t port, TcpAcceptor* acceptor) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return hosted::SystemError("socket (TCP listener)", errno);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  sockaddr_in addr = ToSockaddr(Ipv4Address::Any(), port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int error = errno;
    close(fd);
    return hosted::SystemError("bind (TCP)", error);
  }
  if (listen(fd, SOMAXCONN) != 0) {
    int error = errno;
    close(fd);
    return hosted::SystemError("listen", error);
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  Status watched = hosted::WatchFd(fd, EPOLLIN, [fd, acceptor](uint32_t) { AcceptAll(fd, acceptor); });
  if (!watched.ok()) {
    close(fd);
    return watched;
  }
  ThisCoreNet().listen_fds.PushBack(fd);
  return ntohs(addr.sin_port);
}

class HostedUdpSocket final : public UdpSocket {
 public:
  HostedUdpSocket(int fd, uint16_t port, UdpReceiveFn receive)
      : fd_(fd), port_(port), receive_(std::move(receive)) {}
  ~HostedUdpSocket() override {
    (void)hosted::UnwatchFd(fd_);
    close(fd_);
  }

  Status Watch() {
    return hosted::WatchFd(fd_, EPOLLIN, [this](uint32_t) { ReceiveSome(); });
  }

  Status SendTo(Ipv4Address to, uint16_t port, std::unique_ptr<IOBuf> datagram) override {
    if (datagram == nullptr) return Status(StatusCode::kInvalidArgument, "SendTo of a null chain");
    if (datagram->ComputeChainDataLength() > kMaxDatagram - 28) {
      return Status(StatusCode::kInvalidArgument, "datagram larger than UDP allows");
    }
    iovec iov[IOV_MAX];
    int count = FillIovecs(*datagram, iov, IOV_MAX);
    if (count == IOV_MAX && datagram->CountChainElements() > IOV_MAX) {
      return Status(StatusCode::kInvalidArgument, "datagram chain has too many links");
    }
    sockaddr_in addr = ToSockaddr(to, port);
    msghdr msg{};
    msg.msg_name = &addr;
    msg.msg_namelen = sizeof(addr);
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<size_t>(count);
    if (sendmsg(fd_, &msg, 0) < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        return Status(StatusCode::kResourceExhausted, "UDP send buffer full; datagram not sent");
      }
      return Status(StatusCode::kIoError, "UDP sendmsg", errno);
    }
    return Status::Ok();
  }

  uint16_t port() const override { return port_; }

 private:
  void ReceiveSome() {
    for (int i = 0; i < kReadsPerEvent; ++i) {
      std::unique_ptr<IOBuf> buf = UniqueIOBuf::Create(kMaxDatagram);
      sockaddr_in from{};
      socklen_t from_len = sizeof(from);
      ssize_t n = recvfrom(fd_, buf->MutableData(), kMaxDatagram, 0,
                           reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n < 0) return;  // EAGAIN: drained.
      buf->Append(static_cast<size_t>(n));
      // Right-size small datagrams so a queue of them does not pin 64 KiB each.
      if (static_cast<size_t>(n) < kReadSize) buf = UniqueIOBuf::CopyOf(buf->data(), buf->length());
      receive_(Ipv4Address{ntohl(from.sin_addr.s_addr)}, ntohs(from.sin_port), std::move(buf));
    }
  }

  int fd_;
  uint16_t port_;
  UdpReceiveFn receive_;
};

}  // namespace

Future<uint16_t> ListenTcp(uint16_t port, TcpAcceptor& acceptor) {
  EBBRT_CHECK_MSG(OnCore(), "ListenTcp must be called on an EbbRT core");
  // This core binds first, so port 0 resolves to one port that every core then shares.
  Result<uint16_t> bound = ListenOnThisCore(port, &acceptor);
  if (!bound.ok()) return MakeFailedFuture<uint16_t>(bound.status());
  uint16_t actual = bound.value();
  const size_t self = MyCore();
  Future<void> others = ForEachCore([self, actual, acceptor = &acceptor](size_t core) -> Status {
    if (core == self) return Status::Ok();  // Bound above.
    return ListenOnThisCore(actual, acceptor).status();
  });
  return std::move(others).Then([actual](Future<void> all) -> Future<uint16_t> {
    if (!all.ok()) return MakeFailedFuture<uint16_t>(all.status());
    return MakeReadyFuture(actual);
  });
}

Future<void> ConnectTcp(Ipv4Address address, uint16_t port,
                        MovableFunction<std::unique_ptr<TcpHandler>(TcpConnection&)> make_handler) {
  EBBRT_CHECK_MSG(OnCore(), "ConnectTcp must be called on an EbbRT core");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeFailedFuture<void>(hosted::SystemError("socket (TCP)", errno));
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr = ToSockaddr(address, port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 && errno != EINPROGRESS) {
    int error = errno;
    close(fd);
    return MakeFailedFuture<void>(hosted::SystemError("connect", error));
  }
  auto promise = std::make_shared<Promise<void>>();
  Future<void> result = promise->GetFuture();
  auto on_writable = [fd, address, port, promise,
                      make_handler = std::move(make_handler)](uint32_t) mutable {
    (void)hosted::UnwatchFd(fd);
    int error = 0;
    socklen_t len = sizeof(error);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
    if (error != 0) {
      close(fd);
      promise->SetError(hosted::SystemError("connect", error));
      return;
    }
    auto* connection = new HostedTcpConnection(fd, address, port);
    std::unique_ptr<TcpHandler> handler = make_handler(*connection);
    if (handler == nullptr) {
      delete connection;
      promise->SetError(Status(StatusCode::kInvalidArgument, "ConnectTcp: no handler"));
      return;
    }
    Status started = connection->Start(std::move(handler));
    if (!started.ok()) {
      delete connection;
      promise->SetError(started);
      return;
    }
    promise->SetValue();
  };
  Status watched = hosted::WatchFd(fd, EPOLLOUT, std::move(on_writable));
  if (!watched.ok()) {
    close(fd);
    return MakeFailedFuture<void>(watched);
  }
  return result;
}

Result<std::unique_ptr<UdpSocket>> BindUdp(uint16_t port, UdpReceiveFn receive) {
  EBBRT_CHECK_MSG(OnCore(), "BindUdp must be called on an EbbRT core");
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return hosted::SystemError("socket (UDP)", errno);
  sockaddr_in addr = ToSockaddr(Ipv4Address::Any(), port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int error = errno;
    close(fd);
    return hosted::SystemError("bind (UDP)", error);
  }
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  auto socket = std::make_unique<HostedUdpSocket>(fd, ntohs(addr.sin_port), std::move(receive));
  EBBRT_TRY(socket->Watch());
  return std::unique_ptr<UdpSocket>(std::move(socket));
}

}  // namespace ebbrt::net
