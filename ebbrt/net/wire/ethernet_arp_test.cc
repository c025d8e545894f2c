// SPDX-License-Identifier: Apache-2.0
// Ethernet and ARP: real frames (a broadcast ARP request for QEMU's user-network gateway
// and its reply, 802.1Q-tagged IPv4), round trips, every refusal, across link splits.
#include <memory>
#include <vector>

#include "ebbrt/net/wire/arp.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/wire_testing.h"
#include "gtest/gtest.h"

namespace ebbrt::net::wire {
namespace {

using testing::Bytes;
using testing::ChainOf;
using testing::Concat;
using testing::Flatten;
using testing::Hex;

constexpr MacAddress kGuestMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
constexpr MacAddress kGatewayMac{{0x52, 0x55, 0x0a, 0x00, 0x02, 0x02}};
constexpr Ipv4Address kGuestIp = Ipv4Address::FromOctets(10, 0, 2, 15);
constexpr Ipv4Address kGatewayIp = Ipv4Address::FromOctets(10, 0, 2, 2);

// Who has 10.0.2.2? Tell 10.0.2.15 (RFC 826), padded to 60 bytes as on the wire.
const Bytes kArpRequestFrame = Concat({
    Hex("ff ff ff ff ff ff  52 54 00 12 34 56  08 06"),
    Hex("00 01 08 00 06 04 00 01  52 54 00 12 34 56  0a 00 02 0f"
        "00 00 00 00 00 00  0a 00 02 02"),
    Bytes(18, 0),
});
// 10.0.2.2 is at 52:55:0a:00:02:02.
const Bytes kArpReplyFrame = Concat({
    Hex("52 54 00 12 34 56  52 55 0a 00 02 02  08 06"),
    Hex("00 01 08 00 06 04 00 02  52 55 0a 00 02 02  0a 00 02 02"
        "52 54 00 12 34 56  0a 00 02 0f"),
});

WireError ErrorOf(const Status& status) { return WireErrorOf(status); }

TEST(MacAddressTest, PredicatesAndText) {
  EXPECT_TRUE(MacAddress::Broadcast().IsBroadcast());
  EXPECT_TRUE(MacAddress::Broadcast().IsMulticast());
  EXPECT_FALSE(kGuestMac.IsMulticast());
  EXPECT_TRUE((MacAddress{{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}}).IsMulticast());
  EXPECT_TRUE(MacAddress::Zero().IsZero());
  EXPECT_STREQ(MacAddressText(kGuestMac).c_str(), "52:54:00:12:34:56");
  EXPECT_STREQ(MacAddressText(MacAddress::Broadcast()).c_str(), "ff:ff:ff:ff:ff:ff");
}

TEST(MacAddressTest, Parse) {
  EXPECT_TRUE(MacAddress::Parse("52:54:00:12:34:56").value() == kGuestMac);
  EXPECT_TRUE(MacAddress::Parse("52:55:0A:00:02:02").value() == kGatewayMac);
  for (const char* bad : {"", "52:54:00:12:34", "52:54:00:12:34:56:", "52:54:00:12:34:5",
                          "52-54-00-12-34-56", "52:54:00:12:34:5g", "525400123456"}) {
    EXPECT_FALSE(MacAddress::Parse(bad).ok()) << bad;
  }
}

TEST(EthernetTest, ParsesArpRequestFrame) {
  for (size_t split = 0; split <= kArpRequestFrame.size(); split += 5) {
    auto frame = ChainOf(kArpRequestFrame, {split});
    auto eth = ParseEthernet(*frame);
    ASSERT_TRUE(eth.ok()) << "split " << split;
    EXPECT_TRUE(eth->header.dst.IsBroadcast());
    EXPECT_TRUE(eth->header.src == kGuestMac);
    EXPECT_EQ(eth->header.ethertype, kEtherTypeArp);
    EXPECT_FALSE(eth->header.vlan.has_value());
    EXPECT_EQ(eth->payload_offset, 14u);
    EXPECT_EQ(eth->payload_length, 46u);
  }
}

TEST(EthernetTest, ParsesOneVlanTag) {
  // 802.1Q: TPID 0x8100, priority 5, VLAN 100, then IPv4.
  Bytes frame = Concat({Hex("52 54 00 12 34 56  52 55 0a 00 02 02  81 00 a0 64  08 00"),
                        Bytes(46, 0xab)});
  auto eth = ParseEthernet(*ChainOf(frame, {13}));
  ASSERT_TRUE(eth.ok());
  ASSERT_TRUE(eth->header.vlan.has_value());
  EXPECT_EQ(eth->header.vlan->priority(), 5);
  EXPECT_FALSE(eth->header.vlan->drop_eligible());
  EXPECT_EQ(eth->header.vlan->id(), 100);
  EXPECT_EQ(eth->header.ethertype, kEtherTypeIpv4);
  EXPECT_EQ(eth->payload_offset, 18u);
  EXPECT_EQ(eth->payload_length, 46u);
}

TEST(EthernetTest, Refusals) {
  Bytes header = Hex("52 54 00 12 34 56  52 55 0a 00 02 02  08 00");
  for (size_t n = 0; n < 14; ++n) {
    Bytes short_frame(header.begin(), header.begin() + static_cast<long>(n));
    EXPECT_EQ(ErrorOf(ParseEthernet(*ChainOf(short_frame)).status()),
              WireError::kEthernetShort) << n;
  }
  // A header alone is a frame with an empty payload.
  EXPECT_EQ(ParseEthernet(*ChainOf(header)).value().payload_length, 0u);
  Bytes tagged = Hex("52 54 00 12 34 56  52 55 0a 00 02 02  81 00 00 64  08 00");
  for (size_t n = 14; n < 18; ++n) {
    Bytes short_frame(tagged.begin(), tagged.begin() + static_cast<long>(n));
    EXPECT_EQ(ErrorOf(ParseEthernet(*ChainOf(short_frame)).status()),
              WireError::kEthernetVlanShort) << n;
  }
  Bytes qinq = Hex("52 54 00 12 34 56  52 55 0a 00 02 02  88 a8 00 64  81 00 00 05  08 00");
  EXPECT_EQ(ErrorOf(ParseEthernet(*ChainOf(qinq)).status()), WireError::kEthernetStackedVlan);
  Bytes double_tag = Hex("52 54 00 12 34 56  52 55 0a 00 02 02  81 00 00 64  81 00 00 05");
  auto status = ParseEthernet(*ChainOf(double_tag)).status();
  EXPECT_EQ(ErrorOf(status), WireError::kEthernetStackedVlan);
  EXPECT_EQ(DropReasonOf(status), DropReason::kUnsupported);
}

TEST(EthernetTest, BuildThenParse) {
  for (bool tagged : {false, true}) {
    EthernetHeader header{kGatewayMac, kGuestMac, kEtherTypeIpv4, {}};
    if (tagged) header.vlan = VlanTag{0x2fff};
    auto packet = testing::WithHeadroom(Bytes(30, 7), 18);
    ASSERT_TRUE(PrependEthernet(*packet, header).ok());
    EXPECT_EQ(packet->length(), 30u + EthernetHeaderLength(header));
    auto eth = ParseEthernet(*packet);
    ASSERT_TRUE(eth.ok());
    EXPECT_TRUE(eth->header == header);
    EXPECT_EQ(eth->payload_length, 30u);
  }
}

TEST(EthernetTest, BuildWithoutHeadroomFailsAndChangesNothing) {
  auto packet = testing::WithHeadroom(Bytes(30, 7), 13);
  Status status = PrependEthernet(*packet, {kGatewayMac, kGuestMac, kEtherTypeIpv4, {}});
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(packet->length(), 30u);
  EXPECT_EQ(packet->headroom(), 13u);
}

TEST(ArpTest, ParsesRequestAndReply) {
  auto frame = ChainOf(kArpRequestFrame, {20});
  auto eth = ParseEthernet(*frame).value();
  auto request = ParseArp(*frame, eth.payload_offset, eth.payload_length);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->operation, ArpOperation::kRequest);
  EXPECT_TRUE(request->sender_mac == kGuestMac);
  EXPECT_TRUE(request->sender_ip == kGuestIp);
  EXPECT_TRUE(request->target_mac.IsZero());
  EXPECT_TRUE(request->target_ip == kGatewayIp);
  EXPECT_FALSE(request->IsGratuitous());
  EXPECT_TRUE(*request == ArpRequest(kGuestMac, kGuestIp, kGatewayIp));

  auto reply_frame = ChainOf(kArpReplyFrame);
  auto reply = ParseArp(*reply_frame, 14, kArpReplyFrame.size() - 14);
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->operation, ArpOperation::kReply);
  EXPECT_TRUE(reply->sender_mac == kGatewayMac);
  EXPECT_TRUE(reply->sender_ip == kGatewayIp);
  // The gateway answered exactly what ArpReplyTo builds.
  EXPECT_TRUE(*reply == ArpReplyTo(*request, kGatewayMac));
}

TEST(ArpTest, BuildsTheSameBytesAsOnTheWire) {
  auto request = BuildArpFrame(ArpRequest(kGuestMac, kGuestIp, kGatewayIp),
                               MacAddress::Broadcast());
  ASSERT_TRUE(request.ok());
  // Unpadded: the 42 bytes of the header and packet.
  EXPECT_TRUE(Flatten(*request.value()) ==
              Bytes(kArpRequestFrame.begin(), kArpRequestFrame.begin() + 42));
  auto reply = BuildArpFrame(ArpReplyTo(ArpRequest(kGuestMac, kGuestIp, kGatewayIp), kGatewayMac),
                             kGuestMac);
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(Flatten(*reply.value()) == kArpReplyFrame);
}

TEST(ArpTest, Gratuitous) {
  ArpPacket announce = GratuitousArp(kGuestMac, kGuestIp);
  EXPECT_TRUE(announce.IsGratuitous());
  auto frame = BuildArpFrame(announce, MacAddress::Broadcast()).value();
  auto parsed = ParseArp(*frame, 14, 28);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->IsGratuitous());
  EXPECT_TRUE(*parsed == announce);
}

TEST(ArpTest, Refusals) {
  Bytes packet(kArpReplyFrame.begin() + 14, kArpReplyFrame.end());
  for (size_t n = 0; n < 28; ++n) {
    EXPECT_EQ(ErrorOf(ParseArp(*ChainOf(packet), 0, n).status()), WireError::kArpShort) << n;
  }
  // A length beyond the chain is short too, not a read past the data.
  EXPECT_EQ(ErrorOf(ParseArp(*ChainOf(Bytes(packet.begin(), packet.begin() + 20)), 0, 28).status()),
            WireError::kArpShort);
  struct Case {
    size_t at;
    uint8_t value;
    WireError error;
  };
  for (Case c : {Case{1, 6, WireError::kArpUnsupportedHardware},       // IEEE 802 (6)
                 Case{2, 0x86, WireError::kArpUnsupportedProtocol},    // 0x86dd: IPv6
                 Case{4, 8, WireError::kArpBadAddressLengths},
                 Case{5, 16, WireError::kArpBadAddressLengths},
                 Case{7, 3, WireError::kArpUnsupportedOperation},      // RARP request
                 Case{7, 0, WireError::kArpUnsupportedOperation}}) {
    Bytes bad = packet;
    bad[c.at] = c.value;
    Status status = ParseArp(*ChainOf(bad), 0, bad.size()).status();
    EXPECT_EQ(ErrorOf(status), c.error) << c.at;
    EXPECT_EQ(DropReasonOf(status), DropReason::kUnsupported);
  }
}

TEST(ArpTest, PrependWithoutHeadroomFails) {
  auto buf = UniqueIOBuf::Create(27, 27);
  EXPECT_EQ(PrependArp(*buf, GratuitousArp(kGuestMac, kGuestIp)).code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace ebbrt::net::wire
