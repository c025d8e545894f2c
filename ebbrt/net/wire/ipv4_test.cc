// SPDX-License-Identifier: Apache-2.0
// IPv4 addresses, prefixes and headers: a real ping datagram, Ethernet padding, options,
// fragments, every refusal, build -> parse, and the chain helpers.
#include <memory>
#include <vector>

#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/checksum.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/ipv4.h"
#include "ebbrt/net/wire/ipv4_address.h"
#include "ebbrt/net/wire/wire_testing.h"
#include "gtest/gtest.h"

namespace ebbrt::net::wire {
namespace {

using testing::Bytes;
using testing::ChainOf;
using testing::Concat;
using testing::Flatten;
using testing::Hex;

// ping -s 48 10.0.2.2 from 10.0.2.15 (Linux iputils: DF, TTL 64), header checksum c772.
const Bytes kPingDatagram = Hex(
    "45 00 00 4c 5b 2e 40 00 40 01 c7 72 0a 00 02 0f 0a 00 02 02"
    "08 00 65 88 0c 1d 00 01 6a 1f 5d 67 00 00 00 00 10 11 12 13 14 15 16 17 18 19 1a 1b"
    "1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37");

WireError ErrorOf(const Status& status) { return WireErrorOf(status); }

void SetChecksum(Bytes& header, size_t header_length) {
  header[10] = header[11] = 0;
  uint16_t sum = InternetChecksum(header.data(), header_length);
  header[10] = static_cast<uint8_t>(sum >> 8);
  header[11] = static_cast<uint8_t>(sum);
}

TEST(Ipv4AddressTest, ParseAndText) {
  EXPECT_TRUE(Ipv4Address::Parse("10.0.2.15").value() == Ipv4Address::FromOctets(10, 0, 2, 15));
  EXPECT_EQ(Ipv4Address::Parse("255.255.255.255").value().value, 0xffffffffu);
  EXPECT_TRUE(Ipv4Address::Parse("0.0.0.0").value().IsAny());
  for (const char* bad : {"", "10.0.2", "10.0.2.15.", "10.0.2.256", "10.0.2.0015", "a.b.c.d",
                          "10..2.15", "10.0.2.15/24", " 10.0.2.15"}) {
    EXPECT_FALSE(Ipv4Address::Parse(bad).ok()) << bad;
  }
  EXPECT_STREQ(Ipv4AddressText(Ipv4Address::FromOctets(10, 0, 2, 15)).c_str(), "10.0.2.15");
  EXPECT_STREQ(Ipv4AddressText(Ipv4Address::Broadcast()).c_str(), "255.255.255.255");
  EXPECT_STREQ(Ipv4AddressText(Ipv4Address::FromOctets(192, 168, 100, 9)).c_str(),
               "192.168.100.9");
  EXPECT_TRUE(Ipv4Address::FromOctets(224, 0, 0, 251).IsMulticast());
  EXPECT_FALSE(Ipv4Address::FromOctets(10, 0, 0, 1).IsMulticast());
  EXPECT_TRUE(Ipv4Address::FromOctets(127, 0, 0, 1).IsLoopback());
}

TEST(Ipv4PrefixTest, ParseContainsBroadcast) {
  Ipv4Prefix net = Ipv4Prefix::Parse("10.0.3.2/24").value();
  EXPECT_TRUE(net.address == Ipv4Address::FromOctets(10, 0, 3, 2));
  EXPECT_EQ(net.length, 24);
  EXPECT_TRUE(net.Mask() == Ipv4Address::FromOctets(255, 255, 255, 0));
  EXPECT_TRUE(net.Network() == Ipv4Address::FromOctets(10, 0, 3, 0));
  EXPECT_TRUE(net.Broadcast() == Ipv4Address::FromOctets(10, 0, 3, 255));
  EXPECT_TRUE(net.Contains(Ipv4Address::FromOctets(10, 0, 3, 254)));
  EXPECT_FALSE(net.Contains(Ipv4Address::FromOctets(10, 0, 4, 1)));
  Ipv4Prefix all = Ipv4Prefix::Parse("0.0.0.0/0").value();
  EXPECT_TRUE(all.Contains(Ipv4Address::FromOctets(8, 8, 8, 8)));
  EXPECT_TRUE(all.Broadcast() == Ipv4Address::Broadcast());
  Ipv4Prefix host = Ipv4Prefix::Parse("10.0.3.2/32").value();
  EXPECT_TRUE(host.Contains(Ipv4Address::FromOctets(10, 0, 3, 2)));
  EXPECT_FALSE(host.Contains(Ipv4Address::FromOctets(10, 0, 3, 3)));
  EXPECT_TRUE(Ipv4Prefix::Parse("10.0.3.2/17").value().Broadcast() ==
              Ipv4Address::FromOctets(10, 0, 127, 255));
  for (const char* bad : {"10.0.3.2", "10.0.3.2/", "10.0.3.2/33", "10.0.3.2/024",
                          "10.0.3.2/2a", "10.0.3/24", "/24"}) {
    EXPECT_FALSE(Ipv4Prefix::Parse(bad).ok()) << bad;
  }
}

TEST(Ipv4PrefixTest, FromMask) {
  Ipv4Address a = Ipv4Address::FromOctets(10, 0, 2, 15);
  EXPECT_EQ(Ipv4Prefix::FromMask(a, Ipv4Address::FromOctets(255, 255, 255, 0)).value().length, 24);
  EXPECT_EQ(Ipv4Prefix::FromMask(a, Ipv4Address::Any()).value().length, 0);
  EXPECT_EQ(Ipv4Prefix::FromMask(a, Ipv4Address::Broadcast()).value().length, 32);
  EXPECT_FALSE(Ipv4Prefix::FromMask(a, Ipv4Address::FromOctets(255, 0, 255, 0)).ok());
}

TEST(Ipv4Test, ParsesPing) {
  for (size_t split : {0, 1, 7, 19, 20, 21, 40}) {
    auto chain = ChainOf(kPingDatagram, {split});
    auto ip = ParseIpv4(*chain, 0, kPingDatagram.size());
    ASSERT_TRUE(ip.ok()) << split;
    const Ipv4Header& h = ip->header;
    EXPECT_EQ(h.header_length, 20);
    EXPECT_EQ(h.total_length, 76);
    EXPECT_EQ(h.id, 0x5b2e);
    EXPECT_TRUE(h.dont_fragment);
    EXPECT_FALSE(h.IsFragment());
    EXPECT_EQ(h.ttl, 64);
    EXPECT_EQ(h.protocol, kIpProtocolIcmp);
    EXPECT_EQ(h.checksum, 0xc772);
    EXPECT_TRUE(h.src == Ipv4Address::FromOctets(10, 0, 2, 15));
    EXPECT_TRUE(h.dst == Ipv4Address::FromOctets(10, 0, 2, 2));
    EXPECT_EQ(ip->payload_offset, 20u);
    EXPECT_EQ(ip->payload_length, 56u);
    EXPECT_EQ(ip->padding, 0u);
  }
}

TEST(Ipv4Test, EthernetPaddingIsTrimmed) {
  // A 28-byte datagram (an empty UDP datagram) in a minimum-size frame: 18 bytes of pad.
  Bytes datagram = Hex("45 00 00 1c 00 01 00 00 40 11 00 00 0a 00 02 0f 0a 00 02 02"
                       "9c 40 00 35 00 08 00 00");
  SetChecksum(datagram, 20);
  Bytes frame = Concat({Hex("ff ff ff ff ff ff 52 54 00 12 34 56 08 00"), datagram, Bytes(18, 0)});
  auto ip = ParseIpv4(*ChainOf(frame, {30}), 14, frame.size() - 14);
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->payload_offset, 34u);
  EXPECT_EQ(ip->payload_length, 8u);
  EXPECT_EQ(ip->padding, 18u);
}

TEST(Ipv4Test, OptionsAreSkippedAndChecksummed) {
  // IHL 6: one 4-byte option word (Router Alert, RFC 2113: 94 04 00 00).
  Bytes datagram = Hex("46 00 00 1c 00 01 00 00 01 02 00 00 0a 00 02 0f e0 00 00 16"
                       "94 04 00 00  de ad be ef");
  SetChecksum(datagram, 24);
  auto ip = ParseIpv4(*ChainOf(datagram, {22}), 0, datagram.size());
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(ip->header.header_length, 24);
  EXPECT_EQ(ip->payload_offset, 24u);
  EXPECT_EQ(ip->payload_length, 4u);
  // The checksum covers the options.
  datagram[22] = 1;
  EXPECT_EQ(ErrorOf(ParseIpv4(*ChainOf(datagram), 0, datagram.size()).status()),
            WireError::kIpv4BadChecksum);
}

TEST(Ipv4Test, FragmentsAreIdentified) {
  struct Case {
    uint16_t word;
    bool more;
    uint16_t offset;
  };
  for (Case c : {Case{0x2000, true, 0}, Case{0x00b9, false, 1480}, Case{0x20b9, true, 1480},
                 Case{0x1fff, false, 65528}}) {
    Bytes datagram = kPingDatagram;
    datagram[6] = static_cast<uint8_t>(c.word >> 8);
    datagram[7] = static_cast<uint8_t>(c.word);
    SetChecksum(datagram, 20);
    auto ip = ParseIpv4(*ChainOf(datagram), 0, datagram.size());
    ASSERT_TRUE(ip.ok());
    EXPECT_TRUE(ip->header.IsFragment());
    EXPECT_EQ(ip->header.more_fragments, c.more);
    EXPECT_EQ(ip->header.fragment_offset, c.offset);
    EXPECT_FALSE(ip->header.dont_fragment);
  }
}

TEST(Ipv4Test, Refusals) {
  auto parse = [](const Bytes& bytes, size_t length) {
    return ErrorOf(ParseIpv4(*ChainOf(bytes, {9}), 0, length).status());
  };
  for (size_t n = 0; n < 20; ++n) EXPECT_EQ(parse(kPingDatagram, n), WireError::kIpv4Short) << n;
  // The caller's length beyond the chain: short, not a read past the data.
  EXPECT_EQ(parse(Bytes(kPingDatagram.begin(), kPingDatagram.begin() + 15), 76),
            WireError::kIpv4Short);

  Bytes v6 = kPingDatagram;
  v6[0] = 0x65;
  EXPECT_EQ(parse(v6, v6.size()), WireError::kIpv4BadVersion);
  EXPECT_EQ(DropReasonOf(ParseIpv4(*ChainOf(v6), 0, v6.size()).status()), DropReason::kBadVersion);
  for (uint8_t ihl = 0; ihl < 5; ++ihl) {
    Bytes bad = kPingDatagram;
    bad[0] = static_cast<uint8_t>(0x40 | ihl);
    EXPECT_EQ(parse(bad, bad.size()), WireError::kIpv4BadHeaderLength) << int{ihl};
  }
  // IHL 15 (60 bytes) in a 40-byte datagram: the options run past the data.
  Bytes long_ihl(kPingDatagram.begin(), kPingDatagram.begin() + 40);
  long_ihl[0] = 0x4f;
  EXPECT_EQ(parse(long_ihl, long_ihl.size()), WireError::kIpv4OptionsTruncated);
  Bytes too_small = kPingDatagram;
  too_small[2] = 0;
  too_small[3] = 19;
  EXPECT_EQ(parse(too_small, too_small.size()), WireError::kIpv4TotalLengthTooSmall);
  // Total length 76, but only 75 bytes arrived.
  EXPECT_EQ(parse(kPingDatagram, 75), WireError::kIpv4TotalLengthBeyondData);
  for (size_t byte = 0; byte < 20; ++byte) {
    if (byte == 0 || byte == 2 || byte == 3) continue;  // version/IHL, length: other errors
    Bytes bad = kPingDatagram;
    bad[byte] ^= 0x10;
    EXPECT_EQ(parse(bad, bad.size()), WireError::kIpv4BadChecksum) << byte;
  }
}

TEST(Ipv4Test, BuildThenParse) {
  Ipv4Header header;
  header.id = 0x5b2e;
  header.dont_fragment = true;
  header.ttl = 64;
  header.protocol = kIpProtocolIcmp;
  header.src = Ipv4Address::FromOctets(10, 0, 2, 15);
  header.dst = Ipv4Address::FromOctets(10, 0, 2, 2);
  Bytes payload(kPingDatagram.begin() + 20, kPingDatagram.end());
  auto packet = ChainOf(payload, {10, 30}, kMaxHeaderRoom);
  ASSERT_TRUE(PrependIpv4(*packet, header).ok());
  // The same bytes as the real datagram (its header had these fields).
  EXPECT_TRUE(Flatten(*packet) == kPingDatagram);
  auto ip = ParseIpv4(*packet, 0, packet->ComputeChainDataLength());
  ASSERT_TRUE(ip.ok());
  header.total_length = 76;
  header.checksum = 0xc772;
  EXPECT_TRUE(ip->header == header);
}

TEST(Ipv4Test, BuildRefusals) {
  Ipv4Header header;
  header.protocol = kIpProtocolUdp;
  auto no_room = ChainOf(Bytes(8, 0), {}, 19);
  EXPECT_EQ(PrependIpv4(*no_room, header).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(no_room->length(), 8u);
  auto too_big = ChainOf(Bytes(65516, 0), {}, 20);
  EXPECT_EQ(PrependIpv4(*too_big, header).code(), StatusCode::kInvalidArgument);
  auto biggest = ChainOf(Bytes(65515, 0), {}, 20);
  EXPECT_TRUE(PrependIpv4(*biggest, header).ok());
  auto odd_offset = ChainOf(Bytes(8, 0), {}, 20);
  header.fragment_offset = 12;
  EXPECT_EQ(PrependIpv4(*odd_offset, header).code(), StatusCode::kInvalidArgument);
}

TEST(ChainTest, TakeRange) {
  Bytes bytes(100);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i);
  for (size_t offset : {0, 1, 10, 30, 55, 99, 100}) {
    for (size_t length : {0, 1, 5, 20, 45}) {
      if (offset + length > bytes.size()) continue;
      auto chain = TakeRange(ChainOf(bytes, {10, 30, 30, 60}), offset, length);
      Bytes expected(bytes.begin() + static_cast<long>(offset),
                     bytes.begin() + static_cast<long>(offset + length));
      EXPECT_TRUE(Flatten(*chain) == expected) << offset << "+" << length;
    }
  }
}

TEST(ChainTest, CopyFromChain) {
  Bytes bytes = Hex("00 01 02 03 04 05 06 07");
  auto chain = ChainOf(bytes, {3, 3, 5});
  uint8_t out[5];
  ASSERT_TRUE(CopyFromChain(*chain, 2, out, 5));
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[4], 6);
  EXPECT_FALSE(CopyFromChain(*chain, 4, out, 5));
  EXPECT_TRUE(CopyFromChain(*chain, 8, out, 0));
}

TEST(DropReasonTest, NamesAndMapping) {
  EXPECT_STREQ(DropReasonName(DropReason::kBadChecksum), "bad_checksum");
  EXPECT_STREQ(WireErrorName(WireError::kIpv4BadChecksum), "ipv4_bad_checksum");
  EXPECT_TRUE(WireStatus(WireError::kNone).ok());
  EXPECT_EQ(WireErrorOf(Status::Ok()), WireError::kNone);
  EXPECT_EQ(DropReasonOf(Status::Ok()), DropReason::kNone);
  EXPECT_EQ(WireErrorOf(Status(StatusCode::kOutOfRange, "elsewhere")), WireError::kNotWire);
  EXPECT_EQ(DropReasonOf(Status(StatusCode::kOutOfRange, "elsewhere")), DropReason::kOther);
  // Every error maps back to itself, with a distinct message and name.
  for (size_t i = 1; i < static_cast<size_t>(WireError::kNotWire); ++i) {
    auto error = static_cast<WireError>(i);
    Status status = WireStatus(error);
    EXPECT_FALSE(status.ok()) << WireErrorName(error);
    EXPECT_EQ(WireErrorOf(status), error) << WireErrorName(error);
    EXPECT_NE(ReasonOf(error), DropReason::kNone);
    EXPECT_NE(ReasonOf(error), DropReason::kOther);
    for (size_t j = 1; j < i; ++j) {
      auto other = static_cast<WireError>(j);
      EXPECT_STRNE(WireStatus(other).message(), status.message());
      EXPECT_STRNE(WireErrorName(other), WireErrorName(error));
    }
  }
  for (size_t i = 0; i < static_cast<size_t>(DropReason::kCount); ++i) {
    EXPECT_STRNE(DropReasonName(static_cast<DropReason>(i)), "invalid");
  }
}

}  // namespace
}  // namespace ebbrt::net::wire
