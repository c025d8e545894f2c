// SPDX-License-Identifier: Apache-2.0
// The UDP header (RFC 768): lengths checked against the IP payload, the checksum with
// the IPv4 pseudo-header verified when present (0 means none, RFC 768 "Fields") and
// computed when sending (a computed 0 is sent as 0xffff).
//
//   Result<UdpDatagram> udp = ParseUdp(*frame, ip.payload_offset, ip.payload_length,
//                                      ip.header.src, ip.header.dst);
//   if (udp.ok()) {
//     Deliver(udp->header.dst_port,
//             TakeRange(std::move(frame), udp->payload_offset, udp->payload_length));
//   }
//   // Sending: the payload chain's head has kMaxHeaderRoom of headroom.
//   EBBRT_TRY(PrependUdp(*payload, {.src_port = 68, .dst_port = 67}, me, peer));
//   EBBRT_TRY(PrependIpv4(*payload, {.protocol = kIpProtocolUdp, .src = me, .dst = peer}));
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net::wire {

inline constexpr size_t kUdpHeaderLength = 8;

struct UdpHeader {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  // Set by the parser; the builder computes both.
  uint16_t length = 0;    // header and data
  uint16_t checksum = 0;  // as received: 0 means the sender computed none

  friend bool operator==(const UdpHeader&, const UdpHeader&) = default;
};

struct UdpDatagram {
  UdpHeader header;
  size_t payload_offset = 0;  // from the start of the chain
  size_t payload_length = 0;  // header.length - 8 (IP payload bytes past it are ignored)
};

// Whether ParseUdp sums the datagram. kTrusted is for a device that has verified it
// already (virtio 1.1 §5.1.6.4: VIRTIO_NET_HDR_F_DATA_VALID).
enum class UdpChecksumCheck : uint8_t { kVerify, kTrusted };

// Parses the datagram at `offset` (the IPv4 payload, `length` bytes) sent from `src` to
// `dst`. Errors: kUdpShort, kUdpLengthTooSmall, kUdpLengthBeyondData, kUdpBadChecksum.
Result<UdpDatagram> ParseUdp(const IOBuf& chain, size_t offset, size_t length,
                             Ipv4Address src, Ipv4Address dst,
                             UdpChecksumCheck check = UdpChecksumCheck::kVerify);

// How PrependUdp fills in the checksum: computed over the pseudo-header and the whole
// chain; only the pseudo-header sum, for a device to finish (virtio 1.1 §5.1.6.2,
// VIRTIO_NET_HDR_F_NEEDS_CSUM with csum_start at the UDP header, csum_offset 6); or none
// (0, allowed on IPv4).
enum class UdpChecksumMode : uint8_t { kCompute, kOffload, kNone };

// Writes the 8-byte header in front of `head`'s chain (the payload), with the length and
// checksum computed; `header.length` and `header.checksum` are ignored. Errors:
// kFailedPrecondition (headroom), kInvalidArgument (payload over 65527 bytes).
Status PrependUdp(IOBuf& head, const UdpHeader& header, Ipv4Address src, Ipv4Address dst,
                  UdpChecksumMode mode = UdpChecksumMode::kCompute);

}  // namespace ebbrt::net::wire
