// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/arp_cache.h"

#include <utility>

namespace ebbrt::net {

ArpCache::Entry* ArpCache::Find(wire::Ipv4Address ip) {
  for (Entry& e : entries_) {
    if (e.ip == ip) return &e;
  }
  return nullptr;
}

const ArpCache::Entry* ArpCache::Find(wire::Ipv4Address ip) const {
  for (const Entry& e : entries_) {
    if (e.ip == ip) return &e;
  }
  return nullptr;
}

void ArpCache::Remove(size_t index) { entries_.SwapRemove(index); }

ArpCache::Lookup ArpCache::Resolve(wire::Ipv4Address ip, uint64_t now_ns, Packet packet) {
  Lookup result;
  Entry* entry = Find(ip);
  if (entry != nullptr && entry->reachable && now_ns >= entry->deadline_ns) {
    // Expired: resolve again (RFC 1122 §2.3.2.1: entries time out).
    ++counters_.expired;
    entry->reachable = false;
    entry->retries_left = config_.retries;
    entry->backoff_ns = config_.first_retry_ns;
    entry->deadline_ns = now_ns + config_.first_retry_ns;
    ++counters_.requests;
    result.send_request = true;
  }
  if (entry != nullptr && entry->reachable) {
    result.mac = entry->mac;
    result.packet = std::move(packet);
    return result;
  }
  if (entry == nullptr) {
    if (entries_.Size() >= config_.capacity) {
      // Make room: the reachable entry closest to expiry (the least recently confirmed).
      size_t victim = entries_.Size();
      for (size_t i = 0; i < entries_.Size(); ++i) {
        if (entries_[i].reachable &&
            (victim == entries_.Size() || entries_[i].deadline_ns < entries_[victim].deadline_ns)) {
          victim = i;
        }
      }
      if (victim == entries_.Size()) {
        ++counters_.refused_full;
        result.refused = true;
        result.packet = std::move(packet);
        return result;
      }
      Remove(victim);
    }
    Entry& fresh = entries_.EmplaceBack();
    fresh.ip = ip;
    fresh.retries_left = config_.retries;
    fresh.backoff_ns = config_.first_retry_ns;
    fresh.deadline_ns = now_ns + config_.first_retry_ns;
    entry = &fresh;
    ++counters_.requests;
    result.send_request = true;
  }
  if (packet != nullptr) {
    if (entry->waiting.Size() >= config_.queue_per_entry) {
      // The oldest goes: the newest packet is the one the sender still cares about.
      ++counters_.dropped_queue_full;
      for (size_t i = 0; i + 1 < entry->waiting.Size(); ++i) entry->waiting[i] = std::move(entry->waiting[i + 1]);
      entry->waiting.PopBack();
    }
    entry->waiting.PushBack(std::move(packet));
  }
  return result;
}

Vector<ArpCache::Packet> ArpCache::Learn(wire::Ipv4Address ip, const wire::MacAddress& mac, uint64_t now_ns) {
  Vector<Packet> ready;
  Entry* entry = Find(ip);
  if (entry == nullptr) {
    // Not asked for: RFC 826 adds the sender only when the packet was for us, which the
    // caller decides; here a new neighbour is simply recorded, room permitting.
    if (entries_.Size() >= config_.capacity) return ready;
    entry = &entries_.EmplaceBack();
    entry->ip = ip;
  }
  if (!entry->reachable) ++counters_.resolved;
  entry->reachable = true;
  entry->mac = mac;
  entry->deadline_ns = now_ns + config_.reachable_ns;
  ready = std::move(entry->waiting);
  return ready;
}

std::optional<uint64_t> ArpCache::Tick(uint64_t now_ns, MovableFunction<void(wire::Ipv4Address)> send_request) {
  std::optional<uint64_t> next;
  for (size_t i = 0; i < entries_.Size();) {
    Entry& e = entries_[i];
    if (now_ns < e.deadline_ns) {
      if (!e.reachable && (!next || e.deadline_ns < *next)) next = e.deadline_ns;
      ++i;
      continue;
    }
    if (e.reachable) {
      ++counters_.expired;
      Remove(i);
      continue;
    }
    if (e.retries_left == 0) {
      ++counters_.failed;
      counters_.dropped_failed += e.waiting.Size();
      Remove(i);
      continue;
    }
    --e.retries_left;
    e.backoff_ns *= 2;
    e.deadline_ns = now_ns + e.backoff_ns;
    ++counters_.requests;
    send_request(e.ip);
    if (!next || e.deadline_ns < *next) next = e.deadline_ns;
    ++i;
  }
  return next;
}

std::optional<wire::MacAddress> ArpCache::Peek(wire::Ipv4Address ip, uint64_t now_ns) const {
  const Entry* e = Find(ip);
  if (e == nullptr || !e->reachable || now_ns >= e->deadline_ns) return std::nullopt;
  return e->mac;
}

}  // namespace ebbrt::net
