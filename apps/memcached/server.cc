// SPDX-License-Identifier: Apache-2.0
#include "apps/memcached/server.h"

#include <utility>

#include "apps/memcached/session.h"

namespace memcached {

// One TCP connection: bytes in go to the Session; its replies go out through the send
// window, queueing while the window is closed.
class Connection final : public ebbrt::net::TcpHandler, public ReplySink {
 public:
  Connection(Server& server, ebbrt::net::TcpConnection& tcp)
      : server_(server), tcp_(tcp), session_(server.store_, *this) {
    server_.store_.ConnectionOpened();
  }
  ~Connection() override {
    server_.store_.ConnectionClosed();
    server_.open_.fetch_sub(1, std::memory_order_relaxed);
  }

  // TcpHandler.
  void Receive(std::unique_ptr<ebbrt::IOBuf> data) override {
    if (!overflowed_) session_.Receive(std::move(data));
  }
  void WindowIncreased() override { Flush(); }

  // ReplySink.
  void Send(std::unique_ptr<ebbrt::IOBuf> reply) override {
    if (overflowed_ || reply == nullptr) return;
    if (pending_ == nullptr) {
      pending_ = std::move(reply);
      pending_bytes_ = pending_->ComputeChainDataLength();
    } else {
      pending_bytes_ += reply->ComputeChainDataLength();
      pending_->AppendChain(std::move(reply));
    }
    if (pending_bytes_ > server_.config_.max_queued_reply_bytes) {
      // The client is not reading its replies: drop it rather than fill memory.
      overflowed_ = true;
      pending_.reset();
      server_.overflowed_.fetch_add(1, std::memory_order_relaxed);
      tcp_.Abort();
      return;
    }
    Flush();
  }
  void Close() override {
    close_after_flush_ = true;
    Flush();
  }

 private:
  void Flush() {
    if (pending_ != nullptr) {
      ebbrt::Status sent = tcp_.Send(std::move(pending_));
      if (sent.ok()) {
        pending_bytes_ = 0;
      } else if (sent.code() != ebbrt::StatusCode::kResourceExhausted) {
        pending_.reset();  // Connection closing or gone: nobody to send to.
        pending_bytes_ = 0;
      }
      // kResourceExhausted: pending_ is still ours; WindowIncreased() retries.
    }
    if (pending_ == nullptr && close_after_flush_) tcp_.Close();
  }

  Server& server_;
  ebbrt::net::TcpConnection& tcp_;
  Session session_;
  std::unique_ptr<ebbrt::IOBuf> pending_;
  size_t pending_bytes_ = 0;
  bool close_after_flush_ = false;
  bool overflowed_ = false;
};

ebbrt::Future<uint16_t> Server::Start() { return ebbrt::net::ListenTcp(config_.tcp_port, *this); }

std::unique_ptr<ebbrt::net::TcpHandler> Server::Accept(ebbrt::net::TcpConnection& connection) {
  if (open_.fetch_add(1, std::memory_order_relaxed) >= config_.max_connections) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    refused_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;  // The stack closes it.
  }
  return std::make_unique<Connection>(*this, connection);
}

}  // namespace memcached
