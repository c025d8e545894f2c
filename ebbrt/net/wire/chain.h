// SPDX-License-Identifier: Apache-2.0
// Helpers the wire formats share for working on ranges of IOBuf chains: reading at an
// offset, taking a range of a chain without copying, and making room for a header.
//
//   // Hand the UDP payload of a received frame to the application, without a copy:
//   auto payload = TakeRange(std::move(frame), udp.payload_offset, udp.payload_length);
//
//   // Prepend an 8-byte header into the head's headroom and write it:
//   uint8_t* p = EBBRT_TRY(PrependHeader(*packet, 8, "PrependUdp: not enough headroom"));
//   StoreBe16(p, src_port);
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/iobuf/iobuf_cursor.h"

namespace ebbrt::net::wire {

// Headroom to leave in a buffer that will get Ethernet (with one VLAN tag), IPv4 (with
// the largest options) and a transport header in front: 18 + 60 + 8, rounded up.
inline constexpr size_t kMaxHeaderRoom = 96;

// Big-endian loads and stores on plain bytes (headers copied out of a chain).
inline uint16_t LoadBe16(const uint8_t* p) {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}
inline uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void StoreBe32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// A read cursor `offset` bytes into `chain`. The offset must be within the chain's data
// (checked: offsets come from parsers that validated them).
DataPointer CursorAt(const IOBuf& chain, size_t offset);

// Copies `n` bytes at `offset` of `chain` into `out`, or returns false when the chain
// has fewer than offset + n bytes. For fixed-size headers (a 20-byte copy is cheaper
// than reading fields one by one across a possible link boundary).
bool CopyFromChain(const IOBuf& chain, size_t offset, void* out, size_t n);

// Makes `chain` hold exactly its bytes [offset, offset + length): links wholly before
// or after the range are freed, the rest is advanced and trimmed in place. No copy; the
// buffers stay whatever kind they were. The range must be within the chain (checked).
std::unique_ptr<IOBuf> TakeRange(std::unique_ptr<IOBuf> chain, size_t offset, size_t length);

// Grows `head`'s view `n` bytes into its headroom and returns its new first byte (the
// `n` bytes are contiguous: they are all in the head). kFailedPrecondition with
// `message` (a literal), nothing changed, when the headroom is smaller.
Result<uint8_t*> PrependHeader(IOBuf& head, size_t n, const char* message);

}  // namespace ebbrt::net::wire
