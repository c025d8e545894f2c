// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/drop_reason.h"

namespace ebbrt::net::wire {
namespace {

struct Entry {
  WireError error;
  DropReason reason;
  StatusCode code;
  const char* name;
  const char* message;
};

// One row per WireError, in enum order (checked below). Truncation and shortness are
// kOutOfRange (bytes missing), unsupported-but-valid input is kUnimplemented, the rest
// is kInvalidArgument. The messages are the Status messages people see.
constexpr Entry kEntries[] = {
    {WireError::kNone, DropReason::kNone, StatusCode::kOk, "none", ""},
    {WireError::kEthernetShort, DropReason::kShort, StatusCode::kOutOfRange, "ethernet_short",
     "Ethernet: frame shorter than its 14-byte header"},
    {WireError::kEthernetVlanShort, DropReason::kShort, StatusCode::kOutOfRange,
     "ethernet_vlan_short", "Ethernet: 802.1Q frame shorter than its 18-byte header"},
    {WireError::kEthernetStackedVlan, DropReason::kUnsupported, StatusCode::kUnimplemented,
     "ethernet_stacked_vlan", "Ethernet: stacked VLAN tags (802.1ad/QinQ) are not supported"},
    {WireError::kArpShort, DropReason::kShort, StatusCode::kOutOfRange, "arp_short",
     "ARP: packet shorter than 28 bytes"},
    {WireError::kArpUnsupportedHardware, DropReason::kUnsupported, StatusCode::kUnimplemented,
     "arp_unsupported_hardware", "ARP: hardware type is not Ethernet (1)"},
    {WireError::kArpUnsupportedProtocol, DropReason::kUnsupported, StatusCode::kUnimplemented,
     "arp_unsupported_protocol", "ARP: protocol type is not IPv4 (0x0800)"},
    {WireError::kArpBadAddressLengths, DropReason::kUnsupported, StatusCode::kUnimplemented,
     "arp_bad_address_lengths", "ARP: address lengths are not 6 and 4"},
    {WireError::kArpUnsupportedOperation, DropReason::kUnsupported, StatusCode::kUnimplemented,
     "arp_unsupported_operation", "ARP: operation is neither request (1) nor reply (2)"},
    {WireError::kIpv4Short, DropReason::kShort, StatusCode::kOutOfRange, "ipv4_short",
     "IPv4: packet shorter than the 20-byte header"},
    {WireError::kIpv4BadVersion, DropReason::kBadVersion, StatusCode::kInvalidArgument,
     "ipv4_bad_version", "IPv4: version is not 4"},
    {WireError::kIpv4BadHeaderLength, DropReason::kBadLength, StatusCode::kInvalidArgument,
     "ipv4_bad_header_length", "IPv4: header length (IHL) below 5 words"},
    {WireError::kIpv4OptionsTruncated, DropReason::kTruncated, StatusCode::kOutOfRange,
     "ipv4_options_truncated", "IPv4: header length (IHL) runs past the data"},
    {WireError::kIpv4TotalLengthTooSmall, DropReason::kBadLength, StatusCode::kInvalidArgument,
     "ipv4_total_length_too_small", "IPv4: total length smaller than the header"},
    {WireError::kIpv4TotalLengthBeyondData, DropReason::kTruncated, StatusCode::kOutOfRange,
     "ipv4_total_length_beyond_data", "IPv4: total length beyond the data received"},
    {WireError::kIpv4BadChecksum, DropReason::kBadChecksum, StatusCode::kInvalidArgument,
     "ipv4_bad_checksum", "IPv4: header checksum does not verify"},
    {WireError::kIcmpShort, DropReason::kShort, StatusCode::kOutOfRange, "icmp_short",
     "ICMP: message shorter than its 8-byte header"},
    {WireError::kIcmpBadChecksum, DropReason::kBadChecksum, StatusCode::kInvalidArgument,
     "icmp_bad_checksum", "ICMP: checksum does not verify"},
    {WireError::kIcmpQuotedHeaderShort, DropReason::kTruncated, StatusCode::kOutOfRange,
     "icmp_quoted_header_short",
     "ICMP: error message does not carry a whole IPv4 header and 8 bytes"},
    {WireError::kUdpShort, DropReason::kShort, StatusCode::kOutOfRange, "udp_short",
     "UDP: datagram shorter than its 8-byte header"},
    {WireError::kUdpLengthTooSmall, DropReason::kBadLength, StatusCode::kInvalidArgument,
     "udp_length_too_small", "UDP: length field below 8"},
    {WireError::kUdpLengthBeyondData, DropReason::kTruncated, StatusCode::kOutOfRange,
     "udp_length_beyond_data", "UDP: length field beyond the IP payload"},
    {WireError::kUdpBadChecksum, DropReason::kBadChecksum, StatusCode::kInvalidArgument,
     "udp_bad_checksum", "UDP: checksum does not verify"},
    {WireError::kDhcpShort, DropReason::kShort, StatusCode::kOutOfRange, "dhcp_short",
     "DHCP: message shorter than 240 bytes (fixed fields and magic cookie)"},
    {WireError::kDhcpUnsupportedOp, DropReason::kUnsupported, StatusCode::kUnimplemented,
     "dhcp_unsupported_op", "DHCP: op is neither BOOTREQUEST (1) nor BOOTREPLY (2)"},
    {WireError::kDhcpUnsupportedHardware, DropReason::kUnsupported, StatusCode::kUnimplemented,
     "dhcp_unsupported_hardware", "DHCP: hardware is not Ethernet (htype 1, hlen 6)"},
    {WireError::kDhcpBadMagicCookie, DropReason::kBadMagicCookie, StatusCode::kInvalidArgument,
     "dhcp_bad_magic_cookie", "DHCP: magic cookie is not 99.130.83.99"},
    {WireError::kDhcpTruncatedOption, DropReason::kTruncatedOption, StatusCode::kOutOfRange,
     "dhcp_truncated_option", "DHCP: option runs past the end of the message"},
    {WireError::kDhcpMissingEnd, DropReason::kTruncatedOption, StatusCode::kOutOfRange,
     "dhcp_missing_end", "DHCP: options end without an End option (255)"},
    {WireError::kDhcpBadOptionLength, DropReason::kBadOption, StatusCode::kInvalidArgument,
     "dhcp_bad_option_length", "DHCP: option length invalid for its type"},
    {WireError::kDhcpBadMessageType, DropReason::kBadOption, StatusCode::kInvalidArgument,
     "dhcp_bad_message_type", "DHCP: message type option outside 1..8"},
    {WireError::kDhcpDuplicateOption, DropReason::kBadOption, StatusCode::kInvalidArgument,
     "dhcp_duplicate_option", "DHCP: single-valued option given more than once"},
    {WireError::kDhcpBadOverload, DropReason::kBadOption, StatusCode::kInvalidArgument,
     "dhcp_bad_overload", "DHCP: option overload value outside 1..3"},
    {WireError::kNotWire, DropReason::kOther, StatusCode::kInternal, "not_wire",
     "not a wire parser error"},
};

constexpr size_t kEntryCount = sizeof(kEntries) / sizeof(kEntries[0]);
static_assert(kEntryCount == static_cast<size_t>(WireError::kCount),
              "one table row per WireError");

constexpr bool InEnumOrder() {
  for (size_t i = 0; i < kEntryCount; ++i) {
    if (static_cast<size_t>(kEntries[i].error) != i) return false;
  }
  return true;
}
static_assert(InEnumOrder(), "table rows in WireError order");

constexpr const char* kReasonNames[] = {
    "none",       "short",     "truncated",        "bad_length",
    "bad_checksum", "bad_version", "unsupported",    "bad_magic_cookie",
    "truncated_option", "bad_option", "other",
};
static_assert(sizeof(kReasonNames) / sizeof(kReasonNames[0]) ==
                  static_cast<size_t>(DropReason::kCount),
              "one name per DropReason");

const Entry& EntryOf(WireError error) {
  size_t i = static_cast<size_t>(error);
  return kEntries[i < kEntryCount ? i : static_cast<size_t>(WireError::kNotWire)];
}

}  // namespace

Status WireStatus(WireError error) {
  const Entry& entry = EntryOf(error);
  if (entry.code == StatusCode::kOk) return Status::Ok();
  return Status(entry.code, entry.message);
}

DropReason ReasonOf(WireError error) { return EntryOf(error).reason; }

WireError WireErrorOf(const Status& status) {
  if (status.ok()) return WireError::kNone;
  // The messages are this table's own literals, so their addresses identify the row.
  for (const Entry& entry : kEntries) {
    if (entry.message == status.message() && entry.code == status.code()) return entry.error;
  }
  return WireError::kNotWire;
}

const char* DropReasonName(DropReason reason) {
  size_t i = static_cast<size_t>(reason);
  return i < static_cast<size_t>(DropReason::kCount) ? kReasonNames[i] : "invalid";
}

const char* WireErrorName(WireError error) {
  size_t i = static_cast<size_t>(error);
  return i < kEntryCount ? kEntries[i].name : "invalid";
}

}  // namespace ebbrt::net::wire
