// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/ethernet.h"

#include <string.h>

#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/drop_reason.h"

namespace ebbrt::net::wire {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<MacAddress> MacAddress::Parse(const char* text) {
  MacAddress mac;
  const char* p = text;
  for (size_t i = 0; text != nullptr && i < 6; ++i) {
    int hi = HexValue(p[0]);
    int lo = hi < 0 ? -1 : HexValue(p[1]);
    if (lo < 0) break;
    mac.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
    p += 2;
    if (i == 5) {
      if (*p == '\0') return mac;
      break;
    }
    if (*p++ != ':') break;
  }
  return Status(StatusCode::kInvalidArgument, "MAC address: expected xx:xx:xx:xx:xx:xx");
}

MacAddressText::MacAddressText(const MacAddress& mac) {
  constexpr char kHex[] = "0123456789abcdef";
  char* out = text_;
  for (size_t i = 0; i < 6; ++i) {
    *out++ = kHex[mac.bytes[i] >> 4];
    *out++ = kHex[mac.bytes[i] & 0xf];
    *out++ = i < 5 ? ':' : '\0';
  }
}

Result<EthernetFrame> ParseEthernet(const IOBuf& frame) {
  // Copy the largest header we accept; a shorter frame still parses untagged.
  uint8_t h[kEthernetHeaderLength + kVlanTagLength + 2];
  EthernetFrame out;
  size_t total = frame.ComputeChainDataLength();
  if (total < kEthernetHeaderLength) return WireStatus(WireError::kEthernetShort);
  size_t have = total < sizeof(h) ? total : sizeof(h);
  // Cannot fail: `have` bytes exist.
  (void)CopyFromChain(frame, 0, h, have);
  memcpy(out.header.dst.bytes.data(), h, 6);
  memcpy(out.header.src.bytes.data(), h + 6, 6);
  uint16_t type = LoadBe16(h + 12);
  size_t header_length = kEthernetHeaderLength;
  if (type == kEtherTypeQinQ) return WireStatus(WireError::kEthernetStackedVlan);
  if (type == kEtherTypeVlan) {
    // IEEE 802.1Q §9.3: TPID 0x8100, TCI, then the payload's EtherType.
    if (total < kEthernetHeaderLength + kVlanTagLength) {
      return WireStatus(WireError::kEthernetVlanShort);
    }
    out.header.vlan = VlanTag{LoadBe16(h + 14)};
    type = LoadBe16(h + 16);
    if (type == kEtherTypeVlan || type == kEtherTypeQinQ) {
      return WireStatus(WireError::kEthernetStackedVlan);
    }
    header_length += kVlanTagLength;
  }
  out.header.ethertype = type;
  out.payload_offset = header_length;
  out.payload_length = total - header_length;
  return out;
}

Status PrependEthernet(IOBuf& head, const EthernetHeader& header) {
  uint8_t* p = EBBRT_TRY(PrependHeader(head, EthernetHeaderLength(header),
                                       "PrependEthernet: not enough headroom for the header"));
  memcpy(p, header.dst.bytes.data(), 6);
  memcpy(p + 6, header.src.bytes.data(), 6);
  if (header.vlan) {
    StoreBe16(p + 12, kEtherTypeVlan);
    StoreBe16(p + 14, header.vlan->tci);
    p += kVlanTagLength;
  }
  StoreBe16(p + 12, header.ethertype);
  return Status::Ok();
}

}  // namespace ebbrt::net::wire
