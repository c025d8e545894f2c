// SPDX-License-Identifier: Apache-2.0
// ICMP for IPv4 (RFC 792): any message parsed with its checksum verified over the whole
// message; echo request/reply and destination unreachable built.
//
//   Result<IcmpMessage> icmp = ParseIcmp(*frame, ip.payload_offset, ip.payload_length);
//   if (icmp.ok() && icmp->type == kIcmpEchoRequest) {
//     // The reply shares the request's payload buffers: `frame` is consumed, not copied.
//     auto reply = EBBRT_TRY(BuildEchoReply(std::move(frame), *icmp));
//     EBBRT_TRY(PrependIpv4(*reply, {.protocol = kIpProtocolIcmp, .src = me,
//                                    .dst = ip.header.src}));
//   }
//   // A UDP datagram for a closed port (RFC 1122 §3.2.2: never in answer to an ICMP
//   // error, a broadcast or multicast, or a fragment other than the first; the stack's
//   // rule to apply):
//   auto error = EBBRT_TRY(BuildPortUnreachable(*frame, ip));
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ipv4.h"

namespace ebbrt::net::wire {

// RFC 792 message types and the destination unreachable codes.
inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpDestinationUnreachable = 3;
inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr uint8_t kIcmpTimeExceeded = 11;
inline constexpr uint8_t kIcmpParameterProblem = 12;
inline constexpr uint8_t kIcmpCodeNetUnreachable = 0;
inline constexpr uint8_t kIcmpCodeHostUnreachable = 1;
inline constexpr uint8_t kIcmpCodeProtocolUnreachable = 2;
inline constexpr uint8_t kIcmpCodePortUnreachable = 3;
inline constexpr uint8_t kIcmpCodeFragmentationNeeded = 4;

inline constexpr size_t kIcmpHeaderLength = 8;
// RFC 792: an error carries the offending datagram's IP header and its first 64 bits.
inline constexpr size_t kIcmpQuotedDataLength = 8;

struct IcmpMessage {
  uint8_t type = 0;
  uint8_t code = 0;
  uint16_t checksum = 0;  // as received
  uint32_t rest = 0;      // bytes 4..7: identifier and sequence for echo, unused for errors
  size_t payload_offset = 0;  // bytes after the 8-byte header, from the start of the chain
  size_t payload_length = 0;

  uint16_t echo_id() const { return static_cast<uint16_t>(rest >> 16); }
  uint16_t echo_sequence() const { return static_cast<uint16_t>(rest); }
};

// Parses the message at `offset` (the IPv4 payload, `length` bytes) and verifies its
// checksum over all `length` bytes. Errors: kIcmpShort, kIcmpBadChecksum.
Result<IcmpMessage> ParseIcmp(const IOBuf& chain, size_t offset, size_t length);

// What an error message (destination unreachable, time exceeded, parameter problem)
// says about the datagram that caused it.
struct IcmpQuotedDatagram {
  Ipv4Header header;                          // its header (checksum not verified)
  uint8_t data[kIcmpQuotedDataLength] = {};   // its first 8 payload bytes
  // For a quoted UDP or TCP datagram: the ports in the first 4 bytes.
  uint16_t src_port() const { return static_cast<uint16_t>(data[0] << 8 | data[1]); }
  uint16_t dst_port() const { return static_cast<uint16_t>(data[2] << 8 | data[3]); }
};
// Parses the quoted datagram of an error message. Errors: kIcmpQuotedHeaderShort (fewer
// than its header plus 8 bytes), kIpv4BadVersion, kIpv4BadHeaderLength.
Result<IcmpQuotedDatagram> ParseIcmpQuotedDatagram(const IOBuf& chain,
                                                   const IcmpMessage& message);

// Writes an 8-byte header in front of `head`'s chain (the message body) with the
// checksum over header and body. kFailedPrecondition when the headroom is too small.
Status PrependIcmp(IOBuf& head, uint8_t type, uint8_t code, uint32_t rest);

// An echo request: a new header buffer (kMaxHeaderRoom of headroom for IPv4 and
// Ethernet) followed by `payload` (may be null), which is chained, not copied.
Result<std::unique_ptr<IOBuf>> BuildEchoRequest(uint16_t id, uint16_t sequence,
                                                std::unique_ptr<IOBuf> payload);
// The reply to `request`, parsed from `packet`: a new 8-byte header buffer (with
// kMaxHeaderRoom of headroom) followed by the request's own payload bytes, taken from
// `packet` without a copy (TakeRange). The checksum is updated from the request's
// (RFC 1624), not summed again. kInvalidArgument if `request` is not an echo request.
Result<std::unique_ptr<IOBuf>> BuildEchoReply(std::unique_ptr<IOBuf> packet,
                                              const IcmpMessage& request);
// A destination unreachable message about the datagram `ip` parsed from `offending`:
// its IP header and first 8 payload bytes are copied (the offending chain stays the
// caller's). `rest` is the header's second word (next-hop MTU for code 4, RFC 1191).
Result<std::unique_ptr<IOBuf>> BuildDestinationUnreachable(uint8_t code, const IOBuf& offending,
                                                           const Ipv4Packet& ip,
                                                           uint32_t rest = 0);
inline Result<std::unique_ptr<IOBuf>> BuildPortUnreachable(const IOBuf& offending,
                                                           const Ipv4Packet& ip) {
  return BuildDestinationUnreachable(kIcmpCodePortUnreachable, offending, ip);
}

}  // namespace ebbrt::net::wire
