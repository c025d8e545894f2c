// SPDX-License-Identifier: Apache-2.0
// The Internet checksum (RFC 1071) over bytes and IOBuf chains, its incremental update
// (RFC 1624) and the IPv4 pseudo-header of TCP and UDP (RFC 768, RFC 9293 §3.1).
//
// InternetSum accumulates the one's-complement sum of 16-bit big-endian words, 8 bytes
// per step, in any number of pieces of any length: a piece that starts at an odd offset
// of the message (an odd-length link before it) is byte-swapped into place (RFC 1071
// §2(B)), so a chain is summed without copying it.
//
//   InternetSum sum;
//   sum.AddIpv4PseudoHeader(src, dst, kIpProtocolUdp, udp_length);
//   if (!sum.AddChain(*datagram, udp_offset, udp_length)) { /* chain too short */ }
//   bool good = sum.Verifies();                 // a received datagram, checksum included
//   uint16_t field = sum.Checksum();           // or: the value to write when sending
//
// Values are host-order numbers of big-endian fields: write them with PutBe16.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net::wire {

class InternetSum {
 public:
  // Adds `size` bytes that follow whatever was added before in the message.
  void Add(const void* data, size_t size);
  // Adds `length` bytes of `chain` starting `offset` bytes into it. Returns false when
  // the chain ends first (the bytes it has are added; the sum is then of no use).
  [[nodiscard]] bool AddChain(const IOBuf& chain, size_t offset, size_t length);
  // Adds a 16- or 32-bit field, as two or four bytes of the message.
  void AddBe16(uint16_t value);
  void AddBe32(uint32_t value);
  // RFC 768 / RFC 9293 §3.1: source, destination, zero, protocol, length (of the TCP or
  // UDP header plus data).
  void AddIpv4PseudoHeader(Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                           uint16_t length);

  // The folded 16-bit one's-complement sum (not complemented): what a device finishing
  // the checksum (virtio 1.1 §5.1.6.2, NEEDS_CSUM) expects in the checksum field.
  uint16_t Folded() const;
  // The checksum field value: the complement of the sum (RFC 1071 §1).
  uint16_t Checksum() const { return static_cast<uint16_t>(~Folded()); }
  // Whether a message summed with its checksum field in it is intact (sum is all ones).
  bool Verifies() const { return Folded() == 0xffff; }

  // Bytes added so far.
  size_t size() const { return size_; }

 private:
  uint64_t sum_ = 0;  // one's-complement sum of native (little-endian) 64-bit loads
  size_t size_ = 0;
};

// The checksum field value for `size` bytes at `data`, or for a range of a chain (which
// must be inside the chain: checked).
uint16_t InternetChecksum(const void* data, size_t size);
uint16_t InternetChecksum(const IOBuf& chain, size_t offset, size_t length);

// RFC 1624 §3 (eqn. 3): the checksum after one 16-bit word of the message changes from
// `old_word` to `new_word`, without summing the message again: HC' = ~(~HC + ~m + m').
// Eqn. 3 yields 0x0000 where a message's other words sum to zero (all-zero data), and
// then only 0xffff verifies; 0xffff also verifies wherever 0x0000 would, so a result of
// 0x0000 is returned as 0xffff.
uint16_t UpdateChecksum16(uint16_t checksum, uint16_t old_word, uint16_t new_word);
// The same for a 32-bit field (e.g. an IPv4 address), as its two 16-bit words.
uint16_t UpdateChecksum32(uint16_t checksum, uint32_t old_value, uint32_t new_value);

// The folded pseudo-header sum on its own (for checksum offload).
uint16_t Ipv4PseudoHeaderSum(Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                             uint16_t length);

}  // namespace ebbrt::net::wire
