// SPDX-License-Identifier: Apache-2.0
// ICMP and UDP: a real ping and its reply (known checksums), a DNS query's UDP datagram,
// port unreachable, zero-copy echo replies, every refusal.
#include <memory>
#include <vector>

#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/checksum.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/icmp.h"
#include "ebbrt/net/wire/ipv4.h"
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

constexpr Ipv4Address kGuest = Ipv4Address::FromOctets(10, 0, 2, 15);
constexpr Ipv4Address kGateway = Ipv4Address::FromOctets(10, 0, 2, 2);
constexpr Ipv4Address kDns = Ipv4Address::FromOctets(10, 0, 2, 3);

// ping's echo request (ping -s 48: a timestamp and 40 pattern bytes), id 0x0c1d seq 1:
// checksum 6588 (its reply's is 6d88).
const Bytes kEchoRequest = Hex(
    "08 00 65 88 0c 1d 00 01 6a 1f 5d 67 00 00 00 00 10 11 12 13 14 15 16 17 18 19 1a 1b"
    "1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37");
const Bytes kIpHeaderOfPing = Hex("45 00 00 4c 5b 2e 40 00 40 01 c7 72 0a 00 02 0f 0a 00 02 02");
// 10.0.2.15:40000 -> 10.0.2.3:53 "hello world\n", UDP checksum b966, IP checksum 11a3.
const Bytes kUdpDatagramInIp = Hex(
    "45 00 00 28 11 11 40 00 40 11 11 a3 0a 00 02 0f 0a 00 02 03"
    "9c 40 00 35 00 14 b9 66 68 65 6c 6c 6f 20 77 6f 72 6c 64 0a");

WireError ErrorOf(const Status& status) { return WireErrorOf(status); }

TEST(IcmpTest, ParsesEchoRequest) {
  for (size_t split : {0, 1, 3, 8, 9, 30}) {
    auto chain = ChainOf(kEchoRequest, {split});
    auto icmp = ParseIcmp(*chain, 0, kEchoRequest.size());
    ASSERT_TRUE(icmp.ok()) << split;
    EXPECT_EQ(icmp->type, kIcmpEchoRequest);
    EXPECT_EQ(icmp->code, 0);
    EXPECT_EQ(icmp->checksum, 0x6588);
    EXPECT_EQ(icmp->echo_id(), 0x0c1d);
    EXPECT_EQ(icmp->echo_sequence(), 1);
    EXPECT_EQ(icmp->payload_offset, 8u);
    EXPECT_EQ(icmp->payload_length, 48u);
  }
}

TEST(IcmpTest, Refusals) {
  for (size_t n = 0; n < 8; ++n) {
    EXPECT_EQ(ErrorOf(ParseIcmp(*ChainOf(kEchoRequest), 0, n).status()), WireError::kIcmpShort);
  }
  // A length beyond the chain.
  EXPECT_EQ(ErrorOf(ParseIcmp(*ChainOf(kEchoRequest), 0, kEchoRequest.size() + 1).status()),
            WireError::kIcmpShort);
  // The checksum covers the payload: flip any byte.
  for (size_t byte = 0; byte < kEchoRequest.size(); byte += 5) {
    Bytes bad = kEchoRequest;
    bad[byte] ^= 0x01;
    Status status = ParseIcmp(*ChainOf(bad, {17}), 0, bad.size()).status();
    EXPECT_EQ(ErrorOf(status), WireError::kIcmpBadChecksum) << byte;
    EXPECT_EQ(DropReasonOf(status), DropReason::kBadChecksum);
  }
}

TEST(IcmpTest, EchoReplySharesThePayload) {
  // The request arrives as a frame: Ethernet, IPv4, ICMP, in a shared buffer (as a
  // memcached value or a NIC buffer would be) split over two links.
  Bytes frame = Concat({Hex("52 55 0a 00 02 02 52 54 00 12 34 56 08 00"), kIpHeaderOfPing,
                        kEchoRequest});
  auto first = SharedIOBuf::Create(40);
  first->Append(40);
  memcpy(first->MutableData(), frame.data(), 40);
  auto second = SharedIOBuf::Create(frame.size() - 40);
  second->Append(frame.size() - 40);
  memcpy(second->MutableData(), frame.data() + 40, frame.size() - 40);
  const uint8_t* payload_bytes = second->data() + 10;  // frame byte 50: in the payload
  first->AppendChain(std::move(second));

  auto ip = ParseIpv4(*first, 14, frame.size() - 14).value();
  auto request = ParseIcmp(*first, ip.payload_offset, ip.payload_length).value();
  auto reply = BuildEchoReply(std::move(first), request);
  ASSERT_TRUE(reply.ok());
  // Header, then the request's payload bytes in place: the second link is the request's
  // own storage, not a copy.
  Bytes expected = kEchoRequest;
  expected[0] = kIcmpEchoReply;
  expected[2] = 0x6d;
  expected[3] = 0x88;
  EXPECT_TRUE(Flatten(*reply.value()) == expected);
  const IOBuf* link = reply.value()->Next();
  bool found = false;
  for (; link != reply.value().get(); link = link->Next()) {
    if (link->data() <= payload_bytes && payload_bytes < link->data() + link->length()) {
      found = true;
    }
  }
  EXPECT_TRUE(found) << "the reply's payload was copied";
  // The reply verifies, and room is left in front for IPv4 and Ethernet.
  auto parsed = ParseIcmp(*reply.value(), 0, expected.size());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->type, kIcmpEchoReply);
  EXPECT_GE(reply.value()->headroom(), 14u + 20u);
  EXPECT_TRUE(PrependIpv4(*reply.value(), {.protocol = kIpProtocolIcmp, .src = kGateway,
                                           .dst = kGuest}).ok());
}

TEST(IcmpTest, EchoReplyToAllZeroRequest) {
  // id 0, sequence 0, zero payload: the RFC 1624 corner where only 0xffff verifies.
  Bytes request = Hex("08 00 f7 ff 00 00 00 00  00 00 00 00");
  auto chain = ChainOf(request);
  auto parsed = ParseIcmp(*chain, 0, request.size());
  ASSERT_TRUE(parsed.ok());
  auto reply = BuildEchoReply(std::move(chain), parsed.value()).value();
  EXPECT_TRUE(ParseIcmp(*reply, 0, request.size()).ok());
}

TEST(IcmpTest, EchoReplyOnlyToRequests) {
  auto chain = ChainOf(kEchoRequest);
  auto request = ParseIcmp(*chain, 0, kEchoRequest.size()).value();
  request.type = kIcmpEchoReply;
  EXPECT_EQ(BuildEchoReply(std::move(chain), request).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(IcmpTest, EchoRequestBuildThenParse) {
  Bytes payload(kEchoRequest.begin() + 8, kEchoRequest.end());
  auto message = BuildEchoRequest(0x0c1d, 1, ChainOf(payload, {5}));
  ASSERT_TRUE(message.ok());
  EXPECT_TRUE(Flatten(*message.value()) == kEchoRequest);
  auto empty = BuildEchoRequest(7, 9, nullptr).value();
  auto parsed = ParseIcmp(*empty, 0, 8).value();
  EXPECT_EQ(parsed.echo_id(), 7);
  EXPECT_EQ(parsed.echo_sequence(), 9);
  EXPECT_EQ(parsed.payload_length, 0u);
}

TEST(IcmpTest, PortUnreachableQuotesHeaderAndEightBytes) {
  auto offending = ChainOf(kUdpDatagramInIp, {25});
  auto ip = ParseIpv4(*offending, 0, kUdpDatagramInIp.size()).value();
  auto message = BuildPortUnreachable(*offending, ip);
  ASSERT_TRUE(message.ok());
  Bytes bytes = Flatten(*message.value());
  ASSERT_EQ(bytes.size(), 8u + 20u + 8u);
  EXPECT_EQ(bytes[0], kIcmpDestinationUnreachable);
  EXPECT_EQ(bytes[1], kIcmpCodePortUnreachable);
  EXPECT_TRUE(Bytes(bytes.begin() + 8, bytes.end()) ==
              Bytes(kUdpDatagramInIp.begin(), kUdpDatagramInIp.begin() + 28));
  auto parsed = ParseIcmp(*message.value(), 0, bytes.size());
  ASSERT_TRUE(parsed.ok());
  auto quoted = ParseIcmpQuotedDatagram(*message.value(), parsed.value());
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->header.protocol, kIpProtocolUdp);
  EXPECT_TRUE(quoted->header.src == kGuest);
  EXPECT_TRUE(quoted->header.dst == kDns);
  EXPECT_EQ(quoted->src_port(), 40000);
  EXPECT_EQ(quoted->dst_port(), 53);
}

TEST(IcmpTest, QuotedDatagramRefusals) {
  auto quote = [](const Bytes& body) {
    auto message = ChainOf(body, {}, kMaxHeaderRoom);
    EXPECT_TRUE(PrependIcmp(*message, kIcmpDestinationUnreachable, 3, 0).ok());
    auto parsed = ParseIcmp(*message, 0, message->ComputeChainDataLength()).value();
    return ErrorOf(ParseIcmpQuotedDatagram(*message, parsed).status());
  };
  Bytes header_and_8(kUdpDatagramInIp.begin(), kUdpDatagramInIp.begin() + 28);
  EXPECT_EQ(quote(header_and_8), WireError::kNone);
  EXPECT_EQ(quote(Bytes(header_and_8.begin(), header_and_8.end() - 1)),
            WireError::kIcmpQuotedHeaderShort);
  EXPECT_EQ(quote(WithByte(header_and_8, 0, 0x60)), WireError::kIpv4BadVersion);
  EXPECT_EQ(quote(WithByte(header_and_8, 0, 0x44)), WireError::kIpv4BadHeaderLength);
  // A 24-byte header quoted needs 32 bytes.
  EXPECT_EQ(quote(WithByte(header_and_8, 0, 0x46)), WireError::kIcmpQuotedHeaderShort);
}

TEST(UdpTest, ParsesDatagram) {
  for (size_t split : {0, 20, 23, 28, 33}) {
    auto chain = ChainOf(kUdpDatagramInIp, {split});
    auto ip = ParseIpv4(*chain, 0, kUdpDatagramInIp.size()).value();
    auto udp = ParseUdp(*chain, ip.payload_offset, ip.payload_length, ip.header.src,
                        ip.header.dst);
    ASSERT_TRUE(udp.ok()) << split;
    EXPECT_EQ(udp->header.src_port, 40000);
    EXPECT_EQ(udp->header.dst_port, 53);
    EXPECT_EQ(udp->header.length, 20);
    EXPECT_EQ(udp->header.checksum, 0xb966);
    EXPECT_EQ(udp->payload_offset, 28u);
    EXPECT_EQ(udp->payload_length, 12u);
    auto payload = TakeRange(std::move(chain), udp->payload_offset, udp->payload_length);
    EXPECT_TRUE(Flatten(*payload) == Hex("68 65 6c 6c 6f 20 77 6f 72 6c 64 0a"));
  }
}

TEST(UdpTest, ChecksumZeroMeansNone) {
  Bytes udp(kUdpDatagramInIp.begin() + 20, kUdpDatagramInIp.end());
  udp[6] = udp[7] = 0;
  udp[10] ^= 0xff;  // corrupt the data: nothing checks it
  EXPECT_TRUE(ParseUdp(*ChainOf(udp), 0, udp.size(), kGuest, kDns).ok());
}

TEST(UdpTest, Refusals) {
  Bytes udp(kUdpDatagramInIp.begin() + 20, kUdpDatagramInIp.end());
  auto parse = [](const Bytes& bytes, size_t length, Ipv4Address src = kGuest,
                  UdpChecksumCheck check = UdpChecksumCheck::kVerify) {
    return ErrorOf(ParseUdp(*ChainOf(bytes, {3}), 0, length, src, kDns, check).status());
  };
  for (size_t n = 0; n < 8; ++n) EXPECT_EQ(parse(udp, n), WireError::kUdpShort) << n;
  EXPECT_EQ(parse(Bytes(udp.begin(), udp.begin() + 6), 20), WireError::kUdpShort);
  for (uint8_t length = 0; length < 8; ++length) {
    Bytes bad = udp;
    bad[4] = 0;
    bad[5] = length;
    EXPECT_EQ(parse(bad, bad.size()), WireError::kUdpLengthTooSmall) << int{length};
  }
  // Length 20, 19 bytes of IP payload.
  EXPECT_EQ(parse(udp, 19), WireError::kUdpLengthBeyondData);
  // The pseudo-header is covered: another source address fails.
  EXPECT_EQ(parse(udp, udp.size(), kGateway), WireError::kUdpBadChecksum);
  // ... unless the device verified it.
  EXPECT_EQ(parse(udp, udp.size(), kGateway, UdpChecksumCheck::kTrusted), WireError::kNone);
  Bytes bad = udp;
  bad[15] ^= 0x40;
  EXPECT_EQ(parse(bad, bad.size()), WireError::kUdpBadChecksum);
  EXPECT_EQ(DropReasonOf(ParseUdp(*ChainOf(bad), 0, bad.size(), kGuest, kDns).status()),
            DropReason::kBadChecksum);
  // An IP payload longer than the UDP length: the extra bytes are not the payload.
  Bytes longer = Concat({udp, Bytes(5, 0xee)});
  auto parsed = ParseUdp(*ChainOf(longer), 0, longer.size(), kGuest, kDns);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->payload_length, 12u);
}

TEST(UdpTest, BuildThenParse) {
  Bytes payload = Hex("68 65 6c 6c 6f 20 77 6f 72 6c 64 0a");
  auto packet = ChainOf(payload, {5}, kMaxHeaderRoom);
  ASSERT_TRUE(PrependUdp(*packet, {.src_port = 40000, .dst_port = 53}, kGuest, kDns).ok());
  ASSERT_TRUE(PrependIpv4(*packet, {.id = 0x1111, .dont_fragment = true,
                                    .protocol = kIpProtocolUdp, .src = kGuest, .dst = kDns})
                  .ok());
  EXPECT_TRUE(Flatten(*packet) == kUdpDatagramInIp);
}

TEST(UdpTest, ComputedZeroIsSentAsAllOnes) {
  // Choose the payload word so the datagram sums to all ones: the checksum computes to 0.
  Bytes payload = {0, 0};
  auto probe = ChainOf(payload, {}, kMaxHeaderRoom);
  ASSERT_TRUE(PrependUdp(*probe, {.src_port = 1, .dst_port = 2}, kGuest, kDns).ok());
  uint16_t checksum = static_cast<uint16_t>(Flatten(*probe)[6] << 8 | Flatten(*probe)[7]);
  // Adding `checksum` as data makes the sum all ones, so the complement is zero.
  payload = {static_cast<uint8_t>(checksum >> 8), static_cast<uint8_t>(checksum)};
  auto packet = ChainOf(payload, {}, kMaxHeaderRoom);
  ASSERT_TRUE(PrependUdp(*packet, {.src_port = 1, .dst_port = 2}, kGuest, kDns).ok());
  Bytes bytes = Flatten(*packet);
  EXPECT_EQ(bytes[6], 0xff);
  EXPECT_EQ(bytes[7], 0xff);
  EXPECT_TRUE(ParseUdp(*packet, 0, bytes.size(), kGuest, kDns).ok());
}

TEST(UdpTest, OffloadAndNone) {
  Bytes payload = Hex("68 65 6c 6c 6f");
  auto offload = ChainOf(payload, {}, kMaxHeaderRoom);
  ASSERT_TRUE(PrependUdp(*offload, {.src_port = 1, .dst_port = 2}, kGuest, kDns,
                         UdpChecksumMode::kOffload).ok());
  Bytes bytes = Flatten(*offload);
  EXPECT_EQ(bytes[6] << 8 | bytes[7], Ipv4PseudoHeaderSum(kGuest, kDns, kIpProtocolUdp, 13));
  // What the device does: sum from the UDP header with the pseudo-header sum in place.
  uint16_t finished = InternetChecksum(bytes.data(), bytes.size());
  bytes[6] = static_cast<uint8_t>(finished >> 8);
  bytes[7] = static_cast<uint8_t>(finished);
  EXPECT_TRUE(ParseUdp(*ChainOf(bytes), 0, bytes.size(), kGuest, kDns).ok());

  auto none = ChainOf(payload, {}, kMaxHeaderRoom);
  ASSERT_TRUE(PrependUdp(*none, {.src_port = 1, .dst_port = 2}, kGuest, kDns,
                         UdpChecksumMode::kNone).ok());
  EXPECT_EQ(Flatten(*none)[6], 0);
  EXPECT_EQ(Flatten(*none)[7], 0);
}

TEST(UdpTest, BuildRefusals) {
  auto no_room = ChainOf(Bytes(4, 0), {}, 7);
  EXPECT_EQ(PrependUdp(*no_room, {}, kGuest, kDns).code(), StatusCode::kFailedPrecondition);
  auto too_big = ChainOf(Bytes(65528, 0), {}, 8);
  EXPECT_EQ(PrependUdp(*too_big, {}, kGuest, kDns).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ebbrt::net::wire
