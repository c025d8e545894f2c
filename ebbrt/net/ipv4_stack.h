// SPDX-License-Identifier: Apache-2.0
// Ipv4Stack: EbbRT's portable IPv4 stack over an EthernetDevice: ARP (answers for our
// address, learns neighbours, resolves next hops with the ArpCache's retries), IPv4
// (checksum verified, fragments counted and dropped, TTL), ICMP echo (answers pings,
// sends them), and UDP (bind a port, send, port unreachable for nobody's datagram).
//
//   Ipv4Stack stack(device, {.address = EBBRT_TRY(wire::Ipv4Prefix::Parse("10.0.3.2/24")),
//                            .gateway = wire::Ipv4Address::FromOctets(10, 0, 3, 1)});
//   stack.Start();                                  // inside a Run: the ARP retry timer
//   EBBRT_TRY(stack.BindUdp(7, &echo));             // echo.ReceiveUdp on the frame's core
//   EBBRT_TRY(stack.SendUdp(peer, 7, 4000, std::move(payload)));
//   stack.Stop();                                   // before the Run ends
//
// Receive runs on the core of the queue that got the frame, inside the driver's call,
// with no copy: a UDP handler gets the payload as a range of the received buffers. The
// UDP port table is lock-free for readers (an atomic pointer per port, 512 KiB); the ARP
// cache is one table behind a spin lock (a reply may arrive on a core other than the one
// that asked). Every drop is counted by its reason. An Ipv4Stack holds counters for every
// core EbbRT can run (about 64 KiB): make it on the heap, never on an event's stack.
//
// Not yet: DHCP (static configuration only), fragment reassembly, IP options beyond
// skipping them, multicast, TCP, an RCU-shared ARP table.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <atomic>
#include <memory>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/result.h"
#include "ebbrt/base/spin_lock.h"
#include "ebbrt/core/per_core.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/arp_cache.h"
#include "ebbrt/net/ethernet_device.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net {

struct Ipv4StackConfig {
  wire::Ipv4Prefix address;    // ours, and the directly reachable network
  wire::Ipv4Address gateway;   // next hop for everything else (Any: none)
  ArpCacheConfig arp;
};

class UdpHandler {
 public:
  virtual ~UdpHandler() = default;
  // A datagram for the bound port, on the core that received it.
  virtual void ReceiveUdp(wire::Ipv4Address from, uint16_t from_port, std::unique_ptr<IOBuf> payload) = 0;
};

// Counts, per core (summed by Ipv4Stack::counters()).
struct Ipv4StackCounters {
  uint64_t frames_in = 0;
  uint64_t not_for_us = 0;        // another MAC, or an IPv4 destination not ours
  uint64_t unknown_ethertype = 0;
  uint64_t unknown_protocol = 0;  // IPv4 protocol other than ICMP and UDP
  uint64_t fragments = 0;         // dropped: no reassembly
  uint64_t malformed[static_cast<size_t>(wire::DropReason::kCount)] = {};  // by the parsers' reason
  uint64_t arp_replies_sent = 0;
  uint64_t echo_replies_sent = 0;
  uint64_t echo_replies_received = 0;
  uint64_t udp_in = 0;
  uint64_t udp_no_socket = 0;
  uint64_t udp_out = 0;
  uint64_t no_route = 0;          // off-network destination without a gateway
  uint64_t arp_failed = 0;        // packets dropped for a neighbour that never answered
  uint64_t tx_errors = 0;         // the device refused a frame

  Ipv4StackCounters& operator+=(const Ipv4StackCounters& other);
  uint64_t malformed_total() const;
};

class Ipv4Stack final : public FrameReceiver {
 public:
  static constexpr uint64_t kTickNs = 100'000'000;  // ARP retries are checked this often

  Ipv4Stack(EthernetDevice& device, const Ipv4StackConfig& config);
  ~Ipv4Stack() override;
  Ipv4Stack(const Ipv4Stack&) = delete;
  Ipv4Stack& operator=(const Ipv4Stack&) = delete;

  // Starts the ARP retry timer on the calling core and announces us (gratuitous ARP).
  // Inside a Run. Stop() before the Run ends (and before the stack is destroyed).
  void Start();
  void Stop();

  const wire::Ipv4Prefix& address() const { return config_.address; }

  // kAlreadyExists when the port is taken, kInvalidArgument for port 0.
  Status BindUdp(uint16_t port, UdpHandler* handler);
  void UnbindUdp(uint16_t port);
  // Sends `payload` (a chain; headers are prepended into its head's headroom, or in a new
  // link) from our address. Errors: kUnavailable without a route; the device's errors. A
  // next hop that is not resolved yet queues the datagram (Ok).
  Status SendUdp(wire::Ipv4Address to, uint16_t to_port, uint16_t from_port, std::unique_ptr<IOBuf> payload);

  // An ICMP echo request; replies are passed to `on_reply(from, id, sequence)`, set once.
  Status SendPing(wire::Ipv4Address to, uint16_t id, uint16_t sequence, size_t payload_bytes);
  void OnEchoReply(MovableFunction<void(wire::Ipv4Address, uint16_t, uint16_t)> on_reply);

  // FrameReceiver: the device's frames, on the queue's core.
  void ReceiveFrame(std::unique_ptr<IOBuf> frame, const RxMetadata& rx) override;

  Ipv4StackCounters counters() const;
  ArpCacheCounters arp_counters() const;
  // Every non-zero counter on the console, one line each, `prefix` first (for a debug
  // flag of the application's: `[prefix] udp_in 1000`, `[prefix] drop bad_checksum 3`).
  void PrintCounters(const char* prefix) const;

 private:
  Ipv4StackCounters& Mine() { return counters_.Mine(); }
  void ReceiveArp(const IOBuf& frame, size_t offset, size_t length);
  void ReceiveIpv4(std::unique_ptr<IOBuf> frame, size_t offset, size_t length, const RxMetadata& rx);
  // Sends an IPv4 payload (the protocol's header already on it) to `to`.
  Status SendIpv4(wire::Ipv4Address to, uint8_t protocol, std::unique_ptr<IOBuf> packet);
  Status TransmitTo(const wire::MacAddress& mac, uint16_t ethertype, std::unique_ptr<IOBuf> packet);
  void TickArp();
  void Malformed(const Status& status);

  EthernetDevice& device_;
  Ipv4StackConfig config_;
  wire::MacAddress mac_;
  std::unique_ptr<std::atomic<UdpHandler*>[]> udp_ports_;
  SpinLock bind_lock_;
  mutable SpinLock arp_lock_;
  ArpCache arp_;
  std::atomic<uint16_t> next_ip_id_{1};
  MovableFunction<void(wire::Ipv4Address, uint16_t, uint16_t)> on_echo_reply_;
  uint64_t timer_id_ = 0;
  size_t timer_core_ = 0;
  bool started_ = false;
  PerCore<Ipv4StackCounters> counters_;
};

}  // namespace ebbrt::net
