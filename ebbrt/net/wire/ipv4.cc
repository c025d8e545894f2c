// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/ipv4.h"

#include "ebbrt/net/wire/chain.h"
#include "ebbrt/net/wire/checksum.h"
#include "ebbrt/net/wire/drop_reason.h"

namespace ebbrt::net::wire {
namespace {

// RFC 791 §3.1: the flags are the top three bits of the fragment word.
constexpr uint16_t kFlagDontFragment = 0x4000;
constexpr uint16_t kFlagMoreFragments = 0x2000;
constexpr uint16_t kFragmentOffsetMask = 0x1fff;

}  // namespace

Result<Ipv4Packet> ParseIpv4(const IOBuf& chain, size_t offset, size_t length) {
  // The whole header, options included, is copied (at most 60 bytes): one pass over the
  // chain, and nothing after this reads the chain again.
  uint8_t h[kIpv4MaxHeaderLength];
  if (length < kIpv4MinHeaderLength || !CopyFromChain(chain, offset, h, kIpv4MinHeaderLength)) {
    return WireStatus(WireError::kIpv4Short);
  }
  if ((h[0] >> 4) != 4) return WireStatus(WireError::kIpv4BadVersion);
  size_t header_length = size_t{h[0] & 0xfu} * 4;
  if (header_length < kIpv4MinHeaderLength) return WireStatus(WireError::kIpv4BadHeaderLength);
  if (header_length > length ||
      (header_length > kIpv4MinHeaderLength &&
       !CopyFromChain(chain, offset + kIpv4MinHeaderLength, h + kIpv4MinHeaderLength,
                      header_length - kIpv4MinHeaderLength))) {
    return WireStatus(WireError::kIpv4OptionsTruncated);
  }
  uint16_t total_length = LoadBe16(h + 2);
  if (total_length < header_length) return WireStatus(WireError::kIpv4TotalLengthTooSmall);
  if (total_length > length) return WireStatus(WireError::kIpv4TotalLengthBeyondData);
  // RFC 791 §3.1 "Header Checksum", over the options too.
  InternetSum sum;
  sum.Add(h, header_length);
  if (!sum.Verifies()) return WireStatus(WireError::kIpv4BadChecksum);

  Ipv4Packet out;
  out.header = DecodeIpv4Fields(h);
  out.payload_offset = offset + header_length;
  out.payload_length = total_length - header_length;
  out.padding = length - total_length;
  return out;
}

Ipv4Header DecodeIpv4Fields(const uint8_t* h) {
  Ipv4Header hdr;
  hdr.header_length = static_cast<uint8_t>((h[0] & 0xfu) * 4);
  hdr.tos = h[1];
  hdr.total_length = LoadBe16(h + 2);
  hdr.id = LoadBe16(h + 4);
  uint16_t fragment = LoadBe16(h + 6);
  hdr.dont_fragment = (fragment & kFlagDontFragment) != 0;
  hdr.more_fragments = (fragment & kFlagMoreFragments) != 0;
  hdr.fragment_offset = static_cast<uint16_t>((fragment & kFragmentOffsetMask) * 8);
  hdr.ttl = h[8];
  hdr.protocol = h[9];
  hdr.checksum = LoadBe16(h + 10);
  hdr.src = Ipv4Address{LoadBe32(h + 12)};
  hdr.dst = Ipv4Address{LoadBe32(h + 16)};
  return hdr;
}

Status PrependIpv4(IOBuf& head, const Ipv4Header& header) {
  size_t payload = head.ComputeChainDataLength();
  if (payload > 0xffff - kIpv4MinHeaderLength) {
    return Status(StatusCode::kInvalidArgument, "PrependIpv4: payload over 65515 bytes");
  }
  if (header.fragment_offset % 8 != 0 || header.fragment_offset / 8 > kFragmentOffsetMask) {
    return Status(StatusCode::kInvalidArgument,
                  "PrependIpv4: fragment offset not a multiple of 8 below 65536");
  }
  uint8_t* p = EBBRT_TRY(PrependHeader(head, kIpv4MinHeaderLength,
                                       "PrependIpv4: not enough headroom for the header"));
  p[0] = 0x45;  // version 4, IHL 5
  p[1] = header.tos;
  StoreBe16(p + 2, static_cast<uint16_t>(payload + kIpv4MinHeaderLength));
  StoreBe16(p + 4, header.id);
  uint16_t fragment = static_cast<uint16_t>(header.fragment_offset / 8);
  if (header.dont_fragment) fragment |= kFlagDontFragment;
  if (header.more_fragments) fragment |= kFlagMoreFragments;
  StoreBe16(p + 6, fragment);
  p[8] = header.ttl;
  p[9] = header.protocol;
  StoreBe16(p + 10, 0);
  StoreBe32(p + 12, header.src.value);
  StoreBe32(p + 16, header.dst.value);
  StoreBe16(p + 10, InternetChecksum(p, kIpv4MinHeaderLength));
  return Status::Ok();
}

}  // namespace ebbrt::net::wire
