// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/udp.h"

#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/checksum.h"
#include "ebbrt/net/wire/drop_reason.h"
#include "ebbrt/net/wire/ipv4.h"

namespace ebbrt::net::wire {

Result<UdpDatagram> ParseUdp(const IOBuf& chain, size_t offset, size_t length,
                             Ipv4Address src, Ipv4Address dst, UdpChecksumCheck check) {
  uint8_t h[kUdpHeaderLength];
  if (length < sizeof(h) || !CopyFromChain(chain, offset, h, sizeof(h))) {
    return WireStatus(WireError::kUdpShort);
  }
  UdpDatagram out;
  out.header.src_port = LoadBe16(h);
  out.header.dst_port = LoadBe16(h + 2);
  out.header.length = LoadBe16(h + 4);
  out.header.checksum = LoadBe16(h + 6);
  if (out.header.length < kUdpHeaderLength) return WireStatus(WireError::kUdpLengthTooSmall);
  if (out.header.length > length) return WireStatus(WireError::kUdpLengthBeyondData);
  if (out.header.checksum != 0 && check == UdpChecksumCheck::kVerify) {
    // RFC 768 "Fields": over the pseudo-header, the header and the data (as long as the
    // length field says).
    InternetSum sum;
    sum.AddIpv4PseudoHeader(src, dst, kIpProtocolUdp, out.header.length);
    if (!sum.AddChain(chain, offset, out.header.length)) return WireStatus(WireError::kUdpShort);
    if (!sum.Verifies()) return WireStatus(WireError::kUdpBadChecksum);
  }
  out.payload_offset = offset + kUdpHeaderLength;
  out.payload_length = out.header.length - kUdpHeaderLength;
  return out;
}

Status PrependUdp(IOBuf& head, const UdpHeader& header, Ipv4Address src, Ipv4Address dst,
                  UdpChecksumMode mode) {
  size_t payload = head.ComputeChainDataLength();
  if (payload > 0xffff - kUdpHeaderLength) {
    return Status(StatusCode::kInvalidArgument, "PrependUdp: payload over 65527 bytes");
  }
  auto length = static_cast<uint16_t>(payload + kUdpHeaderLength);
  uint8_t* p = EBBRT_TRY(
      PrependHeader(head, kUdpHeaderLength, "PrependUdp: not enough headroom for the header"));
  StoreBe16(p, header.src_port);
  StoreBe16(p + 2, header.dst_port);
  StoreBe16(p + 4, length);
  StoreBe16(p + 6, 0);
  uint16_t checksum = 0;
  if (mode == UdpChecksumMode::kOffload) {
    checksum = Ipv4PseudoHeaderSum(src, dst, kIpProtocolUdp, length);
  } else if (mode == UdpChecksumMode::kCompute) {
    InternetSum sum;
    sum.AddIpv4PseudoHeader(src, dst, kIpProtocolUdp, length);
    // The header was just written into this chain: the range is in it.
    (void)sum.AddChain(head, 0, length);
    checksum = sum.Checksum();
    // RFC 768 "Fields": a computed zero is sent as all ones (zero means "none").
    if (checksum == 0) checksum = 0xffff;
  }
  StoreBe16(p + 6, checksum);
  return Status::Ok();
}

}  // namespace ebbrt::net::wire
