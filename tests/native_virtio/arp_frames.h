// SPDX-License-Identifier: Apache-2.0
// ARP frames for the virtio tests, made and checked with the wire code (no stack below
// these tests): a request for QEMU user networking's gateway 10.0.2.2 from the guest
// address 10.0.2.15, and whether a frame is the gateway's reply to it. RFC 826.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>

#include "ebbrt/base/check.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/arp.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::virtio {

inline constexpr net::wire::MacAddress kTestMac{{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}};  // the BUILD's mac=
inline constexpr net::wire::Ipv4Address kGuest = net::wire::Ipv4Address::FromOctets(10, 0, 2, 15);
inline constexpr net::wire::Ipv4Address kGateway = net::wire::Ipv4Address::FromOctets(10, 0, 2, 2);
inline constexpr size_t kArpFrameBytes = net::wire::kEthernetHeaderLength + net::wire::kArpPacketLength;

// The request, broadcast, in one buffer.
inline std::unique_ptr<IOBuf> ArpRequestFrame() {
  Result<std::unique_ptr<IOBuf>> frame = net::wire::BuildArpFrame(
      net::wire::ArpRequest(kTestMac, kGuest, kGateway), net::wire::MacAddress::Broadcast());
  EBBRT_CHECK_OK(frame);
  return std::move(frame).value();
}

// Whether `frame` is 10.0.2.2's ARP reply to 10.0.2.15 at our MAC.
inline bool IsGatewayArpReply(const IOBuf& frame) {
  Result<net::wire::EthernetFrame> eth = net::wire::ParseEthernet(frame);
  if (!eth.ok() || eth.value().header.ethertype != net::wire::kEtherTypeArp || !(eth.value().header.dst == kTestMac)) {
    return false;
  }
  Result<net::wire::ArpPacket> arp = net::wire::ParseArp(frame, eth.value().payload_offset, eth.value().payload_length);
  return arp.ok() && arp.value().operation == net::wire::ArpOperation::kReply && arp.value().sender_ip == kGateway &&
         arp.value().target_ip == kGuest && arp.value().target_mac == kTestMac;
}

// The same for `length` bytes at `bytes` (a receive buffer of the test's own rings).
inline bool IsGatewayArpReply(const uint8_t* bytes, size_t length) {
  return IsGatewayArpReply(*ViewIOBuf::Create(bytes, length));
}

}  // namespace ebbrt::virtio
