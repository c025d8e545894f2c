// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/arp.h"

#include <string.h>

#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/drop_reason.h"

namespace ebbrt::net::wire {
namespace {

// RFC 826 "Packet format"; the numbers are IANA's ARP parameters.
constexpr uint16_t kHardwareEthernet = 1;
constexpr uint8_t kEthernetAddressLength = 6;
constexpr uint8_t kIpv4AddressLength = 4;

}  // namespace

Result<ArpPacket> ParseArp(const IOBuf& chain, size_t offset, size_t length) {
  uint8_t p[kArpPacketLength];
  if (length < kArpPacketLength || !CopyFromChain(chain, offset, p, sizeof(p))) {
    return WireStatus(WireError::kArpShort);
  }
  if (LoadBe16(p) != kHardwareEthernet) return WireStatus(WireError::kArpUnsupportedHardware);
  if (LoadBe16(p + 2) != kEtherTypeIpv4) return WireStatus(WireError::kArpUnsupportedProtocol);
  if (p[4] != kEthernetAddressLength || p[5] != kIpv4AddressLength) {
    return WireStatus(WireError::kArpBadAddressLengths);
  }
  uint16_t op = LoadBe16(p + 6);
  if (op != static_cast<uint16_t>(ArpOperation::kRequest) &&
      op != static_cast<uint16_t>(ArpOperation::kReply)) {
    return WireStatus(WireError::kArpUnsupportedOperation);
  }
  ArpPacket out;
  out.operation = static_cast<ArpOperation>(op);
  memcpy(out.sender_mac.bytes.data(), p + 8, 6);
  out.sender_ip = Ipv4Address{LoadBe32(p + 14)};
  memcpy(out.target_mac.bytes.data(), p + 18, 6);
  out.target_ip = Ipv4Address{LoadBe32(p + 24)};
  return out;
}

ArpPacket ArpRequest(MacAddress my_mac, Ipv4Address my_ip, Ipv4Address target_ip) {
  return ArpPacket{ArpOperation::kRequest, my_mac, my_ip, MacAddress::Zero(), target_ip};
}

ArpPacket ArpReplyTo(const ArpPacket& request, MacAddress my_mac) {
  return ArpPacket{ArpOperation::kReply, my_mac, request.target_ip, request.sender_mac,
                   request.sender_ip};
}

ArpPacket GratuitousArp(MacAddress my_mac, Ipv4Address my_ip) {
  return ArpPacket{ArpOperation::kRequest, my_mac, my_ip, MacAddress::Zero(), my_ip};
}

Status PrependArp(IOBuf& head, const ArpPacket& packet) {
  uint8_t* p = EBBRT_TRY(
      PrependHeader(head, kArpPacketLength, "PrependArp: not enough headroom for the packet"));
  StoreBe16(p, kHardwareEthernet);
  StoreBe16(p + 2, kEtherTypeIpv4);
  p[4] = kEthernetAddressLength;
  p[5] = kIpv4AddressLength;
  StoreBe16(p + 6, static_cast<uint16_t>(packet.operation));
  memcpy(p + 8, packet.sender_mac.bytes.data(), 6);
  StoreBe32(p + 14, packet.sender_ip.value);
  memcpy(p + 18, packet.target_mac.bytes.data(), 6);
  StoreBe32(p + 24, packet.target_ip.value);
  return Status::Ok();
}

Result<std::unique_ptr<IOBuf>> BuildArpFrame(const ArpPacket& packet, MacAddress eth_dst) {
  auto frame = UniqueIOBuf::Create(kMaxHeaderRoom, kMaxHeaderRoom);
  EBBRT_TRY(PrependArp(*frame, packet));
  EBBRT_TRY(PrependEthernet(*frame, {eth_dst, packet.sender_mac, kEtherTypeArp, {}}));
  return frame;
}

}  // namespace ebbrt::net::wire
