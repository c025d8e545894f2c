// SPDX-License-Identifier: Apache-2.0
// Test and fuzz helpers for the wire formats: chains built from byte vectors with chosen
// link boundaries, flattened back, and hex byte strings written the way captures are
// printed. Header-only and test-only (it uses std::vector, which native code may use in
// tests alone).
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <initializer_list>
#include <memory>
#include <utility>
#include <vector>

#include "ebbrt/iobuf/iobuf.h"

namespace ebbrt::net::wire::testing {

using Bytes = std::vector<uint8_t>;

// A chain holding `bytes`, split into links at the (increasing) offsets in `splits`;
// each link has `headroom` bytes before its data.
inline std::unique_ptr<IOBuf> ChainOf(const Bytes& bytes, const std::vector<size_t>& splits = {},
                                      size_t headroom = 0) {
  std::unique_ptr<IOBuf> head;
  size_t start = 0;
  for (size_t i = 0; i <= splits.size(); ++i) {
    size_t end = i < splits.size() ? splits[i] : bytes.size();
    if (end < start) end = start;
    if (end > bytes.size()) end = bytes.size();
    auto link = UniqueIOBuf::Create(headroom + (end - start) + 1, headroom);
    link->Append(end - start);
    if (end > start) memcpy(link->MutableData(), bytes.data() + start, end - start);
    if (head == nullptr) {
      head = std::move(link);
    } else {
      head->AppendChain(std::move(link));
    }
    start = end;
  }
  return head;
}

// A one-link chain of `bytes` with `headroom` in front, for builders to prepend into.
inline std::unique_ptr<IOBuf> WithHeadroom(const Bytes& bytes, size_t headroom) {
  return ChainOf(bytes, {}, headroom);
}

inline Bytes Flatten(const IOBuf& chain) {
  Bytes out;
  for (const IOBuf& link : chain) out.insert(out.end(), link.data(), link.data() + link.length());
  return out;
}

// "45 00 00 54 ..." (whitespace ignored) to bytes.
inline Bytes Hex(const char* text) {
  auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  int high = -1;
  for (const char* p = text; *p != '\0'; ++p) {
    int v = value(*p);
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  return out;
}

// The Internet checksum the slow, obvious way (RFC 1071 §4.1's loop): 16-bit big-endian
// words summed in 32 bits, an odd last byte padded with zero, folded, complemented.
inline uint16_t ReferenceChecksum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n % 2 != 0) sum += static_cast<uint32_t>(p[n - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// `bytes` with the byte at `at` replaced by `value` (a malformed variant of a vector).
inline Bytes WithByte(Bytes bytes, size_t at, uint8_t value) {
  bytes[at] = value;
  return bytes;
}

inline Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// A fuzz input as a chain: byte 0 says how many link boundaries (0..3) bytes 1..3 place
// (each taken modulo the packet's length + 1, sorted); the packet is the rest.
struct FuzzPacket {
  Bytes bytes;
  std::unique_ptr<IOBuf> chain;
};
inline FuzzPacket FuzzPacketOf(const uint8_t* data, size_t size) {
  size_t skip = size < 4 ? size : 4;
  FuzzPacket packet;
  packet.bytes.assign(data + skip, data + size);
  std::vector<size_t> splits;
  size_t count = size > 0 ? data[0] % 4 : 0;
  for (size_t i = 0; i < count && 1 + i < skip; ++i) {
    splits.push_back(data[1 + i] % (packet.bytes.size() + 1));
  }
  for (size_t i = 1; i < splits.size(); ++i) {
    for (size_t j = i; j > 0 && splits[j - 1] > splits[j]; --j) std::swap(splits[j - 1], splits[j]);
  }
  packet.chain = ChainOf(packet.bytes, splits);
  return packet;
}

}  // namespace ebbrt::net::wire::testing
