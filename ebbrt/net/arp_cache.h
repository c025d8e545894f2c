// SPDX-License-Identifier: Apache-2.0
// The ARP cache's state machine (RFC 826, with the retry and expiry rules of RFC 1122
// §2.3.2.1): which IPv4 neighbours have which MAC, resolutions in flight with their
// retries and backoff, and a bounded queue of packets waiting for each. Pure logic over a
// clock the caller passes in (`now_ns`), so every timing rule is tested without waiting;
// the stack sends the requests and the packets this tells it to.
//
//   ArpCache cache({.retries = 3});
//   ArpCache::Lookup found = cache.Resolve(next_hop, now, std::move(packet));
//   if (found.mac) Send(*found.mac, found.packet);        // known: send now
//   if (found.send_request) SendArpRequest(next_hop);      // first miss: ask
//   ...
//   for (auto& p : cache.Learn(ip, mac, now)) Send(mac, p);        // a reply came
//   cache.Tick(now, [](Ipv4Address ip) { SendArpRequest(ip); });   // retries, expiry
//
// Bounded everywhere: at most `capacity` entries (the least recently confirmed reachable
// entry makes room; when every entry is a resolution in flight, a new one is refused and
// counted), at most `queue_per_entry` packets per resolution (the oldest is dropped and
// counted). A resolution that exhausts its retries fails: its packets are dropped and
// counted, and a later Resolve starts afresh. One cache belongs to one core.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <optional>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net {

struct ArpCacheConfig {
  size_t capacity = 256;
  size_t queue_per_entry = 4;
  uint64_t reachable_ns = 60'000'000'000;  // an answer is trusted this long (RFC 1122 §2.3.2.1)
  uint64_t first_retry_ns = 1'000'000'000;  // then doubling: 1 s, 2 s, 4 s ...
  int retries = 3;                          // requests after the first, then give up
};

struct ArpCacheCounters {
  uint64_t requests = 0;          // requests the cache asked to send (first + retries)
  uint64_t resolved = 0;
  uint64_t failed = 0;            // resolutions that ran out of retries
  uint64_t dropped_queue_full = 0;
  uint64_t dropped_failed = 0;    // packets that waited for a resolution that failed
  uint64_t refused_full = 0;      // Resolve with no room for another resolution
  uint64_t expired = 0;
};

class ArpCache {
 public:
  using Packet = std::unique_ptr<IOBuf>;

  explicit ArpCache(const ArpCacheConfig& config = {}) : config_(config) {}

  struct Lookup {
    std::optional<wire::MacAddress> mac;  // known: send `packet` there now
    Packet packet;                        // handed back when `mac` is set (or refused)
    bool send_request = false;            // a resolution started: send the first request
    bool refused = false;                 // no room: `packet` is handed back, not queued
  };

  // The MAC for `ip`, or the packet queued until it is known. `packet` may be null (just
  // asking, e.g. for a gratuitous check).
  Lookup Resolve(wire::Ipv4Address ip, uint64_t now_ns, Packet packet);

  // `ip` is at `mac` (from a reply, or a request from `ip`: RFC 826's merge rule, applied
  // by the caller to packets meant for us). Returns the packets that waited for it.
  Vector<Packet> Learn(wire::Ipv4Address ip, const wire::MacAddress& mac, uint64_t now_ns);

  // Retries due resolutions (calling `send_request` for each), fails the ones out of
  // retries, and forgets expired entries. Returns when the next retry is due (or nullopt).
  std::optional<uint64_t> Tick(uint64_t now_ns, MovableFunction<void(wire::Ipv4Address)> send_request);

  // The MAC if `ip` is reachable now, without starting anything.
  std::optional<wire::MacAddress> Peek(wire::Ipv4Address ip, uint64_t now_ns) const;

  size_t size() const { return entries_.Size(); }
  const ArpCacheCounters& counters() const { return counters_; }

 private:
  struct Entry {
    wire::Ipv4Address ip;
    bool reachable = false;
    wire::MacAddress mac;
    uint64_t deadline_ns = 0;  // reachable: expiry; resolving: next retry
    int retries_left = 0;
    uint64_t backoff_ns = 0;
    Vector<Packet> waiting;
  };

  Entry* Find(wire::Ipv4Address ip);
  const Entry* Find(wire::Ipv4Address ip) const;
  void Remove(size_t index);

  ArpCacheConfig config_;
  Vector<Entry> entries_;  // few entries: a linear scan is the fast path
  ArpCacheCounters counters_;
};

}  // namespace ebbrt::net
