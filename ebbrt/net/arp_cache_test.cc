// SPDX-License-Identifier: Apache-2.0
// The ARP cache against a clock the test moves: a miss queues and asks once, an answer
// releases the queue in order, retries back off (1 s, 2 s, 4 s) and give up dropping what
// waited, answers expire, and every bound (queue, capacity) holds and is counted.
#include "ebbrt/net/arp_cache.h"

#include <stdint.h>

#include <memory>
#include <vector>

#include "gtest/gtest.h"

namespace ebbrt::net {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;
const wire::Ipv4Address kGateway = wire::Ipv4Address::FromOctets(10, 0, 2, 2);
const wire::Ipv4Address kOther = wire::Ipv4Address::FromOctets(10, 0, 2, 9);
const wire::MacAddress kGatewayMac{{0x52, 0x55, 0x0a, 0x00, 0x02, 0x02}};

std::unique_ptr<IOBuf> Packet(uint8_t tag) {
  auto p = UniqueIOBuf::Create(1);
  p->MutableData()[0] = tag;
  p->Append(1);
  return p;
}

std::vector<wire::Ipv4Address> TickAt(ArpCache& cache, uint64_t now) {
  std::vector<wire::Ipv4Address> asked;
  (void)cache.Tick(now, [&](wire::Ipv4Address ip) { asked.push_back(ip); });
  return asked;
}

TEST(ArpCacheTest, MissQueuesAsksOnceAndTheAnswerReleasesInOrder) {
  ArpCache cache;
  ArpCache::Lookup first = cache.Resolve(kGateway, 0, Packet(1));
  EXPECT_FALSE(first.mac.has_value());
  EXPECT_TRUE(first.send_request);
  EXPECT_EQ(first.packet, nullptr);  // queued
  ArpCache::Lookup second = cache.Resolve(kGateway, 10, Packet(2));
  EXPECT_FALSE(second.send_request);  // already asking
  Vector<ArpCache::Packet> ready = cache.Learn(kGateway, kGatewayMac, 20);
  ASSERT_EQ(ready.Size(), 2u);
  EXPECT_EQ(ready[0]->data()[0], 1);
  EXPECT_EQ(ready[1]->data()[0], 2);
  ArpCache::Lookup hit = cache.Resolve(kGateway, 30, Packet(3));
  ASSERT_TRUE(hit.mac.has_value());
  EXPECT_EQ(*hit.mac, kGatewayMac);
  ASSERT_NE(hit.packet, nullptr);
  EXPECT_EQ(hit.packet->data()[0], 3);
  EXPECT_EQ(cache.counters().requests, 1u);
  EXPECT_EQ(cache.counters().resolved, 1u);
}

TEST(ArpCacheTest, RetriesBackOffThenGiveUpDroppingWhatWaited) {
  ArpCache cache({.retries = 3});
  (void)cache.Resolve(kGateway, 0, Packet(1));
  (void)cache.Resolve(kGateway, 0, Packet(2));
  EXPECT_TRUE(TickAt(cache, kSecond - 1).empty());
  EXPECT_EQ(TickAt(cache, kSecond).size(), 1u);          // retry 1 at 1 s
  EXPECT_TRUE(TickAt(cache, 3 * kSecond - 1).empty());
  EXPECT_EQ(TickAt(cache, 3 * kSecond).size(), 1u);      // retry 2 at 1 + 2 s
  EXPECT_EQ(TickAt(cache, 7 * kSecond).size(), 1u);      // retry 3 at 3 + 4 s
  EXPECT_TRUE(TickAt(cache, 15 * kSecond - 1).empty());
  EXPECT_TRUE(TickAt(cache, 15 * kSecond).empty());      // out of retries: failed
  EXPECT_EQ(cache.counters().requests, 4u);
  EXPECT_EQ(cache.counters().failed, 1u);
  EXPECT_EQ(cache.counters().dropped_failed, 2u);
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_TRUE(cache.Resolve(kGateway, 16 * kSecond, Packet(3)).send_request);  // afresh
}

TEST(ArpCacheTest, TickSaysWhenTheNextRetryIsDue) {
  ArpCache cache;
  EXPECT_FALSE(cache.Tick(0, [](wire::Ipv4Address) {}).has_value());
  (void)cache.Resolve(kGateway, 5, nullptr);
  std::optional<uint64_t> next = cache.Tick(6, [](wire::Ipv4Address) {});
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 5 + kSecond);
}

TEST(ArpCacheTest, AnswersExpire) {
  ArpCache cache({.reachable_ns = 60 * kSecond});
  (void)cache.Learn(kGateway, kGatewayMac, 0);
  EXPECT_TRUE(cache.Peek(kGateway, 60 * kSecond - 1).has_value());
  EXPECT_FALSE(cache.Peek(kGateway, 60 * kSecond).has_value());
  ArpCache::Lookup again = cache.Resolve(kGateway, 61 * kSecond, Packet(1));
  EXPECT_FALSE(again.mac.has_value());
  EXPECT_TRUE(again.send_request);
  EXPECT_EQ(cache.counters().expired, 1u);
  // An entry nobody asks for again goes at its next tick.
  (void)cache.Learn(kOther, kGatewayMac, 0);
  EXPECT_EQ(cache.size(), 2u);
  (void)TickAt(cache, 61 * kSecond);
  EXPECT_FALSE(cache.Peek(kOther, 61 * kSecond).has_value());
}

TEST(ArpCacheTest, QueueKeepsTheNewestPackets) {
  ArpCache cache({.queue_per_entry = 4});
  for (uint8_t tag = 1; tag <= 6; ++tag) (void)cache.Resolve(kGateway, 0, Packet(tag));
  EXPECT_EQ(cache.counters().dropped_queue_full, 2u);
  Vector<ArpCache::Packet> ready = cache.Learn(kGateway, kGatewayMac, 1);
  ASSERT_EQ(ready.Size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(ready[i]->data()[0], 3 + i);
}

TEST(ArpCacheTest, CapacityIsBoundedAndCounted) {
  ArpCache cache({.capacity = 2});
  (void)cache.Resolve(kGateway, 0, nullptr);
  (void)cache.Resolve(kOther, 0, nullptr);
  ArpCache::Lookup refused = cache.Resolve(wire::Ipv4Address::FromOctets(10, 0, 2, 10), 0, Packet(9));
  EXPECT_TRUE(refused.refused);
  ASSERT_NE(refused.packet, nullptr);  // handed back, not lost silently
  EXPECT_EQ(cache.counters().refused_full, 1u);
  // A reachable entry makes room.
  (void)cache.Learn(kGateway, kGatewayMac, 1);
  ArpCache::Lookup fits = cache.Resolve(wire::Ipv4Address::FromOctets(10, 0, 2, 10), 2, nullptr);
  EXPECT_FALSE(fits.refused);
  EXPECT_TRUE(fits.send_request);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.Peek(kGateway, 3).has_value());
}

}  // namespace
}  // namespace ebbrt::net
