// SPDX-License-Identifier: Apache-2.0
// DHCP: a server's OFFER with the usual options, the client's messages built and parsed
// back, option bounds and every refusal.
#include <algorithm>
#include <memory>
#include <vector>

#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/dhcp.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/ipv4.h"
#include "ebbrt/net/wire/ipv4_address.h"
#include "ebbrt/net/wire/udp.h"
#include "ebbrt/net/wire/wire_testing.h"
#include "gtest/gtest.h"

namespace ebbrt::net::wire {
namespace {

using testing::Bytes;
using testing::ChainOf;
using testing::Concat;
using testing::Flatten;
using testing::Hex;
using testing::WithByte;

constexpr MacAddress kMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};
constexpr Ipv4Address kServer = Ipv4Address::FromOctets(10, 0, 2, 2);
constexpr Ipv4Address kOffered = Ipv4Address::FromOctets(10, 0, 2, 15);

// RFC 2131 §2 fixed fields of a BOOTREPLY: xid 3903f326, yiaddr 10.0.2.15, siaddr
// 10.0.2.2, chaddr 52:54:00:12:34:56; sname and file empty.
const Bytes kOfferFixed = Concat({
    Hex("02 01 06 00  39 03 f3 26  00 00 00 00  00 00 00 00  0a 00 02 0f  0a 00 02 02"
        "00 00 00 00  52 54 00 12 34 56 00 00 00 00 00 00 00 00 00 00"),
    Bytes(64 + 128, 0),
});
// The cookie, then: message type OFFER, server id, lease 86400 s, T1 43200, T2 75600,
// subnet mask /24, router, two DNS servers, a domain name (15, skipped), pad, pad, end.
const Bytes kOfferOptions = Hex(
    "63 82 53 63  35 01 02  36 04 0a 00 02 02  33 04 00 01 51 80  3a 04 00 00 a8 c0"
    "3b 04 00 01 27 50  01 04 ff ff ff 00  03 04 0a 00 02 02  06 08 0a 00 02 03 08 08 08 08"
    "0f 05 6c 6f 63 61 6c  00 00 ff");

Bytes Offer() { return Concat({kOfferFixed, kOfferOptions}); }

WireError ErrorOf(const Bytes& message) {
  return WireErrorOf(ParseDhcp(*ChainOf(message, {100, 250}), 0, message.size()).status());
}

// The message with `options` (after the cookie) in place of the OFFER's.
Bytes WithOptions(const Bytes& options) {
  return Concat({kOfferFixed, Hex("63 82 53 63"), options});
}

TEST(DhcpTest, ParsesOffer) {
  Bytes offer = Offer();
  for (size_t split : {0, 10, 236, 241, 250, 280}) {
    auto m = ParseDhcp(*ChainOf(offer, {split}), 0, offer.size());
    ASSERT_TRUE(m.ok()) << split;
    EXPECT_EQ(m->op, DhcpOp::kBootReply);
    EXPECT_EQ(m->xid, 0x3903f326u);
    EXPECT_FALSE(m->broadcast());
    EXPECT_TRUE(m->yiaddr == kOffered);
    EXPECT_TRUE(m->siaddr == kServer);
    EXPECT_TRUE(m->ciaddr.IsAny());
    EXPECT_TRUE(m->chaddr == kMac);
    EXPECT_EQ(m->message_type, DhcpMessageType::kOffer);
    EXPECT_TRUE(m->server_id == kServer);
    EXPECT_EQ(m->lease_time, 86400u);
    EXPECT_EQ(m->renewal_time, 43200u);
    EXPECT_EQ(m->rebinding_time, 75600u);
    EXPECT_TRUE(m->subnet_mask == Ipv4Address::FromOctets(255, 255, 255, 0));
    ASSERT_EQ(m->routers.count, 1);
    EXPECT_TRUE(m->routers.items[0] == kServer);
    ASSERT_EQ(m->dns_servers.count, 2);
    EXPECT_TRUE(m->dns_servers.items[0] == Ipv4Address::FromOctets(10, 0, 2, 3));
    EXPECT_TRUE(m->dns_servers.items[1] == Ipv4Address::FromOctets(8, 8, 8, 8));
    EXPECT_FALSE(m->requested_ip.has_value());
    EXPECT_EQ(m->parameter_requests.count, 0);
  }
  // Inside a UDP payload, with trailing bytes after End ignored.
  Bytes framed = Concat({Bytes(42, 0xee), offer, Bytes(20, 0)});
  auto m = ParseDhcp(*ChainOf(framed, {50}), 42, offer.size() + 20);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->lease_time, 86400u);
}

TEST(DhcpTest, FixedPartRefusals) {
  Bytes offer = Offer();
  for (size_t n : {0, 1, 100, 236, 239}) {
    EXPECT_EQ(ErrorOf(Bytes(offer.begin(), offer.begin() + static_cast<long>(n))),
              WireError::kDhcpShort) << n;
  }
  EXPECT_EQ(WireErrorOf(ParseDhcp(*ChainOf(Bytes(offer.begin(), offer.begin() + 200)), 0,
                                  offer.size()).status()),
            WireError::kDhcpShort);
  EXPECT_EQ(ErrorOf(WithByte(offer, 0, 3)), WireError::kDhcpUnsupportedOp);
  EXPECT_EQ(ErrorOf(WithByte(offer, 1, 6)), WireError::kDhcpUnsupportedHardware);  // IEEE 802
  EXPECT_EQ(ErrorOf(WithByte(offer, 2, 16)), WireError::kDhcpUnsupportedHardware);
  Bytes no_cookie = WithByte(offer, 236, 0x64);
  EXPECT_EQ(ErrorOf(no_cookie), WireError::kDhcpBadMagicCookie);
  EXPECT_EQ(DropReasonOf(ParseDhcp(*ChainOf(no_cookie), 0, no_cookie.size()).status()),
            DropReason::kBadMagicCookie);
}

TEST(DhcpTest, OptionRefusals) {
  struct Case {
    const char* options;
    WireError error;
  };
  for (Case c : {
           Case{"", WireError::kDhcpMissingEnd},
           Case{"35 01 02", WireError::kDhcpMissingEnd},
           Case{"00 00 00", WireError::kDhcpMissingEnd},
           Case{"35", WireError::kDhcpTruncatedOption},           // no length byte
           Case{"35 01", WireError::kDhcpTruncatedOption},        // no value
           Case{"36 04 0a 00 02", WireError::kDhcpTruncatedOption},
           Case{"0f ff 00 ff", WireError::kDhcpTruncatedOption},  // overlong unknown option
           Case{"35 02 02 02 ff", WireError::kDhcpBadOptionLength},
           Case{"35 00 ff", WireError::kDhcpBadOptionLength},
           Case{"36 03 0a 00 02 ff", WireError::kDhcpBadOptionLength},
           Case{"01 05 ff ff ff 00 00 ff", WireError::kDhcpBadOptionLength},
           Case{"33 02 00 01 ff", WireError::kDhcpBadOptionLength},
           Case{"3a 08 00 00 00 01 00 00 00 01 ff", WireError::kDhcpBadOptionLength},
           Case{"03 00 ff", WireError::kDhcpBadOptionLength},
           Case{"03 06 0a 00 02 02 0a 00 ff", WireError::kDhcpBadOptionLength},
           Case{"06 02 0a 00 ff", WireError::kDhcpBadOptionLength},
           Case{"37 00 ff", WireError::kDhcpBadOptionLength},
           Case{"34 02 01 01 ff", WireError::kDhcpBadOptionLength},
           Case{"35 01 00 ff", WireError::kDhcpBadMessageType},
           Case{"35 01 09 ff", WireError::kDhcpBadMessageType},
           Case{"35 01 02 35 01 05 ff", WireError::kDhcpDuplicateOption},
           Case{"33 04 00 00 00 01 33 04 00 00 00 01 ff", WireError::kDhcpDuplicateOption},
           Case{"34 01 00 ff", WireError::kDhcpBadOverload},
           Case{"34 01 04 ff", WireError::kDhcpBadOverload},
       }) {
    EXPECT_EQ(ErrorOf(WithOptions(Hex(c.options))), c.error) << c.options;
  }
  // A caller's length past the end of the chain, options without End: refused, not a
  // loop over bytes that are not there (found by dhcp_fuzzer).
  Bytes unterminated = WithOptions(Hex("35 01 02"));
  EXPECT_EQ(WireErrorOf(ParseDhcp(*ChainOf(unterminated, {241}), 0, unterminated.size() + 10)
                            .status()),
            WireError::kDhcpTruncatedOption);
  EXPECT_EQ(DropReasonOf(WireStatus(WireError::kDhcpTruncatedOption)),
            DropReason::kTruncatedOption);
  EXPECT_EQ(DropReasonOf(WireStatus(WireError::kDhcpMissingEnd)), DropReason::kTruncatedOption);
}

TEST(DhcpTest, ListOptionsConcatenateAndAreBounded) {
  // RFC 3396: two router options are one list; more routers than kept are ignored.
  auto m = ParseDhcp(*ChainOf(WithOptions(Hex(
                         "03 08 0a 00 00 01 0a 00 00 02  03 0c 0a 00 00 03 0a 00 00 04 0a 00 00 05"
                         "37 03 01 03 06  37 02 33 36  ff"))),
                     0, 240 + 37);
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->routers.count, kDhcpMaxAddresses);
  EXPECT_TRUE(m->routers.items[3] == Ipv4Address::FromOctets(10, 0, 0, 4));
  ASSERT_EQ(m->parameter_requests.count, 5);
  EXPECT_EQ(m->parameter_requests.items[4], 0x36);
  EXPECT_FALSE(m->message_type.has_value());  // BOOTP: the stack decides
}

TEST(DhcpTest, OverloadedFileAndSname) {
  // RFC 2131 §4.1 / RFC 2132 §9.3: options continue in file, then sname.
  Bytes message = WithOptions(Hex("35 01 05  34 01 03  ff"));
  Bytes file_options = Hex("33 04 00 00 0e 10  ff");
  Bytes sname_options = Hex("00 36 04 0a 00 02 02  ff");
  std::copy(file_options.begin(), file_options.end(), message.begin() + 108);
  std::copy(sname_options.begin(), sname_options.end(), message.begin() + 44);
  auto m = ParseDhcp(*ChainOf(message), 0, message.size());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->message_type, DhcpMessageType::kAck);
  EXPECT_EQ(m->lease_time, 3600u);
  EXPECT_TRUE(m->server_id == kServer);
  // The file field must end with End too.
  Bytes unterminated = message;
  unterminated[108 + 6] = dhcp_option::kPad;
  EXPECT_EQ(ErrorOf(unterminated), WireError::kDhcpMissingEnd);
  // Without the overload option, sname and file are not options.
  Bytes plain = WithOptions(Hex("35 01 05 ff"));
  std::copy(file_options.begin(), file_options.end(), plain.begin() + 108);
  EXPECT_FALSE(ParseDhcp(*ChainOf(plain), 0, plain.size()).value().lease_time.has_value());
}

TEST(DhcpTest, DiscoverBuildThenParse) {
  auto buf = BuildDhcp(DhcpDiscover(kMac, 0x3903f326));
  ASSERT_TRUE(buf.ok());
  Bytes bytes = Flatten(*buf.value());
  EXPECT_EQ(bytes.size(), kDhcpMinSentLength);
  EXPECT_GE(buf.value()->headroom(), 14u + 20u + 8u);
  // op, htype, hlen, hops, xid, secs, flags (broadcast), then the cookie and type.
  EXPECT_TRUE(Bytes(bytes.begin(), bytes.begin() + 12) ==
              Hex("01 01 06 00 39 03 f3 26 00 00 80 00"));
  EXPECT_TRUE(Bytes(bytes.begin() + 236, bytes.begin() + 243) == Hex("63 82 53 63 35 01 01"));
  auto m = ParseDhcp(*buf.value(), 0, bytes.size());
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m.value() == DhcpDiscover(kMac, 0x3903f326));
  EXPECT_EQ(m->message_type, DhcpMessageType::kDiscover);
  EXPECT_TRUE(m->broadcast());
  EXPECT_EQ(m->parameter_requests.count, sizeof(kDhcpDefaultParameters));
}

TEST(DhcpTest, RequestsAndReleaseBuildThenParse) {
  DhcpMessage selecting = DhcpRequestSelecting(kMac, 7, kServer, kOffered);
  EXPECT_TRUE(selecting.ciaddr.IsAny());
  EXPECT_TRUE(selecting.server_id == kServer);
  EXPECT_TRUE(selecting.requested_ip == kOffered);
  DhcpMessage reboot = DhcpRequestInitReboot(kMac, 11, kOffered);
  EXPECT_TRUE(reboot.ciaddr.IsAny());
  EXPECT_FALSE(reboot.server_id.has_value());
  EXPECT_TRUE(reboot.requested_ip == kOffered);
  EXPECT_TRUE(reboot.broadcast());
  DhcpMessage renewing = DhcpRequestRenewing(kMac, 8, kOffered);
  EXPECT_TRUE(renewing.ciaddr == kOffered);
  EXPECT_FALSE(renewing.server_id.has_value());
  EXPECT_FALSE(renewing.requested_ip.has_value());
  EXPECT_FALSE(renewing.broadcast());
  DhcpMessage release = DhcpRelease(kMac, 9, kOffered, kServer);
  EXPECT_EQ(release.message_type, DhcpMessageType::kRelease);
  EXPECT_TRUE(release.ciaddr == kOffered);
  EXPECT_TRUE(release.server_id == kServer);
  EXPECT_EQ(release.parameter_requests.count, 0);
  DhcpMessage discover_with_hint = DhcpDiscover(kMac, 10, kOffered);
  for (const DhcpMessage& sent : {selecting, reboot, renewing, release, discover_with_hint}) {
    auto buf = BuildDhcp(sent).value();
    auto parsed = ParseDhcp(*buf, 0, buf->ComputeChainDataLength());
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed.value() == sent);
  }
}

TEST(DhcpTest, OfferFrameThroughEveryLayer) {
  // The OFFER as QEMU's user network would broadcast it: 10.0.2.2:67 -> 255.255.255.255:68,
  // built with the builders, split over links, parsed layer by layer as the stack will.
  auto packet = ChainOf(Offer(), {}, kMaxHeaderRoom);
  constexpr Ipv4Address kBroadcast = Ipv4Address::Broadcast();
  ASSERT_TRUE(PrependUdp(*packet, {.src_port = kDhcpServerPort, .dst_port = kDhcpClientPort},
                         kServer, kBroadcast).ok());
  ASSERT_TRUE(PrependIpv4(*packet, {.tos = 0x10, .protocol = kIpProtocolUdp, .src = kServer,
                                    .dst = kBroadcast}).ok());
  constexpr MacAddress kServerMac{{0x52, 0x55, 0x0a, 0x00, 0x02, 0x02}};
  ASSERT_TRUE(PrependEthernet(*packet, {MacAddress::Broadcast(), kServerMac, kEtherTypeIpv4, {}})
                  .ok());
  Bytes frame = Flatten(*packet);
  auto chain = ChainOf(frame, {20, 40, 300});
  auto eth = ParseEthernet(*chain).value();
  EXPECT_TRUE(eth.header.dst.IsBroadcast());
  auto ip = ParseIpv4(*chain, eth.payload_offset, eth.payload_length).value();
  EXPECT_TRUE(ip.header.dst.IsBroadcast());
  auto udp = ParseUdp(*chain, ip.payload_offset, ip.payload_length, ip.header.src,
                      ip.header.dst).value();
  EXPECT_EQ(udp.header.dst_port, kDhcpClientPort);
  auto m = ParseDhcp(*chain, udp.payload_offset, udp.payload_length);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->message_type, DhcpMessageType::kOffer);
  EXPECT_TRUE(m->yiaddr == kOffered);
  // What the client does with it: its address and network, and the request to send.
  Ipv4Prefix mine = Ipv4Prefix::FromMask(m->yiaddr, *m->subnet_mask).value();
  EXPECT_TRUE(mine == Ipv4Prefix::Parse("10.0.2.15/24").value());
  auto request = BuildDhcp(DhcpRequestSelecting(kMac, m->xid, *m->server_id, m->yiaddr));
  ASSERT_TRUE(request.ok());
  EXPECT_GE(request.value()->headroom(), 14u + 20u + 8u);
}

TEST(DhcpTest, OfferRoundTrip) {
  Bytes offer = Offer();
  DhcpMessage m = ParseDhcp(*ChainOf(offer), 0, offer.size()).value();
  auto buf = BuildDhcp(m).value();
  auto again = ParseDhcp(*buf, 0, buf->ComputeChainDataLength());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again.value() == m);
}

TEST(DhcpTest, BuildRefusesBadMessageType) {
  DhcpMessage m = DhcpDiscover(kMac, 1);
  m.message_type = static_cast<DhcpMessageType>(9);
  EXPECT_EQ(BuildDhcp(m).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ebbrt::net::wire
