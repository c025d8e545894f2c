// SPDX-License-Identifier: Apache-2.0
// Ethernet II framing (IEEE 802.3 §3.1.1 with an EtherType, as IPv4 uses it: RFC 894)
// and one 802.1Q VLAN tag (IEEE 802.1Q §9.3), over IOBuf chains.
//
// Frames here carry no preamble and no FCS (the NIC strips and adds them). A frame with
// one 802.1Q tag is parsed (the tag is reported in `vlan`, the EtherType is the inner
// one); the stack decides whether it handles VLANs. Stacked tags (0x88a8, or 0x8100
// twice) are refused as unsupported.
//
//   Result<EthernetFrame> eth = ParseEthernet(*frame);
//   if (eth.ok() && eth->header.ethertype == kEtherTypeArp) {
//     ParseArp(*frame, eth->payload_offset, eth->payload_length);
//   }
//   // Sending: the payload chain's head has headroom (kMaxHeaderRoom).
//   EBBRT_TRY(PrependEthernet(*packet, {.dst = gateway_mac, .src = my_mac,
//                                       .ethertype = kEtherTypeIpv4}));
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <array>
#include <optional>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/iobuf/iobuf.h"

namespace ebbrt::net::wire {

struct MacAddress {
  std::array<uint8_t, 6> bytes{};

  static constexpr MacAddress Broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  static constexpr MacAddress Zero() { return {}; }
  // "52:54:00:12:34:56" (hex digits of either case, ':' between); kInvalidArgument
  // otherwise.
  static Result<MacAddress> Parse(const char* text);

  constexpr bool IsBroadcast() const { return *this == Broadcast(); }
  // IEEE 802-2014 §8.2: the I/G bit, the least significant bit of the first octet
  // (broadcast is a multicast address too).
  constexpr bool IsMulticast() const { return (bytes[0] & 1) != 0; }
  constexpr bool IsZero() const { return *this == Zero(); }

  friend constexpr bool operator==(const MacAddress& a, const MacAddress& b) {
    return a.bytes == b.bytes;
  }
};

// "52:54:00:12:34:56" (lower case) in an inline buffer.
class MacAddressText {
 public:
  explicit MacAddressText(const MacAddress& mac);
  const char* c_str() const { return text_; }

 private:
  char text_[18];
};

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeVlan = 0x8100;    // IEEE 802.1Q C-tag
inline constexpr uint16_t kEtherTypeQinQ = 0x88a8;    // IEEE 802.1ad S-tag
inline constexpr uint16_t kEtherTypeIpv6 = 0x86dd;

inline constexpr size_t kEthernetHeaderLength = 14;
inline constexpr size_t kVlanTagLength = 4;
// The smallest frame on the wire without its FCS (IEEE 802.3 §4.4.2: 64 with it).
inline constexpr size_t kMinFrameLength = 60;

// An 802.1Q tag's control information (IEEE 802.1Q §9.6).
struct VlanTag {
  uint16_t tci = 0;
  constexpr uint8_t priority() const { return static_cast<uint8_t>(tci >> 13); }
  constexpr bool drop_eligible() const { return (tci & 0x1000) != 0; }
  constexpr uint16_t id() const { return tci & 0x0fff; }
  friend constexpr bool operator==(VlanTag a, VlanTag b) { return a.tci == b.tci; }
};

struct EthernetHeader {
  MacAddress dst;
  MacAddress src;
  uint16_t ethertype = 0;        // of the payload (inside the tag, if there is one)
  std::optional<VlanTag> vlan;   // one 802.1Q tag, if the frame had one

  friend bool operator==(const EthernetHeader&, const EthernetHeader&) = default;
};

struct EthernetFrame {
  EthernetHeader header;
  size_t payload_offset = 0;  // from the start of the chain: 14, or 18 with a tag
  size_t payload_length = 0;  // the rest of the chain (padding included: IPv4 trims it)
};

// Parses the header at the start of `frame`. Errors (drop_reason.h): kEthernetShort,
// kEthernetVlanShort, kEthernetStackedVlan.
Result<EthernetFrame> ParseEthernet(const IOBuf& frame);

// The header's length on the wire: 14, or 18 with a VLAN tag.
constexpr size_t EthernetHeaderLength(const EthernetHeader& header) {
  return kEthernetHeaderLength + (header.vlan ? kVlanTagLength : 0);
}

// Writes `header` into the headroom of `head` (the chain's first link) in front of its
// data. kFailedPrecondition if the headroom is too small (nothing is written).
Status PrependEthernet(IOBuf& head, const EthernetHeader& header);

}  // namespace ebbrt::net::wire
