// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/icmp.h"

#include <string.h>

#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/checksum.h"
#include "ebbrt/net/wire/drop_reason.h"

namespace ebbrt::net::wire {

Result<IcmpMessage> ParseIcmp(const IOBuf& chain, size_t offset, size_t length) {
  uint8_t h[kIcmpHeaderLength];
  if (length < sizeof(h) || !CopyFromChain(chain, offset, h, sizeof(h))) {
    return WireStatus(WireError::kIcmpShort);
  }
  // RFC 792: the checksum covers the whole message, starting with the type.
  InternetSum sum;
  if (!sum.AddChain(chain, offset, length)) return WireStatus(WireError::kIcmpShort);
  if (!sum.Verifies()) return WireStatus(WireError::kIcmpBadChecksum);
  IcmpMessage out;
  out.type = h[0];
  out.code = h[1];
  out.checksum = LoadBe16(h + 2);
  out.rest = LoadBe32(h + 4);
  out.payload_offset = offset + kIcmpHeaderLength;
  out.payload_length = length - kIcmpHeaderLength;
  return out;
}

Result<IcmpQuotedDatagram> ParseIcmpQuotedDatagram(const IOBuf& chain,
                                                   const IcmpMessage& message) {
  uint8_t h[kIpv4MinHeaderLength];
  if (message.payload_length < kIpv4MinHeaderLength + kIcmpQuotedDataLength ||
      !CopyFromChain(chain, message.payload_offset, h, sizeof(h))) {
    return WireStatus(WireError::kIcmpQuotedHeaderShort);
  }
  if ((h[0] >> 4) != 4) return WireStatus(WireError::kIpv4BadVersion);
  size_t header_length = size_t{h[0] & 0xfu} * 4;
  if (header_length < kIpv4MinHeaderLength) return WireStatus(WireError::kIpv4BadHeaderLength);
  IcmpQuotedDatagram out;
  if (message.payload_length < header_length + kIcmpQuotedDataLength ||
      !CopyFromChain(chain, message.payload_offset + header_length, out.data,
                     kIcmpQuotedDataLength)) {
    return WireStatus(WireError::kIcmpQuotedHeaderShort);
  }
  // Its total length and checksum describe the original datagram, not what is quoted,
  // and are not checked.
  out.header = DecodeIpv4Fields(h);
  return out;
}

Status PrependIcmp(IOBuf& head, uint8_t type, uint8_t code, uint32_t rest) {
  uint8_t* p = EBBRT_TRY(
      PrependHeader(head, kIcmpHeaderLength, "PrependIcmp: not enough headroom for the header"));
  p[0] = type;
  p[1] = code;
  StoreBe16(p + 2, 0);
  StoreBe32(p + 4, rest);
  // The header was just written into this chain, so the range is in it.
  StoreBe16(p + 2, InternetChecksum(head, 0, head.ComputeChainDataLength()));
  return Status::Ok();
}

Result<std::unique_ptr<IOBuf>> BuildEchoRequest(uint16_t id, uint16_t sequence,
                                                std::unique_ptr<IOBuf> payload) {
  auto message = UniqueIOBuf::Create(kMaxHeaderRoom + kIcmpHeaderLength,
                                     kMaxHeaderRoom + kIcmpHeaderLength);
  if (payload != nullptr) message->AppendChain(std::move(payload));
  EBBRT_TRY(PrependIcmp(*message, kIcmpEchoRequest, 0,
                        uint32_t{id} << 16 | sequence));
  return message;
}

Result<std::unique_ptr<IOBuf>> BuildEchoReply(std::unique_ptr<IOBuf> packet,
                                              const IcmpMessage& request) {
  if (request.type != kIcmpEchoRequest) {
    return Status(StatusCode::kInvalidArgument, "BuildEchoReply: not an echo request");
  }
  auto reply = UniqueIOBuf::Create(kMaxHeaderRoom + kIcmpHeaderLength,
                                   kMaxHeaderRoom + kIcmpHeaderLength);
  if (request.payload_length > 0) {
    reply->AppendChain(TakeRange(std::move(packet), request.payload_offset,
                                 request.payload_length));
  }
  reply->Retreat(kIcmpHeaderLength);
  uint8_t* p = reply->MutableData();
  p[0] = kIcmpEchoReply;
  p[1] = 0;
  // RFC 792 echo reply: same identifier, sequence and data. Only the type/code word
  // changes, so RFC 1624 updates the (verified) request checksum.
  StoreBe16(p + 2, UpdateChecksum16(request.checksum,
                                    static_cast<uint16_t>(kIcmpEchoRequest << 8 | request.code),
                                    static_cast<uint16_t>(kIcmpEchoReply << 8)));
  StoreBe32(p + 4, request.rest);
  return reply;
}

Result<std::unique_ptr<IOBuf>> BuildDestinationUnreachable(uint8_t code, const IOBuf& offending,
                                                           const Ipv4Packet& ip,
                                                           uint32_t rest) {
  size_t header_length = ip.header.header_length;
  size_t data = ip.payload_length < kIcmpQuotedDataLength ? ip.payload_length
                                                          : kIcmpQuotedDataLength;
  size_t quoted = header_length + data;
  auto message = UniqueIOBuf::Create(kMaxHeaderRoom + kIcmpHeaderLength + quoted,
                                     kMaxHeaderRoom + kIcmpHeaderLength);
  message->Append(quoted);
  if (ip.payload_offset < header_length ||
      !CopyFromChain(offending, ip.payload_offset - header_length, message->MutableData(),
                     quoted)) {
    return Status(StatusCode::kInvalidArgument,
                  "BuildDestinationUnreachable: the datagram is not in the chain");
  }
  EBBRT_TRY(PrependIcmp(*message, kIcmpDestinationUnreachable, code, rest));
  return message;
}

}  // namespace ebbrt::net::wire
