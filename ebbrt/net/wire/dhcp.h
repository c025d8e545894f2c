// SPDX-License-Identifier: Apache-2.0
// DHCP messages (RFC 2131 §2) and the options a client needs (RFC 2132), for Ethernet
// hardware addresses: parsing with every option bounds-checked, and the client's
// DISCOVER, REQUEST (selecting, init-reboot, renewing/rebinding) and RELEASE.
//
// Parsed options: pad, end, subnet mask (1), router (3), DNS servers (6), requested IP
// (50), lease time (51), overload (52: the sname/file fields are read for options too,
// RFC 2131 §4.1), message type (53), server identifier (54), parameter request list
// (55), renewal T1 (58) and rebinding T2 (59) times. Others are skipped, bounds-checked.
// A list option given more than once is concatenated (RFC 3396); a single-valued one
// given twice is an error.
//
//   Result<DhcpMessage> m = ParseDhcp(*frame, udp.payload_offset, udp.payload_length);
//   if (m.ok() && m->xid == xid && m->message_type == DhcpMessageType::kOffer) {
//     auto request = EBBRT_TRY(BuildDhcp(
//         DhcpRequestSelecting(my_mac, xid, *m->server_id, m->yiaddr)));
//     // PrependUdp(68 -> 67), PrependIpv4(0.0.0.0 -> 255.255.255.255), PrependEthernet
//   }
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <array>
#include <memory>
#include <optional>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/net/wire/ipv4_address.h"

namespace ebbrt::net::wire {

inline constexpr uint16_t kDhcpServerPort = 67;
inline constexpr uint16_t kDhcpClientPort = 68;
// RFC 2131 §2: op through file (236 bytes), then the magic cookie.
inline constexpr size_t kDhcpFixedLength = 236;
inline constexpr size_t kDhcpMinLength = kDhcpFixedLength + 4;
inline constexpr uint32_t kDhcpMagicCookie = 0x63825363;  // RFC 2131 §3: 99.130.83.99
// RFC 1542 §2.1: relays and servers may drop BOOTP messages shorter than 300 bytes.
inline constexpr size_t kDhcpMinSentLength = 300;
inline constexpr uint16_t kDhcpFlagBroadcast = 0x8000;  // RFC 2131 §2, Figure 2

enum class DhcpOp : uint8_t { kBootRequest = 1, kBootReply = 2 };

// RFC 2132 §9.6.
enum class DhcpMessageType : uint8_t {
  kDiscover = 1,
  kOffer = 2,
  kRequest = 3,
  kDecline = 4,
  kAck = 5,
  kNak = 6,
  kRelease = 7,
  kInform = 8,
};

// RFC 2132 option codes.
namespace dhcp_option {
inline constexpr uint8_t kPad = 0;
inline constexpr uint8_t kSubnetMask = 1;
inline constexpr uint8_t kRouter = 3;
inline constexpr uint8_t kDnsServer = 6;
inline constexpr uint8_t kRequestedIp = 50;
inline constexpr uint8_t kLeaseTime = 51;
inline constexpr uint8_t kOverload = 52;
inline constexpr uint8_t kMessageType = 53;
inline constexpr uint8_t kServerId = 54;
inline constexpr uint8_t kParameterRequestList = 55;
inline constexpr uint8_t kRenewalTime = 58;
inline constexpr uint8_t kRebindingTime = 59;
inline constexpr uint8_t kEnd = 255;
}  // namespace dhcp_option

// At most this many routers / DNS servers are kept (later ones are ignored), and this
// many parameter request codes.
inline constexpr size_t kDhcpMaxAddresses = 4;
inline constexpr size_t kDhcpMaxParameterRequests = 32;

template <typename T, size_t N>
struct DhcpList {
  std::array<T, N> items{};
  uint8_t count = 0;
  // Appends, ignoring what does not fit.
  void Push(T item) {
    if (count < N) items[count++] = item;
  }
  friend bool operator==(const DhcpList&, const DhcpList&) = default;
};

struct DhcpMessage {
  DhcpOp op = DhcpOp::kBootRequest;
  uint8_t hops = 0;
  uint32_t xid = 0;
  uint16_t secs = 0;
  uint16_t flags = 0;
  Ipv4Address ciaddr;  // the client's address, when it has one (renewing, releasing)
  Ipv4Address yiaddr;  // "your" address: what the server offers or assigns
  Ipv4Address siaddr;  // next server (bootstrap)
  Ipv4Address giaddr;  // relay agent
  MacAddress chaddr;

  // Options: empty when absent.
  std::optional<DhcpMessageType> message_type;  // absent: a plain BOOTP message
  std::optional<Ipv4Address> subnet_mask;
  std::optional<Ipv4Address> server_id;
  std::optional<Ipv4Address> requested_ip;
  std::optional<uint32_t> lease_time;      // seconds; 0xffffffff is infinite
  std::optional<uint32_t> renewal_time;    // T1, seconds
  std::optional<uint32_t> rebinding_time;  // T2, seconds
  DhcpList<Ipv4Address, kDhcpMaxAddresses> routers;
  DhcpList<Ipv4Address, kDhcpMaxAddresses> dns_servers;
  DhcpList<uint8_t, kDhcpMaxParameterRequests> parameter_requests;

  bool broadcast() const { return (flags & kDhcpFlagBroadcast) != 0; }

  friend bool operator==(const DhcpMessage&, const DhcpMessage&) = default;
};

// Parses the message at `offset` (the UDP payload, `length` bytes). Errors
// (drop_reason.h): kDhcpShort, kDhcpUnsupportedOp, kDhcpUnsupportedHardware,
// kDhcpBadMagicCookie, kDhcpTruncatedOption, kDhcpMissingEnd, kDhcpBadOptionLength,
// kDhcpBadMessageType, kDhcpDuplicateOption, kDhcpBadOverload.
Result<DhcpMessage> ParseDhcp(const IOBuf& chain, size_t offset, size_t length);

// The message in one new buffer with kMaxHeaderRoom of headroom (for UDP, IPv4 and
// Ethernet): fixed fields, then each present option (message type first), End, and
// zero padding up to kDhcpMinSentLength. A message type outside 1..8 is kInvalidArgument.
Result<std::unique_ptr<IOBuf>> BuildDhcp(const DhcpMessage& message);

// The client's messages (RFC 2131 §4.4.1, §4.3.2, §4.4.5, §4.4.6), as BOOTREQUESTs from
// `mac` with transaction id `xid`. The ones sent before the client has an address set
// the broadcast flag (RFC 2131 §4.1: a stack that cannot receive unicast before it is
// configured), and ask for kDhcpDefaultParameters.
inline constexpr uint8_t kDhcpDefaultParameters[] = {
    dhcp_option::kSubnetMask, dhcp_option::kRouter,       dhcp_option::kDnsServer,
    dhcp_option::kLeaseTime,  dhcp_option::kServerId,     dhcp_option::kRenewalTime,
    dhcp_option::kRebindingTime,
};
DhcpMessage DhcpDiscover(MacAddress mac, uint32_t xid,
                         std::optional<Ipv4Address> requested_ip = std::nullopt);
// SELECTING: accepting `server_id`'s offer of `offered` (ciaddr 0; requested IP and
// server identifier options).
DhcpMessage DhcpRequestSelecting(MacAddress mac, uint32_t xid, Ipv4Address server_id,
                                 Ipv4Address offered);
// INIT-REBOOT: asking again for `remembered`, a lease from before a restart (ciaddr 0;
// requested IP, no server identifier).
DhcpMessage DhcpRequestInitReboot(MacAddress mac, uint32_t xid, Ipv4Address remembered);
// RENEWING (unicast to the server) and REBINDING (broadcast): ciaddr is the leased
// address; neither requested IP nor server identifier.
DhcpMessage DhcpRequestRenewing(MacAddress mac, uint32_t xid, Ipv4Address leased);
// Giving `leased` back to `server_id`.
DhcpMessage DhcpRelease(MacAddress mac, uint32_t xid, Ipv4Address leased,
                        Ipv4Address server_id);

}  // namespace ebbrt::net::wire
