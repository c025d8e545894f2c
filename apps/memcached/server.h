// SPDX-License-Identifier: Apache-2.0
// The memcached server: every core accepts connections on the port (one listening socket
// per core), and each connection runs a Session (session.h) on its core against one
// shared ItemStore.
//
//   memcached::ServerConfig config;           // port, connection limit
//   memcached::Server server(store, config);
//   uint16_t port = EBBRT_TRY(server.Start().Block());   // inside ebbrt::Run
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>
#include <memory>

#include "apps/memcached/store.h"
#include "ebbrt/future/future.h"
#include "ebbrt/net/net.h"

namespace memcached {

struct ServerConfig {
  uint16_t tcp_port = 11211;  // 0: an ephemeral port (tests)
  // memcached -c: connections beyond this are closed at once.
  size_t max_connections = 1024;
  // A client that keeps sending requests without reading the replies makes them queue;
  // past this many bytes queued on one connection it is closed instead of the server's
  // memory filling up.
  size_t max_queued_reply_bytes = 64 << 20;
};

class Server : public ebbrt::net::TcpAcceptor {
 public:
  Server(ItemStore& store, const ServerConfig& config) : store_(store), config_(config) {}

  // Listens on every core. Fulfilled with the port.
  ebbrt::Future<uint16_t> Start();

  std::unique_ptr<ebbrt::net::TcpHandler> Accept(ebbrt::net::TcpConnection& connection) override;

  size_t open_connections() const { return open_.load(std::memory_order_relaxed); }
  // Connections closed because of max_connections or max_queued_reply_bytes.
  uint64_t refused_connections() const { return refused_.load(std::memory_order_relaxed); }
  uint64_t overflowed_connections() const { return overflowed_.load(std::memory_order_relaxed); }

 private:
  friend class Connection;

  ItemStore& store_;
  ServerConfig config_;
  std::atomic<size_t> open_{0};
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> overflowed_{0};
};

}  // namespace memcached
