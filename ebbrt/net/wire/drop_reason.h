// SPDX-License-Identifier: Apache-2.0
// Why the wire parsers refuse a packet: one fine-grained WireError per failure, each with
// a coarse DropReason for counters, a StatusCode and a fixed message.
//
// Every parser in ebbrt/net/wire returns Result<...>; a failure's Status is made from a
// WireError (WireStatus), so the stack can count it by reason without string compares:
//
//   Result<Ipv4Packet> ip = ParseIpv4(*frame, eth.payload_offset, eth.payload_length);
//   if (!ip.ok()) {
//     drops[static_cast<size_t>(DropReasonOf(ip.status()))]++;   // cold path: a table scan
//     return;
//   }
//
// DropReasonName() and WireErrorName() give stable snake_case names for counter labels.
// A Status that did not come from WireStatus maps to WireError::kNotWire /
// DropReason::kOther, an ok one to kNone.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ebbrt/base/status.h"

namespace ebbrt::net::wire {

// What a drop counter is keyed by. Keep in step with the table in drop_reason.cc.
enum class DropReason : uint8_t {
  kNone = 0,         // not a drop: the Status is ok
  kShort,            // fewer bytes than the fixed header needs
  kTruncated,        // a length field promises more bytes than the packet has
  kBadLength,        // a length field too small for what it must cover
  kBadChecksum,      // a checksum that does not verify
  kBadVersion,       // IPv4 version field is not 4
  kUnsupported,      // well-formed but outside what EbbRT handles (ARP for other networks,
                     // stacked VLAN tags, DHCP for non-Ethernet hardware...)
  kBadMagicCookie,   // DHCP magic cookie missing
  kTruncatedOption,  // an option runs past the end of its field, or DHCP has no End
  kBadOption,        // an option whose length or value is invalid for its type
  kOther,            // a Status not made by WireStatus
  kCount,
};

// Every failure a wire parser reports. Keep in step with the table in drop_reason.cc.
enum class WireError : uint8_t {
  kNone = 0,
  kEthernetShort,
  kEthernetVlanShort,
  kEthernetStackedVlan,
  kArpShort,
  kArpUnsupportedHardware,
  kArpUnsupportedProtocol,
  kArpBadAddressLengths,
  kArpUnsupportedOperation,
  kIpv4Short,
  kIpv4BadVersion,
  kIpv4BadHeaderLength,
  kIpv4OptionsTruncated,
  kIpv4TotalLengthTooSmall,
  kIpv4TotalLengthBeyondData,
  kIpv4BadChecksum,
  kIcmpShort,
  kIcmpBadChecksum,
  kIcmpQuotedHeaderShort,
  kUdpShort,
  kUdpLengthTooSmall,
  kUdpLengthBeyondData,
  kUdpBadChecksum,
  kDhcpShort,
  kDhcpUnsupportedOp,
  kDhcpUnsupportedHardware,
  kDhcpBadMagicCookie,
  kDhcpTruncatedOption,
  kDhcpMissingEnd,
  kDhcpBadOptionLength,
  kDhcpBadMessageType,
  kDhcpDuplicateOption,
  kDhcpBadOverload,
  kNotWire,  // a Status not made by WireStatus
  kCount,
};

// The Status a parser returns for `error` (kNone: Status::Ok()). Never allocates.
Status WireStatus(WireError error);
// The coarse reason of `error`.
DropReason ReasonOf(WireError error);
// Back from a Status: which WireError made it (kNone when ok, kNotWire when none did).
WireError WireErrorOf(const Status& status);
inline DropReason DropReasonOf(const Status& status) { return ReasonOf(WireErrorOf(status)); }

// Stable snake_case names ("bad_checksum", "ipv4_bad_checksum") for counters and logs.
const char* DropReasonName(DropReason reason);
const char* WireErrorName(WireError error);

}  // namespace ebbrt::net::wire
