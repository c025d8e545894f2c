// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/wire/checksum.h"

#include <string.h>

#include "ebbrt/base/check.h"

namespace ebbrt::net::wire {
namespace {

// One's-complement addition in 64 bits: the carry out wraps around (RFC 1071 §2(C)).
inline uint64_t AddWithCarry(uint64_t a, uint64_t b) {
  uint64_t s = a + b;
  return s + (s < b);
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  memcpy(&v, p, 8);  // an unaligned load on x86
  return v;
}

// The one's-complement sum of native 64-bit loads of [p, p + n), the last partial word
// zero-padded: the bytes at even offsets of the range land in the low byte of 16-bit
// lanes, as a little-endian load of big-endian words puts them (RFC 1071 §2(B): the sum
// of byte-swapped words is the byte-swapped sum).
uint64_t SumNative(const uint8_t* p, size_t n) {
  uint64_t a = 0;
  uint64_t b = 0;
  // Two independent carry chains, 32 bytes per iteration.
  while (n >= 32) {
    a = AddWithCarry(a, Load64(p));
    b = AddWithCarry(b, Load64(p + 8));
    a = AddWithCarry(a, Load64(p + 16));
    b = AddWithCarry(b, Load64(p + 24));
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    a = AddWithCarry(a, Load64(p));
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t tail = 0;
    memcpy(&tail, p, n);
    b = AddWithCarry(b, tail);
  }
  return AddWithCarry(a, b);
}

inline uint16_t Fold(uint64_t sum) {
  uint64_t s = (sum & 0xffffffff) + (sum >> 32);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}

}  // namespace

void InternetSum::Add(const void* data, size_t size) {
  if (size == 0) return;
  uint64_t piece = SumNative(static_cast<const uint8_t*>(data), size);
  if ((size_ & 1) != 0) {
    // The piece starts at an odd offset of the message: its bytes belong in the other
    // lane of each word. Swapping the folded sum moves them there (RFC 1071 §2(B)).
    piece = __builtin_bswap16(Fold(piece));
  }
  sum_ = AddWithCarry(sum_, piece);
  size_ += size;
}

bool InternetSum::AddChain(const IOBuf& chain, size_t offset, size_t length) {
  const IOBuf* link = &chain;
  do {
    size_t here = link->length();
    if (offset >= here) {
      offset -= here;
    } else {
      size_t take = here - offset < length ? here - offset : length;
      Add(link->data() + offset, take);
      length -= take;
      offset = 0;
    }
    link = link->Next();
  } while (length > 0 && link != &chain);
  return length == 0;
}

void InternetSum::AddBe16(uint16_t value) {
  // At an even offset a big-endian word lands byte-swapped in a native lane; at an odd
  // one it straddles two lanes, which in one's-complement arithmetic is the same as the
  // unswapped value.
  uint64_t v = (size_ & 1) != 0 ? value : __builtin_bswap16(value);
  sum_ = AddWithCarry(sum_, v);
  size_ += 2;
}

void InternetSum::AddBe32(uint32_t value) {
  AddBe16(static_cast<uint16_t>(value >> 16));
  AddBe16(static_cast<uint16_t>(value));
}

void InternetSum::AddIpv4PseudoHeader(Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                                      uint16_t length) {
  AddBe32(src.value);
  AddBe32(dst.value);
  AddBe16(protocol);  // a zero byte, then the protocol
  AddBe16(length);
}

uint16_t InternetSum::Folded() const { return __builtin_bswap16(Fold(sum_)); }

uint16_t InternetChecksum(const void* data, size_t size) {
  InternetSum sum;
  sum.Add(data, size);
  return sum.Checksum();
}

uint16_t InternetChecksum(const IOBuf& chain, size_t offset, size_t length) {
  InternetSum sum;
  EBBRT_CHECK_MSG(sum.AddChain(chain, offset, length),
                  "InternetChecksum: range past the end of the chain");
  return sum.Checksum();
}

uint16_t UpdateChecksum16(uint16_t checksum, uint16_t old_word, uint16_t new_word) {
  uint32_t s = uint32_t{static_cast<uint16_t>(~checksum)} +
               uint32_t{static_cast<uint16_t>(~old_word)} + new_word;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  uint16_t updated = static_cast<uint16_t>(~s);
  return updated == 0 ? 0xffff : updated;  // see the header: 0xffff verifies in both cases
}

uint16_t UpdateChecksum32(uint16_t checksum, uint32_t old_value, uint32_t new_value) {
  checksum = UpdateChecksum16(checksum, static_cast<uint16_t>(old_value >> 16),
                              static_cast<uint16_t>(new_value >> 16));
  return UpdateChecksum16(checksum, static_cast<uint16_t>(old_value),
                          static_cast<uint16_t>(new_value));
}

uint16_t Ipv4PseudoHeaderSum(Ipv4Address src, Ipv4Address dst, uint8_t protocol,
                             uint16_t length) {
  InternetSum sum;
  sum.AddIpv4PseudoHeader(src, dst, protocol, length);
  return sum.Folded();
}

}  // namespace ebbrt::net::wire
