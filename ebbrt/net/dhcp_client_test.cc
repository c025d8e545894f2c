// SPDX-License-Identifier: Apache-2.0
// The DHCP client against a simulated server and a clock the test moves: the exchange to
// BOUND, retransmission with backoff and a failed attempt that starts over, renewal at T1
// (unicast), rebinding at T2 (broadcast), expiry back to INIT, NAK, and replies that are
// not ours.
#include "ebbrt/net/dhcp_client.h"

#include <stdint.h>

#include "gtest/gtest.h"

namespace ebbrt::net {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;
const wire::MacAddress kMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
const wire::Ipv4Address kServer = wire::Ipv4Address::FromOctets(10, 0, 3, 1);
const wire::Ipv4Address kOffered = wire::Ipv4Address::FromOctets(10, 0, 3, 50);

// The server's reply of `type` to `request`.
wire::DhcpMessage Reply(const wire::DhcpMessage& request, wire::DhcpMessageType type, uint32_t lease_seconds = 600) {
  wire::DhcpMessage reply;
  reply.op = wire::DhcpOp::kBootReply;
  reply.xid = request.xid;
  reply.chaddr = request.chaddr;
  reply.yiaddr = kOffered;
  reply.message_type = type;
  reply.server_id = kServer;
  reply.subnet_mask = wire::Ipv4Address::FromOctets(255, 255, 255, 0);
  reply.routers.Push(kServer);
  reply.lease_time = lease_seconds;
  return reply;
}

// Takes `dhcp` from Start to BOUND with a lease of `lease_seconds`, at time 0.
void BindAtZero(DhcpClient& dhcp, uint32_t lease_seconds) {
  Vector<DhcpSend> discover = dhcp.Start(0);
  Vector<DhcpSend> request = dhcp.Receive(Reply(discover[0].message, wire::DhcpMessageType::kOffer), 0);
  (void)dhcp.Receive(Reply(request[0].message, wire::DhcpMessageType::kAck, lease_seconds), 0);
  ASSERT_EQ(dhcp.state(), DhcpClient::State::kBound);
}

TEST(DhcpClientTest, DiscoverOfferRequestAckBinds) {
  DhcpClient dhcp(kMac, 7);
  Vector<DhcpSend> out = dhcp.Start(0);
  ASSERT_EQ(out.Size(), 1u);
  EXPECT_EQ(out[0].message.message_type, wire::DhcpMessageType::kDiscover);
  EXPECT_TRUE(out[0].broadcast);
  EXPECT_EQ(dhcp.state(), DhcpClient::State::kSelecting);
  Vector<DhcpSend> request = dhcp.Receive(Reply(out[0].message, wire::DhcpMessageType::kOffer), kSecond);
  ASSERT_EQ(request.Size(), 1u);
  EXPECT_EQ(request[0].message.message_type, wire::DhcpMessageType::kRequest);
  EXPECT_EQ(request[0].message.requested_ip, kOffered);
  EXPECT_EQ(request[0].message.server_id, kServer);
  EXPECT_EQ(dhcp.state(), DhcpClient::State::kRequesting);
  EXPECT_TRUE(dhcp.Receive(Reply(request[0].message, wire::DhcpMessageType::kAck), 2 * kSecond).Empty());
  ASSERT_EQ(dhcp.state(), DhcpClient::State::kBound);
  const DhcpLease* lease = dhcp.lease();
  ASSERT_NE(lease, nullptr);
  EXPECT_TRUE(lease->address.address == kOffered);
  EXPECT_EQ(lease->address.length, 24);
  ASSERT_TRUE(lease->router.has_value());
  EXPECT_TRUE(*lease->router == kServer);
  // RFC 2131 §4.4.5 defaults: T1 = 0.5, T2 = 0.875 of 600 s.
  EXPECT_EQ(lease->t1_ns, 2 * kSecond + 300 * kSecond);
  EXPECT_EQ(lease->t2_ns, 2 * kSecond + 525 * kSecond);
  EXPECT_EQ(lease->expiry_ns, 2 * kSecond + 600 * kSecond);
  EXPECT_EQ(dhcp.next_deadline(), lease->t1_ns);
}

TEST(DhcpClientTest, RetransmitsWithBackoffThenStartsOver) {
  DhcpClient dhcp(kMac, 7, {.max_retries = 2});
  (void)dhcp.Start(0);
  EXPECT_TRUE(dhcp.Tick(4 * kSecond - 1).Empty());
  EXPECT_EQ(dhcp.Tick(4 * kSecond).Size(), 1u);           // 4 s
  EXPECT_TRUE(dhcp.Tick(12 * kSecond - 1).Empty());
  EXPECT_EQ(dhcp.Tick(12 * kSecond).Size(), 1u);          // then 8 s more
  EXPECT_TRUE(dhcp.Tick(28 * kSecond).Empty());           // then 16 s: out of retries
  EXPECT_EQ(dhcp.state(), DhcpClient::State::kInit);
  EXPECT_EQ(dhcp.counters().failed_attempts, 1u);
  EXPECT_EQ(dhcp.counters().retransmissions, 2u);
  Vector<DhcpSend> again = dhcp.Tick(38 * kSecond);       // restart after 10 s
  ASSERT_EQ(again.Size(), 1u);
  EXPECT_EQ(again[0].message.message_type, wire::DhcpMessageType::kDiscover);
}

TEST(DhcpClientTest, RenewsAtT1RebindsAtT2ExpiresAtTheEnd) {
  DhcpClient dhcp(kMac, 9);
  BindAtZero(dhcp, 1000);
  // T1 (500 s): a unicast REQUEST to the server, ciaddr set.
  Vector<DhcpSend> renew = dhcp.Tick(500 * kSecond);
  ASSERT_EQ(renew.Size(), 1u);
  EXPECT_EQ(dhcp.state(), DhcpClient::State::kRenewing);
  EXPECT_FALSE(renew[0].broadcast);
  EXPECT_TRUE(renew[0].to == kServer);
  EXPECT_TRUE(renew[0].message.ciaddr == kOffered);
  // No answer: again at half the time to T2 (875 s), then rebinding at T2, broadcast.
  EXPECT_TRUE(dhcp.Tick(500 * kSecond + 187 * kSecond).Empty());
  EXPECT_EQ(dhcp.Tick(500 * kSecond + 188 * kSecond).Size(), 1u);
  Vector<DhcpSend> rebind = dhcp.Tick(875 * kSecond);
  ASSERT_EQ(rebind.Size(), 1u);
  EXPECT_EQ(dhcp.state(), DhcpClient::State::kRebinding);
  EXPECT_TRUE(rebind[0].broadcast);
  // Still nothing: at expiry the lease goes and the client starts over.
  Vector<DhcpSend> restart = dhcp.Tick(1000 * kSecond);
  ASSERT_EQ(restart.Size(), 1u);
  EXPECT_EQ(restart[0].message.message_type, wire::DhcpMessageType::kDiscover);
  EXPECT_EQ(dhcp.lease(), nullptr);
  EXPECT_EQ(dhcp.counters().expired, 1u);
}

TEST(DhcpClientTest, AnAckWhileRenewingExtendsTheLease) {
  DhcpClient dhcp(kMac, 11);
  BindAtZero(dhcp, 60);
  Vector<DhcpSend> renew = dhcp.Tick(30 * kSecond);
  ASSERT_EQ(renew.Size(), 1u);
  (void)dhcp.Receive(Reply(renew[0].message, wire::DhcpMessageType::kAck, 60), 31 * kSecond);
  EXPECT_EQ(dhcp.state(), DhcpClient::State::kBound);
  EXPECT_EQ(dhcp.lease()->expiry_ns, 91 * kSecond);
  EXPECT_EQ(dhcp.counters().renewals, 1u);
}

TEST(DhcpClientTest, NakStartsOverAndStrangersAreIgnored) {
  DhcpClient dhcp(kMac, 13);
  Vector<DhcpSend> discover = dhcp.Start(0);
  wire::DhcpMessage wrong_xid = Reply(discover[0].message, wire::DhcpMessageType::kOffer);
  wrong_xid.xid ^= 1;
  EXPECT_TRUE(dhcp.Receive(wrong_xid, 0).Empty());
  wire::DhcpMessage other_mac = Reply(discover[0].message, wire::DhcpMessageType::kOffer);
  other_mac.chaddr.bytes[5] ^= 1;
  EXPECT_TRUE(dhcp.Receive(other_mac, 0).Empty());
  EXPECT_TRUE(dhcp.Receive(Reply(discover[0].message, wire::DhcpMessageType::kAck), 0).Empty());  // not yet
  EXPECT_EQ(dhcp.counters().ignored, 3u);
  EXPECT_EQ(dhcp.state(), DhcpClient::State::kSelecting);
  Vector<DhcpSend> request = dhcp.Receive(Reply(discover[0].message, wire::DhcpMessageType::kOffer), 0);
  Vector<DhcpSend> rediscover = dhcp.Receive(Reply(request[0].message, wire::DhcpMessageType::kNak), 0);
  ASSERT_EQ(rediscover.Size(), 1u);
  EXPECT_EQ(rediscover[0].message.message_type, wire::DhcpMessageType::kDiscover);
  EXPECT_NE(rediscover[0].message.xid, discover[0].message.xid);  // a new transaction
  EXPECT_EQ(dhcp.counters().naks, 1u);
}

TEST(DhcpClientTest, InfiniteLeaseNeverRenews) {
  DhcpClient dhcp(kMac, 17);
  BindAtZero(dhcp, 0xffffffff);
  EXPECT_FALSE(dhcp.next_deadline().has_value());
  EXPECT_TRUE(dhcp.Tick(UINT64_MAX / 2).Empty());
  EXPECT_EQ(dhcp.state(), DhcpClient::State::kBound);
}

}  // namespace
}  // namespace ebbrt::net
