// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/dhcp.h"

#include <string.h>

#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/drop_reason.h"

namespace ebbrt::net::wire {
namespace {

// RFC 2131 §2, Figure 1: offsets of the fixed fields.
constexpr size_t kOp = 0, kHtype = 1, kHlen = 2, kHops = 3, kXid = 4, kSecs = 8, kFlags = 10,
                 kCiaddr = 12, kYiaddr = 16, kSiaddr = 20, kGiaddr = 24, kChaddr = 28,
                 kSname = 44, kFile = 108, kCookie = 236;
constexpr size_t kSnameLength = 64;
constexpr size_t kFileLength = 128;
constexpr uint8_t kHardwareEthernet = 1;
constexpr uint8_t kEthernetAddressLength = 6;
// RFC 2132 §9.3: which fields the overload option says carry options.
constexpr uint8_t kOverloadFile = 1;
constexpr uint8_t kOverloadSname = 2;

// Option bytes from a range of a chain.
class ChainBytes {
 public:
  ChainBytes(const IOBuf& chain, size_t offset, size_t length)
      : cursor_(CursorAt(chain, offset)), left_(length) {}
  size_t left() const { return left_; }
  bool Read(void* out, size_t n) {
    if (n > left_ || !cursor_.CopyOut(out, n).ok()) return false;
    left_ -= n;
    return true;
  }

 private:
  DataPointer cursor_;
  size_t left_;
};

// Option bytes from the copied sname or file field.
class FlatBytes {
 public:
  FlatBytes(const uint8_t* data, size_t length) : data_(data), left_(length) {}
  size_t left() const { return left_; }
  bool Read(void* out, size_t n) {
    if (n > left_) return false;
    memcpy(out, data_, n);
    data_ += n;
    left_ -= n;
    return true;
  }

 private:
  const uint8_t* data_;
  size_t left_;
};

template <typename T>
Status SetOnce(std::optional<T>& field, T value) {
  if (field.has_value()) return WireStatus(WireError::kDhcpDuplicateOption);
  field = value;
  return Status::Ok();
}

// One option's value (RFC 2132 §3-§9 give each one's length).
Status ApplyOption(uint8_t code, const uint8_t* v, size_t len, DhcpMessage& m,
                   std::optional<uint8_t>& overload) {
  auto bad_length = [] { return WireStatus(WireError::kDhcpBadOptionLength); };
  switch (code) {
    case dhcp_option::kSubnetMask:
    case dhcp_option::kServerId:
    case dhcp_option::kRequestedIp: {
      if (len != 4) return bad_length();
      auto& field = code == dhcp_option::kSubnetMask ? m.subnet_mask
                    : code == dhcp_option::kServerId ? m.server_id
                                                     : m.requested_ip;
      return SetOnce(field, Ipv4Address{LoadBe32(v)});
    }
    case dhcp_option::kLeaseTime:
    case dhcp_option::kRenewalTime:
    case dhcp_option::kRebindingTime: {
      if (len != 4) return bad_length();
      auto& field = code == dhcp_option::kLeaseTime     ? m.lease_time
                    : code == dhcp_option::kRenewalTime ? m.renewal_time
                                                        : m.rebinding_time;
      return SetOnce(field, LoadBe32(v));
    }
    case dhcp_option::kMessageType:
      if (len != 1) return bad_length();
      if (v[0] < 1 || v[0] > 8) return WireStatus(WireError::kDhcpBadMessageType);
      return SetOnce(m.message_type, static_cast<DhcpMessageType>(v[0]));
    case dhcp_option::kRouter:
    case dhcp_option::kDnsServer: {
      // RFC 2132 §3.5, §3.8: one or more addresses.
      if (len < 4 || len % 4 != 0) return bad_length();
      auto& list = code == dhcp_option::kRouter ? m.routers : m.dns_servers;
      for (size_t i = 0; i < len; i += 4) list.Push(Ipv4Address{LoadBe32(v + i)});
      return Status::Ok();
    }
    case dhcp_option::kParameterRequestList:
      if (len < 1) return bad_length();  // RFC 2132 §9.8: minimum length 1
      for (size_t i = 0; i < len; ++i) m.parameter_requests.Push(v[i]);
      return Status::Ok();
    case dhcp_option::kOverload:
      if (len != 1) return bad_length();
      if (v[0] < 1 || v[0] > 3) return WireStatus(WireError::kDhcpBadOverload);
      return SetOnce(overload, v[0]);
    default:
      return Status::Ok();  // not one we use: skipped
  }
}

// RFC 2132 §2: code, length, value; pad (0) and end (255) are one byte. The field must
// end with End.
template <typename Bytes>
Status ParseOptions(Bytes& in, DhcpMessage& m, std::optional<uint8_t>& overload) {
  uint8_t value[255];
  while (in.left() > 0) {
    uint8_t code;
    // Fails only where the caller's length runs past the chain.
    if (!in.Read(&code, 1)) return WireStatus(WireError::kDhcpTruncatedOption);
    if (code == dhcp_option::kPad) continue;
    if (code == dhcp_option::kEnd) return Status::Ok();
    uint8_t len;
    if (!in.Read(&len, 1) || !in.Read(value, len)) {
      return WireStatus(WireError::kDhcpTruncatedOption);
    }
    EBBRT_TRY(ApplyOption(code, value, len, m, overload));
  }
  return WireStatus(WireError::kDhcpMissingEnd);
}

// The encoded length of `m`'s options, End included.
size_t OptionsLength(const DhcpMessage& m) {
  EBBRT_CHECK_MSG(m.routers.count <= kDhcpMaxAddresses &&
                      m.dns_servers.count <= kDhcpMaxAddresses &&
                      m.parameter_requests.count <= kDhcpMaxParameterRequests,
                  "BuildDhcp: a DhcpList count beyond its capacity");
  size_t n = 1;  // End
  if (m.message_type) n += 3;
  for (bool present : {m.subnet_mask.has_value(), m.server_id.has_value(),
                       m.requested_ip.has_value(), m.lease_time.has_value(),
                       m.renewal_time.has_value(), m.rebinding_time.has_value()}) {
    if (present) n += 6;
  }
  if (m.routers.count > 0) n += 2 + 4 * size_t{m.routers.count};
  if (m.dns_servers.count > 0) n += 2 + 4 * size_t{m.dns_servers.count};
  if (m.parameter_requests.count > 0) n += 2 + size_t{m.parameter_requests.count};
  return n;
}

uint8_t* PutU32Option(uint8_t* p, uint8_t code, uint32_t value) {
  p[0] = code;
  p[1] = 4;
  StoreBe32(p + 2, value);
  return p + 6;
}

uint8_t* PutAddresses(uint8_t* p, uint8_t code,
                      const DhcpList<Ipv4Address, kDhcpMaxAddresses>& list) {
  if (list.count == 0) return p;
  *p++ = code;
  *p++ = static_cast<uint8_t>(4 * list.count);
  for (size_t i = 0; i < list.count; ++i, p += 4) StoreBe32(p, list.items[i].value);
  return p;
}

// What every client message has. `unconfigured`: sent before the client has an address
// (broadcast flag, and the parameters asked for).
DhcpMessage ClientMessage(DhcpMessageType type, MacAddress mac, uint32_t xid, bool unconfigured,
                          bool ask_parameters) {
  DhcpMessage m;
  m.op = DhcpOp::kBootRequest;
  m.xid = xid;
  m.chaddr = mac;
  m.message_type = type;
  if (unconfigured) m.flags = kDhcpFlagBroadcast;
  if (ask_parameters) {
    for (uint8_t code : kDhcpDefaultParameters) m.parameter_requests.Push(code);
  }
  return m;
}

}  // namespace

Result<DhcpMessage> ParseDhcp(const IOBuf& chain, size_t offset, size_t length) {
  uint8_t h[kDhcpMinLength];
  if (length < sizeof(h) || !CopyFromChain(chain, offset, h, sizeof(h))) {
    return WireStatus(WireError::kDhcpShort);
  }
  if (h[kOp] != static_cast<uint8_t>(DhcpOp::kBootRequest) &&
      h[kOp] != static_cast<uint8_t>(DhcpOp::kBootReply)) {
    return WireStatus(WireError::kDhcpUnsupportedOp);
  }
  if (h[kHtype] != kHardwareEthernet || h[kHlen] != kEthernetAddressLength) {
    return WireStatus(WireError::kDhcpUnsupportedHardware);
  }
  if (LoadBe32(h + kCookie) != kDhcpMagicCookie) {
    return WireStatus(WireError::kDhcpBadMagicCookie);
  }
  DhcpMessage m;
  m.op = static_cast<DhcpOp>(h[kOp]);
  m.hops = h[kHops];
  m.xid = LoadBe32(h + kXid);
  m.secs = LoadBe16(h + kSecs);
  m.flags = LoadBe16(h + kFlags);
  m.ciaddr = Ipv4Address{LoadBe32(h + kCiaddr)};
  m.yiaddr = Ipv4Address{LoadBe32(h + kYiaddr)};
  m.siaddr = Ipv4Address{LoadBe32(h + kSiaddr)};
  m.giaddr = Ipv4Address{LoadBe32(h + kGiaddr)};
  memcpy(m.chaddr.bytes.data(), h + kChaddr, 6);

  std::optional<uint8_t> overload;
  ChainBytes options(chain, offset + kDhcpMinLength, length - kDhcpMinLength);
  EBBRT_TRY(ParseOptions(options, m, overload));
  // RFC 2131 §4.1: the options field first, then file, then sname, as the overload
  // option says.
  if (overload && (*overload & kOverloadFile) != 0) {
    FlatBytes file(h + kFile, kFileLength);
    EBBRT_TRY(ParseOptions(file, m, overload));
  }
  if (overload && (*overload & kOverloadSname) != 0) {
    FlatBytes sname(h + kSname, kSnameLength);
    EBBRT_TRY(ParseOptions(sname, m, overload));
  }
  return m;
}

Result<std::unique_ptr<IOBuf>> BuildDhcp(const DhcpMessage& m) {
  if (m.message_type &&
      (static_cast<uint8_t>(*m.message_type) < 1 || static_cast<uint8_t>(*m.message_type) > 8)) {
    return Status(StatusCode::kInvalidArgument, "BuildDhcp: message type outside 1..8");
  }
  size_t used = kDhcpMinLength + OptionsLength(m);
  size_t length = used < kDhcpMinSentLength ? kDhcpMinSentLength : used;
  auto buf = UniqueIOBuf::Create(kMaxHeaderRoom + length, kMaxHeaderRoom);
  buf->Append(length);
  uint8_t* h = buf->MutableData();
  memset(h, 0, length);
  h[kOp] = static_cast<uint8_t>(m.op);
  h[kHtype] = kHardwareEthernet;
  h[kHlen] = kEthernetAddressLength;
  h[kHops] = m.hops;
  StoreBe32(h + kXid, m.xid);
  StoreBe16(h + kSecs, m.secs);
  StoreBe16(h + kFlags, m.flags);
  StoreBe32(h + kCiaddr, m.ciaddr.value);
  StoreBe32(h + kYiaddr, m.yiaddr.value);
  StoreBe32(h + kSiaddr, m.siaddr.value);
  StoreBe32(h + kGiaddr, m.giaddr.value);
  memcpy(h + kChaddr, m.chaddr.bytes.data(), 6);
  StoreBe32(h + kCookie, kDhcpMagicCookie);
  uint8_t* p = h + kDhcpMinLength;
  if (m.message_type) {
    p[0] = dhcp_option::kMessageType;
    p[1] = 1;
    p[2] = static_cast<uint8_t>(*m.message_type);
    p += 3;
  }
  if (m.subnet_mask) p = PutU32Option(p, dhcp_option::kSubnetMask, m.subnet_mask->value);
  if (m.server_id) p = PutU32Option(p, dhcp_option::kServerId, m.server_id->value);
  if (m.requested_ip) p = PutU32Option(p, dhcp_option::kRequestedIp, m.requested_ip->value);
  if (m.lease_time) p = PutU32Option(p, dhcp_option::kLeaseTime, *m.lease_time);
  if (m.renewal_time) p = PutU32Option(p, dhcp_option::kRenewalTime, *m.renewal_time);
  if (m.rebinding_time) p = PutU32Option(p, dhcp_option::kRebindingTime, *m.rebinding_time);
  p = PutAddresses(p, dhcp_option::kRouter, m.routers);
  p = PutAddresses(p, dhcp_option::kDnsServer, m.dns_servers);
  if (m.parameter_requests.count > 0) {
    *p++ = dhcp_option::kParameterRequestList;
    *p++ = m.parameter_requests.count;
    memcpy(p, m.parameter_requests.items.data(), m.parameter_requests.count);
    p += m.parameter_requests.count;
  }
  *p++ = dhcp_option::kEnd;
  EBBRT_CHECK(static_cast<size_t>(p - h) == used);
  return buf;
}

DhcpMessage DhcpDiscover(MacAddress mac, uint32_t xid, std::optional<Ipv4Address> requested_ip) {
  // RFC 2131 §4.4.1: ciaddr 0; the requested IP option may suggest an address.
  DhcpMessage m = ClientMessage(DhcpMessageType::kDiscover, mac, xid, true, true);
  m.requested_ip = requested_ip;
  return m;
}

DhcpMessage DhcpRequestSelecting(MacAddress mac, uint32_t xid, Ipv4Address server_id,
                                 Ipv4Address offered) {
  // RFC 2131 §4.3.2 "DHCPREQUEST generated during SELECTING state": ciaddr 0, server
  // identifier and requested IP address set.
  DhcpMessage m = ClientMessage(DhcpMessageType::kRequest, mac, xid, true, true);
  m.server_id = server_id;
  m.requested_ip = offered;
  return m;
}

DhcpMessage DhcpRequestInitReboot(MacAddress mac, uint32_t xid, Ipv4Address remembered) {
  // RFC 2131 §4.3.2 "DHCPREQUEST generated during INIT-REBOOT state": no server
  // identifier, requested IP the previous address, ciaddr 0.
  DhcpMessage m = ClientMessage(DhcpMessageType::kRequest, mac, xid, true, true);
  m.requested_ip = remembered;
  return m;
}

DhcpMessage DhcpRequestRenewing(MacAddress mac, uint32_t xid, Ipv4Address leased) {
  // RFC 2131 §4.3.2 "RENEWING"/"REBINDING": no server identifier, no requested IP,
  // ciaddr the client's address.
  DhcpMessage m = ClientMessage(DhcpMessageType::kRequest, mac, xid, false, true);
  m.ciaddr = leased;
  return m;
}

DhcpMessage DhcpRelease(MacAddress mac, uint32_t xid, Ipv4Address leased,
                        Ipv4Address server_id) {
  // RFC 2131 §4.4.6 and Table 5: ciaddr set, server identifier must be present,
  // no requested IP and no parameter request list.
  DhcpMessage m = ClientMessage(DhcpMessageType::kRelease, mac, xid, false, false);
  m.ciaddr = leased;
  m.server_id = server_id;
  return m;
}

}  // namespace ebbrt::net::wire
