// SPDX-License-Identifier: Apache-2.0
// Fuzz target for a whole received frame taken through every layer as the stack will:
// Ethernet, then ARP or IPv4, then ICMP or UDP, then DHCP on its ports, each parser given
// exactly the offset and length the one below returned. Checks that each layer's range
// lies within the one below it, and that the replies the stack builds from what it
// parsed (ARP reply, echo reply sharing the request's buffers, port unreachable) parse
// back through the same layers with the fields they must carry.
#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/arp.h"
#include "ebbrt/net/wire/dhcp.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/icmp.h"
#include "ebbrt/net/wire/ipv4.h"
#include "ebbrt/net/wire/udp.h"
#include "ebbrt/net/wire/wire_testing.h"

namespace wire = ebbrt::net::wire;

namespace {

constexpr wire::MacAddress kMyMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};

void CheckRefusal(const ebbrt::Status& status) {
  EBBRT_CHECK(wire::WireErrorOf(status) != wire::WireError::kNotWire);
}

// Puts `packet` in an IPv4 datagram and an Ethernet frame, then parses it back down to
// the IPv4 payload.
wire::Ipv4Packet SendAndParse(ebbrt::IOBuf& packet, const wire::Ipv4Header& ip,
                              const wire::EthernetHeader& eth) {
  wire::Ipv4Header out;
  out.protocol = wire::kIpProtocolIcmp;
  out.src = ip.dst;
  out.dst = ip.src;
  EBBRT_CHECK_OK(wire::PrependIpv4(packet, out));
  EBBRT_CHECK_OK(wire::PrependEthernet(packet, {eth.src, kMyMac, wire::kEtherTypeIpv4, {}}));
  auto frame = wire::ParseEthernet(packet);
  EBBRT_CHECK(frame.ok());
  auto parsed = wire::ParseIpv4(packet, frame->payload_offset, frame->payload_length);
  EBBRT_CHECK(parsed.ok() && parsed->header.src == ip.dst && parsed->header.dst == ip.src);
  return *parsed;
}

void Icmp(std::unique_ptr<ebbrt::IOBuf> frame, const wire::EthernetFrame& eth,
          const wire::Ipv4Packet& ip) {
  auto icmp = wire::ParseIcmp(*frame, ip.payload_offset, ip.payload_length);
  if (!icmp.ok()) return CheckRefusal(icmp.status());
  EBBRT_CHECK(icmp->payload_offset + icmp->payload_length == ip.payload_offset + ip.payload_length);
  if (icmp->type != wire::kIcmpEchoRequest) return;
  auto reply = wire::BuildEchoReply(std::move(frame), *icmp);
  EBBRT_CHECK(reply.ok());
  wire::Ipv4Packet back = SendAndParse(*reply.value(), ip.header, eth.header);
  auto parsed = wire::ParseIcmp(*reply.value(), back.payload_offset, back.payload_length);
  EBBRT_CHECK(parsed.ok() && parsed->type == wire::kIcmpEchoReply &&
              parsed->rest == icmp->rest && parsed->payload_length == icmp->payload_length);
}

void Udp(const ebbrt::IOBuf& frame, const wire::EthernetFrame& eth, const wire::Ipv4Packet& ip) {
  auto udp = wire::ParseUdp(frame, ip.payload_offset, ip.payload_length, ip.header.src,
                            ip.header.dst);
  if (!udp.ok()) return CheckRefusal(udp.status());
  EBBRT_CHECK(udp->payload_offset == ip.payload_offset + 8 &&
              udp->payload_offset + udp->payload_length <= ip.payload_offset + ip.payload_length);
  if (udp->header.dst_port == wire::kDhcpClientPort ||
      udp->header.dst_port == wire::kDhcpServerPort) {
    auto dhcp = wire::ParseDhcp(frame, udp->payload_offset, udp->payload_length);
    if (!dhcp.ok()) CheckRefusal(dhcp.status());
  }
  // As for a closed port: the error quotes this datagram's header and ports.
  auto error = wire::BuildPortUnreachable(frame, ip);
  EBBRT_CHECK(error.ok());
  wire::Ipv4Packet back = SendAndParse(*error.value(), ip.header, eth.header);
  auto icmp = wire::ParseIcmp(*error.value(), back.payload_offset, back.payload_length);
  EBBRT_CHECK(icmp.ok() && icmp->type == wire::kIcmpDestinationUnreachable);
  auto quoted = wire::ParseIcmpQuotedDatagram(*error.value(), *icmp);
  EBBRT_CHECK(quoted.ok() && quoted->header == ip.header &&
              quoted->src_port() == udp->header.src_port &&
              quoted->dst_port() == udp->header.dst_port);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  wire::testing::FuzzPacket in = wire::testing::FuzzPacketOf(data, size);
  auto eth = wire::ParseEthernet(*in.chain);
  if (!eth.ok()) {
    CheckRefusal(eth.status());
    return 0;
  }
  if (eth->header.ethertype == wire::kEtherTypeArp) {
    auto arp = wire::ParseArp(*in.chain, eth->payload_offset, eth->payload_length);
    if (!arp.ok()) {
      CheckRefusal(arp.status());
    } else if (arp->operation == wire::ArpOperation::kRequest) {
      auto reply = wire::BuildArpFrame(wire::ArpReplyTo(*arp, kMyMac), arp->sender_mac);
      EBBRT_CHECK(reply.ok());
      auto frame = wire::ParseEthernet(*reply.value());
      EBBRT_CHECK(frame.ok() && frame->header.dst == arp->sender_mac);
      auto parsed = wire::ParseArp(*reply.value(), frame->payload_offset, frame->payload_length);
      EBBRT_CHECK(parsed.ok() && parsed->operation == wire::ArpOperation::kReply &&
                  parsed->target_ip == arp->sender_ip && parsed->sender_ip == arp->target_ip);
    }
    return 0;
  }
  if (eth->header.ethertype != wire::kEtherTypeIpv4) return 0;
  auto ip = wire::ParseIpv4(*in.chain, eth->payload_offset, eth->payload_length);
  if (!ip.ok()) {
    CheckRefusal(ip.status());
    return 0;
  }
  EBBRT_CHECK(ip->payload_offset + ip->payload_length + ip->padding ==
              eth->payload_offset + eth->payload_length);
  if (ip->header.IsFragment()) return 0;  // the stack drops or reassembles these
  if (ip->header.protocol == wire::kIpProtocolIcmp) Icmp(std::move(in.chain), *eth, *ip);
  if (ip->header.protocol == wire::kIpProtocolUdp) Udp(*in.chain, *eth, *ip);
  return 0;
}
