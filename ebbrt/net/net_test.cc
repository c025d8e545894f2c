// SPDX-License-Identifier: Apache-2.0
// The network API on hosted: TCP listen/accept/connect, ordered delivery, the send
// window, close and reset, UDP datagrams; against EbbRT's own client and against plain
// Linux sockets.
#include "ebbrt/net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "ebbrt/base/status.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "gtest/gtest.h"

namespace ebbrt::net {
namespace {

std::string ToString(const IOBuf& chain) {
  std::string out;
  for (const IOBuf& link : chain) out.append(reinterpret_cast<const char*>(link.data()), link.length());
  return out;
}

std::unique_ptr<IOBuf> FromString(const std::string& s) { return UniqueIOBuf::CopyOf(s.data(), s.size()); }

// Echoes everything; when the send window is full it stops and resumes on WindowIncreased.
class EchoHandler : public TcpHandler {
 public:
  explicit EchoHandler(TcpConnection& c) : conn_(c) {}
  void Receive(std::unique_ptr<IOBuf> data) override {
    EXPECT_EQ(MyCore(), conn_.core());
    if (pending_ != nullptr) {
      pending_->AppendChain(std::move(data));
    } else {
      pending_ = std::move(data);
    }
    TrySend();
  }
  void WindowIncreased() override { TrySend(); }

 private:
  void TrySend() {
    if (pending_ == nullptr) return;
    Status sent = conn_.Send(std::move(pending_));
    // Refused (window full): pending_ is still ours; WindowIncreased retries.
    EXPECT_TRUE(sent.ok() || sent.code() == StatusCode::kResourceExhausted);
    if (sent.ok()) EXPECT_EQ(pending_, nullptr);
  }
  TcpConnection& conn_;
  std::unique_ptr<IOBuf> pending_;
};

class EchoAcceptor : public TcpAcceptor {
 public:
  std::unique_ptr<TcpHandler> Accept(TcpConnection& c) override {
    accepted.fetch_add(1);
    return std::make_unique<EchoHandler>(c);
  }
  std::atomic<int> accepted{0};
};

// Connects with Linux sockets from a plain thread: a peer that is not EbbRT.
int LinuxConnect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST(Ipv4AddressTest, Parse) {
  EXPECT_EQ(Ipv4Address::Parse("127.0.0.1").value().value, 0x7f000001u);
  EXPECT_EQ(Ipv4Address::Parse("10.1.2.255").value().value, 0x0a0102ffu);
  EXPECT_FALSE(Ipv4Address::Parse("256.0.0.1").ok());
  EXPECT_FALSE(Ipv4Address::Parse("1.2.3").ok());
  EXPECT_FALSE(Ipv4Address::Parse("1.2.3.4.5").ok());
  EXPECT_FALSE(Ipv4Address::Parse("a.b.c.d").ok());
  EXPECT_FALSE(Ipv4Address::Parse("").ok());
}

TEST(TcpTest, LinuxClientTalksToEbbrtEchoServerOnEveryCore) {
  EchoAcceptor acceptor;
  std::atomic<uint16_t> port{0};
  std::atomic<bool> client_ok{false};
  std::thread client;
  ebbrt::Run(2, [&] {
    Result<uint16_t> listening = ListenTcp(0, acceptor).Block();
    ASSERT_TRUE(listening.ok()) << listening.status().message();
    port = listening.value();
    // A Linux client, several connections, each a request/response exchange.
    client = std::thread([&] {
      bool ok = true;
      for (int i = 0; i < 8; ++i) {
        int fd = LinuxConnect(port);
        if (fd < 0) {
          ok = false;
          break;
        }
        std::string message = "hello " + std::to_string(i);
        ok = ok && write(fd, message.data(), message.size()) == static_cast<ssize_t>(message.size());
        std::string echoed(message.size(), '\0');
        size_t got = 0;
        while (got < echoed.size()) {
          ssize_t n = read(fd, &echoed[got], echoed.size() - got);
          if (n <= 0) break;
          got += static_cast<size_t>(n);
        }
        ok = ok && echoed == message;
        close(fd);
      }
      client_ok = ok;
      ebbrt::Stop();  // Callable from any thread.
    });
  });
  client.join();
  EXPECT_TRUE(client_ok.load());
  EXPECT_EQ(acceptor.accepted.load(), 8);
}

// A client handler that collects what it receives and signals when it has `expect` bytes.
class Collector : public TcpHandler {
 public:
  Collector(TcpConnection& c, size_t expect, Promise<std::string> done)
      : conn_(c), expect_(expect), done_(std::move(done)) {}
  void Receive(std::unique_ptr<IOBuf> data) override {
    received_ += ToString(*data);
    if (received_.size() >= expect_ && !fulfilled_) {
      fulfilled_ = true;
      done_.SetValue(received_);
    }
  }
  void Aborted(Status why) override {
    if (!fulfilled_) {
      fulfilled_ = true;
      done_.SetError(why);
    }
  }
  TcpConnection& conn() { return conn_; }

 private:
  TcpConnection& conn_;
  size_t expect_;
  Promise<std::string> done_;
  std::string received_;
  bool fulfilled_ = false;
};

TEST(TcpTest, EbbrtClientAndServerExchangeInOrderThroughTheSendWindow) {
  // 8 MiB through an echo server, sent in 64 KiB chains as fast as the window allows:
  // refusals and WindowIncreased are exercised, nothing is lost or reordered.
  constexpr size_t kTotal = 8 << 20;
  constexpr size_t kChunk = 64 << 10;
  EchoAcceptor acceptor;
  std::string sent(kTotal, '\0');
  for (size_t i = 0; i < kTotal; ++i) sent[i] = static_cast<char>((i * 131) >> 7);
  std::string echoed;
  int refusals = 0;
  ebbrt::Run(2, [&] {
    uint16_t port = ListenTcp(0, acceptor).Block().value();
    Promise<std::string> done;
    Future<std::string> all_back = done.GetFuture();
    Collector* client = nullptr;
    Status connected = ConnectTcp(Ipv4Address::Loopback(), port,
                                  [&](TcpConnection& c) -> std::unique_ptr<TcpHandler> {
                                    auto h = std::make_unique<Collector>(c, kTotal, std::move(done));
                                    client = h.get();
                                    return h;
                                  })
                           .Block();
    ASSERT_TRUE(connected.ok()) << connected.message();
    size_t offset = 0;
    while (offset < kTotal) {
      std::unique_ptr<IOBuf> chunk = FromString(sent.substr(offset, kChunk));
      Status s = client->conn().Send(std::move(chunk));
      if (s.ok()) {
        offset += kChunk;
      } else {
        ASSERT_EQ(s.code(), StatusCode::kResourceExhausted);
        ASSERT_NE(chunk, nullptr);  // A refused chain stays with the caller.
        ++refusals;
        // Let the loop drain: block on a short timer.
        Promise<void> later;
        Future<void> f = later.GetFuture();
        timer->Start(200'000, [p = std::make_shared<Promise<void>>(std::move(later))] { p->SetValue(); });
        (void)f.Block();
      }
    }
    Result<std::string> back = std::move(all_back).Block();
    ASSERT_TRUE(back.ok()) << back.status().message();
    echoed = back.value();
    client->conn().Close();
    Stop();
  });
  ASSERT_EQ(echoed.size(), kTotal);
  EXPECT_TRUE(echoed == sent);
}

// Sends until refused, then reports WindowIncreased.
class Flooder : public TcpHandler {
 public:
  explicit Flooder(TcpConnection& c) : conn_(c) {}
  void Receive(std::unique_ptr<IOBuf>) override {}
  void WindowIncreased() override { window_increased = true; }
  TcpConnection& conn_;
  std::atomic<bool> window_increased{false};
};

class FloodAcceptor : public TcpAcceptor {
 public:
  std::unique_ptr<TcpHandler> Accept(TcpConnection& c) override {
    auto h = std::make_unique<Flooder>(c);
    flooder = h.get();
    accepted = true;
    return h;
  }
  Flooder* flooder = nullptr;
  std::atomic<bool> accepted{false};
};

TEST(TcpTest, SendWindowRefusesWhenThePeerDoesNotReadAndReopensWhenItDoes) {
  FloodAcceptor acceptor;
  std::atomic<uint16_t> port{0};
  size_t accepted_bytes = 0;
  bool refused = false;
  bool kept_chain = false;
  std::atomic<bool> start_reading{false};
  std::atomic<size_t> read_bytes{0};
  std::thread peer;
  ebbrt::Run(1, [&] {
    port = ListenTcp(0, acceptor).Block().value();
    peer = std::thread([&] {
      int fd = LinuxConnect(port);
      while (!start_reading.load()) usleep(1000);
      char buf[65536];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0) read_bytes += static_cast<size_t>(n);
      close(fd);
    });
    while (!acceptor.accepted.load()) {
      Promise<void> p;
      Future<void> f = p.GetFuture();
      timer->Start(1'000'000, [q = std::make_shared<Promise<void>>(std::move(p))] { q->SetValue(); });
      (void)f.Block();
    }
    TcpConnection& conn = acceptor.flooder->conn_;
    // The peer reads nothing yet: the kernel buffers fill, then our queue, then refusal.
    for (int i = 0; i < 100000 && !refused; ++i) {
      auto chunk = UniqueIOBuf::Create(64 << 10);
      chunk->Append(64 << 10);
      Status s = conn.Send(std::move(chunk));
      if (s.ok()) {
        accepted_bytes += 64 << 10;
      } else {
        refused = s.code() == StatusCode::kResourceExhausted;
        kept_chain = chunk != nullptr;
      }
    }
    start_reading = true;
    // Once the peer drains us, the handler hears WindowIncreased.
    for (int i = 0; i < 2000 && !acceptor.flooder->window_increased.load(); ++i) {
      Promise<void> p;
      Future<void> f = p.GetFuture();
      timer->Start(1'000'000, [q = std::make_shared<Promise<void>>(std::move(p))] { q->SetValue(); });
      (void)f.Block();
    }
    EXPECT_TRUE(acceptor.flooder->window_increased.load());
    conn.Close();
    Stop();
  });
  peer.join();
  EXPECT_TRUE(refused);
  EXPECT_TRUE(kept_chain);
  EXPECT_GT(accepted_bytes, 0u);
  EXPECT_EQ(read_bytes.load(), accepted_bytes);  // Everything accepted was delivered.
}

TEST(TcpTest, ConnectToAClosedPortFails) {
  Status result;
  ebbrt::Run(1, [&] {
    // Bind and close a socket to find a port nobody listens on.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    result = ConnectTcp(Ipv4Address::Loopback(), ntohs(addr.sin_port),
                        [](TcpConnection&) -> std::unique_ptr<TcpHandler> { return nullptr; })
                 .Block();
    Stop();
  });
  EXPECT_EQ(result.code(), StatusCode::kUnavailable);
  EXPECT_EQ(result.system_error(), ECONNREFUSED);
}

TEST(TcpTest, ListeningOnAPortInUseFails) {
  Status second;
  EchoAcceptor acceptor;
  ebbrt::Run(1, [&] {
    // A plain (non-SO_REUSEPORT) Linux listener holds the port.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
    socklen_t len = sizeof(addr);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd, 1);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    Result<uint16_t> r = ListenTcp(ntohs(addr.sin_port), acceptor).Block();
    second = r.status();
    close(fd);
    Stop();
  });
  EXPECT_EQ(second.code(), StatusCode::kAlreadyExists);
  // The Status says why, in the system's words: not a guess between "in use" and
  // "privileged".
  EXPECT_EQ(second.system_error(), EADDRINUSE);
  EXPECT_NE(strstr(StatusText(second).c_str(), strerror(EADDRINUSE)), nullptr)
      << StatusText(second).c_str();
}

// Records how a connection ended.
class EndWatcher : public TcpHandler {
 public:
  EndWatcher(TcpConnection& c, std::atomic<int>* closed, std::atomic<int>* aborted)
      : conn_(c), closed_(closed), aborted_(aborted) {}
  void Receive(std::unique_ptr<IOBuf> data) override {
    if (ToString(*data).find("close") != std::string::npos) conn_.Close();
  }
  void Closed() override { closed_->fetch_add(1); }
  void Aborted(Status) override { aborted_->fetch_add(1); }

 private:
  TcpConnection& conn_;
  std::atomic<int>* closed_;
  std::atomic<int>* aborted_;
};

class EndAcceptor : public TcpAcceptor {
 public:
  std::unique_ptr<TcpHandler> Accept(TcpConnection& c) override {
    return std::make_unique<EndWatcher>(c, &closed, &aborted);
  }
  std::atomic<int> closed{0};
  std::atomic<int> aborted{0};
};

TEST(TcpTest, GracefulCloseAndResetAreReported) {
  EndAcceptor acceptor;
  std::atomic<uint16_t> port{0};
  std::thread client;
  std::atomic<bool> saw_eof{false};
  ebbrt::Run(1, [&] {
    port = ListenTcp(0, acceptor).Block().value();
    client = std::thread([&] {
      // 1: the server closes when asked; we see EOF, then close ours -> Closed().
      int fd = LinuxConnect(port);
      (void)!write(fd, "please close", 12);
      char c;
      saw_eof = read(fd, &c, 1) == 0;
      close(fd);
      // 2: we reset the connection (SO_LINGER 0) -> Aborted().
      fd = LinuxConnect(port);
      (void)!write(fd, "hi", 2);
      usleep(50'000);
      linger l{1, 0};
      setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
      close(fd);
      // Give the server time to notice both.
      for (int i = 0; i < 200 && (acceptor.closed.load() < 1 || acceptor.aborted.load() < 1); ++i) {
        usleep(10'000);
      }
      ebbrt::Stop();
    });
  });
  client.join();
  EXPECT_TRUE(saw_eof.load());
  EXPECT_EQ(acceptor.closed.load(), 1);
  EXPECT_EQ(acceptor.aborted.load(), 1);
}

TEST(TcpTest, SendAfterCloseIsRefused) {
  EndAcceptor acceptor;
  Status after_close;
  ebbrt::Run(1, [&] {
    uint16_t port = ListenTcp(0, acceptor).Block().value();
    TcpConnection* conn = nullptr;
    ASSERT_TRUE(ConnectTcp(Ipv4Address::Loopback(), port,
                           [&](TcpConnection& c) -> std::unique_ptr<TcpHandler> {
                             conn = &c;
                             return std::make_unique<EndWatcher>(c, &acceptor.closed, &acceptor.aborted);
                           })
                    .Block()
                    .ok());
    conn->Close();
    std::unique_ptr<IOBuf> data = FromString("late");
    after_close = conn->Send(std::move(data));
    EXPECT_NE(data, nullptr);
    Stop();
  });
  EXPECT_EQ(after_close.code(), StatusCode::kFailedPrecondition);
}

TEST(UdpTest, DatagramsArriveWithTheirSender) {
  std::string got;
  uint16_t from_port = 0;
  uint16_t sender_port = 0;
  ebbrt::Run(1, [&] {
    Promise<void> received;
    Future<void> f = received.GetFuture();
    auto receiver = BindUdp(0, [&, p = std::make_shared<Promise<void>>(std::move(received))](
                                   Ipv4Address, uint16_t port, std::unique_ptr<IOBuf> d) {
                      got = ToString(*d);
                      from_port = port;
                      p->SetValue();
                    }).value();
    auto sender = BindUdp(0, [](Ipv4Address, uint16_t, std::unique_ptr<IOBuf>) {}).value();
    sender_port = sender->port();
    auto datagram = FromString("dat");
    datagram->AppendChain(FromString("agram"));  // A chain goes out as one datagram.
    ASSERT_TRUE(sender->SendTo(Ipv4Address::Loopback(), receiver->port(), std::move(datagram)).ok());
    ASSERT_TRUE(f.Block().ok());
    Stop();
  });
  EXPECT_EQ(got, "datagram");
  EXPECT_EQ(from_port, sender_port);
}

}  // namespace
}  // namespace ebbrt::net
