// SPDX-License-Identifier: Apache-2.0
// The IPv4 header (RFC 791 §3.1): parsing with every length and the checksum checked,
// and building with the checksum. Addresses and prefixes are in ipv4_address.h.
//
// Parsing takes the Ethernet payload and finds the datagram in it: options are skipped
// (their length is checked against the data), trailing Ethernet padding beyond the total
// length is left out of the payload, and fragments are only identified (IsFragment():
// the caller drops or reassembles them).
//
//   Result<Ipv4Packet> ip = ParseIpv4(*frame, eth.payload_offset, eth.payload_length);
//   if (!ip.ok()) return Count(DropReasonOf(ip.status()));
//   if (ip->header.IsFragment()) return Count(kFragment);
//   if (ip->header.protocol == kIpProtocolUdp) {
//     ParseUdp(*frame, ip->payload_offset, ip->payload_length, ip->header.src, ip->header.dst);
//   }
//   // Sending: prepend into the headroom of the transport segment's chain.
//   EBBRT_TRY(PrependIpv4(*packet, {.protocol = kIpProtocolUdp, .src = me, .dst = peer}));
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net::wire {

// IANA protocol numbers (RFC 790 and successors).
inline constexpr uint8_t kIpProtocolIcmp = 1;
inline constexpr uint8_t kIpProtocolTcp = 6;
inline constexpr uint8_t kIpProtocolUdp = 17;

inline constexpr size_t kIpv4MinHeaderLength = 20;
inline constexpr size_t kIpv4MaxHeaderLength = 60;
inline constexpr uint8_t kIpv4DefaultTtl = 64;  // RFC 1700's recommended default

struct Ipv4Header {
  // Set by the parser; the builder always writes 20 (no options).
  uint8_t header_length = kIpv4MinHeaderLength;  // bytes: IHL * 4
  uint8_t tos = 0;                   // DSCP and ECN (RFC 2474, RFC 3168)
  // Set by the parser; the builder computes it from the chain.
  uint16_t total_length = 0;
  uint16_t id = 0;
  bool dont_fragment = false;
  bool more_fragments = false;
  uint16_t fragment_offset = 0;  // in bytes (the field counts 8-byte units)
  uint8_t ttl = kIpv4DefaultTtl;
  uint8_t protocol = 0;
  // Set by the parser (as received); the builder computes it.
  uint16_t checksum = 0;
  Ipv4Address src;
  Ipv4Address dst;

  // RFC 791 §3.2 (fragmentation): a fragment has MF set or a non-zero offset.
  bool IsFragment() const { return more_fragments || fragment_offset != 0; }

  friend bool operator==(const Ipv4Header&, const Ipv4Header&) = default;
};

struct Ipv4Packet {
  Ipv4Header header;
  size_t payload_offset = 0;  // from the start of the chain, past the options
  size_t payload_length = 0;  // total_length - header_length
  size_t padding = 0;         // bytes after the datagram (Ethernet padding), ignored
};

// Parses the datagram at `offset` of `chain`, of which `length` bytes were received
// (offset + length within the chain). Errors (drop_reason.h), in the order checked:
// kIpv4Short, kIpv4BadVersion, kIpv4BadHeaderLength, kIpv4OptionsTruncated,
// kIpv4TotalLengthTooSmall, kIpv4TotalLengthBeyondData, kIpv4BadChecksum.
Result<Ipv4Packet> ParseIpv4(const IOBuf& chain, size_t offset, size_t length);

// The fields of the 20 fixed header bytes at `bytes`, with no check at all (ParseIpv4
// checks; ICMP errors quote headers whose lengths describe another datagram).
Ipv4Header DecodeIpv4Fields(const uint8_t* bytes);

// Writes a 20-byte header (no options) in front of `head`'s chain, whose bytes are the
// payload: total length from the chain, checksum computed; header_length, total_length
// and checksum in `header` are ignored. Errors: kFailedPrecondition (headroom),
// kInvalidArgument (payload over 65515 bytes, fragment offset not a multiple of 8 or
// over 65528).
Status PrependIpv4(IOBuf& head, const Ipv4Header& header);

}  // namespace ebbrt::net::wire
