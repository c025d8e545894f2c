// SPDX-License-Identifier: Apache-2.0
// ARP (RFC 826) for IPv4 over Ethernet only: hardware type 1, protocol type 0x0800,
// address lengths 6 and 4, operation request (1) or reply (2). Anything else is refused
// with an error value (kArpUnsupported*, drop_reason.h), never a crash.
//
//   Result<ArpPacket> arp = ParseArp(*frame, eth.payload_offset, eth.payload_length);
//   if (arp.ok() && arp->operation == ArpOperation::kRequest && arp->target_ip == my_ip) {
//     auto reply = EBBRT_TRY(BuildArpFrame(ArpReplyTo(*arp, my_mac), arp->sender_mac));
//     // ... send `reply`
//   }
//   auto announce = EBBRT_TRY(BuildArpFrame(GratuitousArp(my_mac, my_ip),
//                                           MacAddress::Broadcast()));
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net::wire {

inline constexpr size_t kArpPacketLength = 28;  // for Ethernet/IPv4

enum class ArpOperation : uint16_t { kRequest = 1, kReply = 2 };

struct ArpPacket {
  ArpOperation operation = ArpOperation::kRequest;
  MacAddress sender_mac;
  Ipv4Address sender_ip;
  MacAddress target_mac;  // zero in a request
  Ipv4Address target_ip;

  // RFC 5227 §3: an announcement of the sender's own address (request or reply whose
  // sender and target IP are the same).
  bool IsGratuitous() const { return sender_ip == target_ip; }

  friend bool operator==(const ArpPacket&, const ArpPacket&) = default;
};

// Parses the ARP packet at `offset` of `chain` (`length` bytes are the Ethernet payload;
// bytes past the 28 of the packet are padding and ignored). Errors: kArpShort,
// kArpUnsupportedHardware, kArpUnsupportedProtocol, kArpBadAddressLengths,
// kArpUnsupportedOperation.
Result<ArpPacket> ParseArp(const IOBuf& chain, size_t offset, size_t length);

// Who has `target_ip`? (RFC 826 "Packet Generation"; target MAC zero).
ArpPacket ArpRequest(MacAddress my_mac, Ipv4Address my_ip, Ipv4Address target_ip);
// The reply to `request` from the owner of its target address (RFC 826 "Packet
// Reception": swap sender and target, fill in our hardware address).
ArpPacket ArpReplyTo(const ArpPacket& request, MacAddress my_mac);
// RFC 5227 §2.3 announcement: a request with sender and target IP both `my_ip`.
ArpPacket GratuitousArp(MacAddress my_mac, Ipv4Address my_ip);

// Writes the 28-byte packet into the headroom of `head`. kFailedPrecondition if the
// headroom is too small.
Status PrependArp(IOBuf& head, const ArpPacket& packet);
// A whole frame (Ethernet header from packet.sender_mac to `eth_dst`, then the packet),
// in one new buffer with kMaxHeaderRoom of headroom left for nothing else. Frames shorter
// than 60 bytes are not padded: the NIC (or virtio-net's backend) pads on the wire.
Result<std::unique_ptr<IOBuf>> BuildArpFrame(const ArpPacket& packet, MacAddress eth_dst);

}  // namespace ebbrt::net::wire
