// SPDX-License-Identifier: Apache-2.0
// The DHCP client's state machine (RFC 2131 §4.4): INIT -> SELECTING (DISCOVER) ->
// REQUESTING (REQUEST for an offer) -> BOUND; at T1 RENEWING (REQUEST unicast to the
// server), at T2 REBINDING (REQUEST broadcast), at expiry back to INIT. Pure logic over a
// clock the caller passes in (`now_ns`) and messages as wire::DhcpMessage: the stack
// sends what this returns and feeds it what arrives on UDP port 68, so every timing rule
// is tested without waiting.
//
//   DhcpClient dhcp(mac, /*xid_seed=*/MyCore() + 1);
//   for (const auto& out : dhcp.Start(now)) Send(out);
//   ... on a datagram for port 68:  for (const auto& out : dhcp.Receive(message, now)) Send(out);
//   ... on a timer:                 for (const auto& out : dhcp.Tick(now)) Send(out);
//   if (const DhcpLease* lease = dhcp.lease()) Configure(*lease);
//
// Retransmission (RFC 2131 §4.1): a DISCOVER or REQUEST without an answer is sent again
// after 4 s, then 8, 16, 32, 64 s; after `max_retries` the attempt fails (counted) and
// the client starts over from INIT after `restart_ns`. In RENEWING and REBINDING the
// REQUEST is repeated at half the time left to T2 (or to expiry), at least 60 s apart
// (§4.4.5). Replies with another transaction id, or not for our MAC, are ignored
// (counted); a NAK sends the client back to INIT.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <optional>

#include "ebbrt/base/vector.h"
#include "ebbrt/net/wire/dhcp.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net {

struct DhcpLease {
  wire::Ipv4Prefix address;
  std::optional<wire::Ipv4Address> router;
  wire::Ipv4Address server;
  uint64_t bound_at_ns = 0;
  uint64_t t1_ns = 0;       // absolute times: renew at t1, rebind at t2, gone at expiry
  uint64_t t2_ns = 0;
  uint64_t expiry_ns = 0;   // UINT64_MAX for an infinite lease
};

struct DhcpClientConfig {
  int max_retries = 4;                        // after the first send of each attempt
  uint64_t first_retry_ns = 4'000'000'000;    // RFC 2131 §4.1: 4 s, doubling, up to 64 s
  uint64_t max_retry_ns = 64'000'000'000;
  uint64_t restart_ns = 10'000'000'000;       // after a failed attempt, before the next
  uint64_t min_renew_retry_ns = 60'000'000'000;  // RFC 2131 §4.4.5
};

struct DhcpClientCounters {
  uint64_t sent = 0;
  uint64_t retransmissions = 0;
  uint64_t offers = 0;
  uint64_t acks = 0;
  uint64_t naks = 0;
  uint64_t ignored = 0;      // not ours (xid, MAC, type) or not expected in this state
  uint64_t failed_attempts = 0;
  uint64_t renewals = 0;     // leases extended by RENEWING or REBINDING
  uint64_t expired = 0;
};

// A message to send: broadcast (to 255.255.255.255 from 0.0.0.0, before we have an
// address, and when rebinding) or unicast to `to` (renewing).
struct DhcpSend {
  wire::DhcpMessage message;
  bool broadcast = true;
  wire::Ipv4Address to;
};

class DhcpClient {
 public:
  enum class State : uint8_t { kInit, kSelecting, kRequesting, kBound, kRenewing, kRebinding };

  DhcpClient(wire::MacAddress mac, uint32_t xid_seed, const DhcpClientConfig& config = {})
      : mac_(mac), xid_state_(xid_seed != 0 ? xid_seed : 1), config_(config) {}

  Vector<DhcpSend> Start(uint64_t now_ns);
  Vector<DhcpSend> Receive(const wire::DhcpMessage& message, uint64_t now_ns);
  Vector<DhcpSend> Tick(uint64_t now_ns);

  State state() const { return state_; }
  // The lease while BOUND, RENEWING or REBINDING; null otherwise.
  const DhcpLease* lease() const { return lease_ ? &*lease_ : nullptr; }
  // When Tick has something to do next (nullopt: nothing pending).
  std::optional<uint64_t> next_deadline() const { return deadline_; }
  const DhcpClientCounters& counters() const { return counters_; }

  static const char* StateName(State state);

 private:
  uint32_t NextXid();
  Vector<DhcpSend> Discover(uint64_t now_ns);
  void Arm(uint64_t now_ns, uint64_t delay_ns) { deadline_ = now_ns + delay_ns; }
  Vector<DhcpSend> One(DhcpSend send);
  uint64_t RenewRetryDelay(uint64_t now_ns, uint64_t until_ns) const;
  void Bind(const wire::DhcpMessage& ack, uint64_t now_ns);

  wire::MacAddress mac_;
  uint32_t xid_state_;
  DhcpClientConfig config_;
  State state_ = State::kInit;
  uint32_t xid_ = 0;
  int retries_left_ = 0;
  uint64_t backoff_ns_ = 0;
  std::optional<uint64_t> deadline_;
  wire::Ipv4Address offered_;
  wire::Ipv4Address offer_server_;
  std::optional<DhcpLease> lease_;
  DhcpClientCounters counters_;
};

}  // namespace ebbrt::net
