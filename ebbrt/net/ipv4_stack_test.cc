// SPDX-License-Identifier: Apache-2.0
// Two Ipv4Stacks over the in-memory device pair: ARP resolution and answering, ping,
// UDP with port unreachable, and 10,000 UDP datagrams of mixed sizes echoed through a
// link that loses, duplicates, reorders and corrupts frames in both directions: every
// datagram a handler sees is intact (corrupted ones fail their checksum and are counted),
// and what is missing was lost on the link.
#include "ebbrt/net/ipv4_stack.h"

#include <stdint.h>
#include <string.h>

#include <memory>
#include <set>

#include "ebbrt/net/in_memory_device.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace ebbrt::net {
namespace {

using ebbrt::testing_internal::BlockForMs;
using ebbrt::testing_internal::InFreshRun;

const wire::Ipv4Address kA = wire::Ipv4Address::FromOctets(10, 0, 3, 1);
const wire::Ipv4Address kB = wire::Ipv4Address::FromOctets(10, 0, 3, 2);

Ipv4StackConfig ConfigFor(wire::Ipv4Address address) {
  return {.address = {.address = address, .length = 24}, .gateway = wire::Ipv4Address::Any()};
}

// Payload of datagram `seq`: its number, then bytes derived from it.
std::unique_ptr<IOBuf> Payload(uint32_t seq, size_t length) {
  auto p = UniqueIOBuf::Create(length, 0);
  for (size_t i = 0; i < length; ++i) p->MutableData()[i] = static_cast<uint8_t>(seq * 7 + i);
  if (length >= 4) memcpy(p->MutableData(), &seq, 4);
  p->Append(length);
  return p;
}

bool Intact(const IOBuf& chain, uint32_t* seq_out) {
  const size_t length = chain.ComputeChainDataLength();
  if (length < 4) return false;
  uint8_t bytes[1500];
  size_t at = 0;
  for (const IOBuf& link : chain) {
    memcpy(bytes + at, link.data(), link.length());
    at += link.length();
  }
  uint32_t seq;
  memcpy(&seq, bytes, 4);
  for (size_t i = 4; i < length; ++i) {
    if (bytes[i] != static_cast<uint8_t>(seq * 7 + i)) return false;
  }
  *seq_out = seq;
  return true;
}

// Echoes every datagram back to its sender, without a copy.
class Echo : public UdpHandler {
 public:
  explicit Echo(Ipv4Stack& stack) : stack_(stack) {}
  void ReceiveUdp(wire::Ipv4Address from, uint16_t from_port, std::unique_ptr<IOBuf> payload) override {
    ++received;
    (void)stack_.SendUdp(from, from_port, 7, std::move(payload));
  }
  uint64_t received = 0;

 private:
  Ipv4Stack& stack_;
};

class Collector : public UdpHandler {
 public:
  void ReceiveUdp(wire::Ipv4Address from, uint16_t, std::unique_ptr<IOBuf> payload) override {
    uint32_t seq = 0;
    if (from == kB && Intact(*payload, &seq)) {
      seen.insert(seq);
      ++datagrams;
    } else {
      ++broken;
    }
  }
  std::set<uint32_t> seen;
  uint64_t datagrams = 0;
  uint64_t broken = 0;
};

// Two started stacks, a at kA and b at kB, over one link; stopped when it goes (inside
// the Run, with a moment for the last timer events).
struct TwoStacks {
  explicit TwoStacks(const InMemoryDevicePair::Options& options = {})
      : link(options),
        a(std::make_unique<Ipv4Stack>(link.a(), ConfigFor(kA))),
        b(std::make_unique<Ipv4Stack>(link.b(), ConfigFor(kB))) {
    a->Start();
    b->Start();
  }
  ~TwoStacks() {
    a->Stop();
    b->Stop();
    BlockForMs(2);
  }
  InMemoryDevicePair link;
  std::unique_ptr<Ipv4Stack> a;
  std::unique_ptr<Ipv4Stack> b;
};

TEST(Ipv4StackTest, PingResolvesAndIsAnswered) {
  InFreshRun(1, [] {
    TwoStacks net;
    Ipv4Stack* a = net.a.get();
    Ipv4Stack* b = net.b.get();
    int replies = 0;
    a->OnEchoReply([&](wire::Ipv4Address from, uint16_t id, uint16_t seq) {
      EXPECT_TRUE(from == kB);
      EXPECT_EQ(id, 42);
      EXPECT_EQ(seq, replies);
      ++replies;
    });
    for (uint16_t seq = 0; seq < 5; ++seq) {
      ASSERT_TRUE(a->SendPing(kB, 42, seq, 56 + seq * 100).ok());
      for (int i = 0; i < 200 && replies <= seq; ++i) BlockForMs(1);
    }
    EXPECT_EQ(replies, 5);
    EXPECT_EQ(b->counters().echo_replies_sent, 5u);
    EXPECT_EQ(b->counters().arp_replies_sent, 1u);  // a asked once, then knew
    EXPECT_EQ(a->arp_counters().resolved, 1u);
    EXPECT_EQ(a->counters().malformed_total() + b->counters().malformed_total(), 0u);
  });
}

TEST(Ipv4StackTest, UdpToNobodyGetsPortUnreachable) {
  InFreshRun(1, [] {
    TwoStacks net;
    Ipv4Stack* a = net.a.get();
    Ipv4Stack* b = net.b.get();
    Collector collector;
    ASSERT_TRUE(a->BindUdp(4000, &collector).ok());
    EXPECT_EQ(a->BindUdp(4000, &collector).code(), StatusCode::kAlreadyExists);
    ASSERT_TRUE(a->SendUdp(kB, 9999, 4000, Payload(1, 100)).ok());
    for (int i = 0; i < 200 && b->counters().udp_no_socket == 0; ++i) BlockForMs(1);
    BlockForMs(5);
    EXPECT_EQ(b->counters().udp_no_socket, 1u);
    EXPECT_EQ(a->counters().unknown_protocol + a->counters().malformed_total(), 0u);
    EXPECT_EQ(a->SendUdp(wire::Ipv4Address::FromOctets(192, 168, 1, 1), 7, 4000, Payload(2, 10)).code(),
              StatusCode::kUnavailable);  // no gateway
    a->UnbindUdp(4000);
  });
}

TEST(Ipv4StackTest, TenThousandDatagramsThroughAnImpairedLink) {
  InFreshRun(1, [] {
    const ImpairmentConfig impaired{.loss = 0.05, .duplicate = 0.02, .reorder = 0.03, .corrupt = 0.01, .seed = 5};
    ImpairmentConfig back = impaired;
    back.seed = 6;
    TwoStacks net({.a_to_b = impaired, .b_to_a = back});
    InMemoryDevicePair& link = net.link;
    Ipv4Stack* a = net.a.get();
    Ipv4Stack* b = net.b.get();
    Echo echo(*b);
    Collector collector;
    ASSERT_TRUE(b->BindUdp(7, &echo).ok());
    ASSERT_TRUE(a->BindUdp(4000, &collector).ok());
    constexpr uint32_t kDatagrams = 10'000;
    for (uint32_t seq = 0; seq < kDatagrams; ++seq) {
      ASSERT_TRUE(a->SendUdp(kB, 7, 4000, Payload(seq, 4 + (seq * 131) % 1397)).ok());
      if (seq % 50 == 49) BlockForMs(1);  // let the link and both stacks run
    }
    link.Flush();
    for (int i = 0; i < 300; ++i) {
      BlockForMs(5);
      link.Flush();
    }
    const Ipv4StackCounters ca = a->counters(), cb = b->counters();
    const InMemoryLinkCounters ab = link.a_to_b_counters(), ba = link.b_to_a_counters();
    printf("ipv4_stack: %llu of %u echoed back (%zu distinct); a->b lost %llu dup %llu reordered %llu corrupted %llu; "
           "bad checksums at b %llu, at a %llu\n",
           static_cast<unsigned long long>(collector.datagrams), kDatagrams, collector.seen.size(),
           static_cast<unsigned long long>(ab.impairment.lost), static_cast<unsigned long long>(ab.impairment.duplicated),
           static_cast<unsigned long long>(ab.impairment.reordered),
           static_cast<unsigned long long>(ab.impairment.corrupted),
           static_cast<unsigned long long>(cb.malformed[static_cast<size_t>(wire::DropReason::kBadChecksum)]),
           static_cast<unsigned long long>(ca.malformed[static_cast<size_t>(wire::DropReason::kBadChecksum)]));
    // Never corrupt: what reached a handler is exactly what was sent.
    EXPECT_EQ(collector.broken, 0u);
    // Every frame the link delivered reached the stack.
    EXPECT_EQ(cb.frames_in, ab.impairment.delivered);
    EXPECT_EQ(ca.frames_in, ba.impairment.delivered);
    // Corrupted frames were caught (by the IPv4 or UDP checksum, or a length check).
    EXPECT_GT(cb.malformed_total(), 0u);
    EXPECT_LE(cb.malformed_total(), ab.impairment.corrupted);
    // Duplicates came through as datagrams too; the rest is what the link lost or
    // corrupted, or what waited for an ARP answer beyond the queue's bound.
    EXPECT_GT(collector.datagrams, collector.seen.size());
    EXPECT_GT(collector.seen.size(), kDatagrams * 8 / 10);
    const uint64_t missing = kDatagrams - collector.seen.size();
    const ArpCacheCounters arp_a = a->arp_counters(), arp_b = b->arp_counters();
    const uint64_t arp_dropped =
        arp_a.dropped_queue_full + arp_a.dropped_failed + arp_b.dropped_queue_full + arp_b.dropped_failed;
    printf("ipv4_stack: %llu missing; %llu dropped waiting for ARP\n", static_cast<unsigned long long>(missing),
           static_cast<unsigned long long>(arp_dropped));
    EXPECT_LE(missing, ab.impairment.lost + ab.impairment.corrupted + ba.impairment.lost + ba.impairment.corrupted +
                           arp_dropped);
    EXPECT_EQ(echo.received, cb.udp_in);
    // The handlers go before the stacks: late frames must find no socket.
    b->UnbindUdp(7);
    a->UnbindUdp(4000);
  });
}

}  // namespace
}  // namespace ebbrt::net
