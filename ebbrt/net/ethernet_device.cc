// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/ethernet_device.h"

#include "ebbrt/net/wire/checksum.h"

namespace ebbrt::net {
namespace {

// The byte at `offset` of a chain, for writing; nullptr past its end.
uint8_t* ByteAt(IOBuf& chain, size_t offset) {
  for (IOBuf& link : chain) {
    if (offset < link.length()) return link.MutableData() + offset;
    offset -= link.length();
  }
  return nullptr;
}

}  // namespace

Status CompleteChecksumInSoftware(IOBuf& frame, const TxOffload& offload) {
  const size_t length = frame.ComputeChainDataLength();
  const size_t field = size_t{offload.checksum_start} + offload.checksum_offset;
  if (offload.checksum_start >= length || field + 2 > length) {
    return Status(StatusCode::kInvalidArgument, "checksum offload outside the frame");
  }
  // The sum over [start, end) with the pseudo-header sum already in the field, stored
  // complemented (virtio 1.1 §5.1.6.2, what a device does for NEEDS_CSUM).
  const uint16_t checksum = wire::InternetChecksum(frame, offload.checksum_start, length - offload.checksum_start);
  *ByteAt(frame, field) = static_cast<uint8_t>(checksum >> 8);
  *ByteAt(frame, field + 1) = static_cast<uint8_t>(checksum);
  return Status::Ok();
}

}  // namespace ebbrt::net
