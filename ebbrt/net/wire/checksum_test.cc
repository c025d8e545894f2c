// SPDX-License-Identifier: Apache-2.0
// The Internet checksum against a byte-at-a-time reference (RFC 1071 §4.1's loop, in
// 16-bit big-endian words) on random data of every length 0..2048 at every alignment
// and split across links, plus RFC 1071's and RFC 1624's worked examples.
#include "ebbrt/net/wire/checksum.h"

#include <stdint.h>

#include <algorithm>
#include <vector>

#include "ebbrt/base/xorshift.h"
#include "ebbrt/net/wire/wire_testing.h"
#include "gtest/gtest.h"

namespace ebbrt::net::wire {
namespace {

using testing::Bytes;
using testing::ChainOf;

uint16_t Reference(const uint8_t* p, size_t n) { return testing::ReferenceChecksum(p, n); }

Bytes Random(XorShift64Star& rng, size_t n) {
  Bytes bytes(n);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng.Next());
  return bytes;
}

TEST(ChecksumTest, Rfc1071Example) {
  // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2.
  uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  InternetSum sum;
  sum.Add(bytes, sizeof(bytes));
  EXPECT_EQ(sum.Folded(), 0xddf2);
  EXPECT_EQ(InternetChecksum(bytes, sizeof(bytes)), 0x220d);
}

TEST(ChecksumTest, KnownIpv4Header) {
  // A ping's header (10.0.2.15 -> 10.0.2.2) with its checksum field zeroed, then set.
  Bytes header = testing::Hex("45 00 00 54 12 34 40 00 40 01 00 00 0a 00 02 0f 0a 00 02 02");
  uint16_t checksum = InternetChecksum(header.data(), header.size());
  EXPECT_EQ(checksum, Reference(header.data(), header.size()));
  header[10] = static_cast<uint8_t>(checksum >> 8);
  header[11] = static_cast<uint8_t>(checksum);
  InternetSum verify;
  verify.Add(header.data(), header.size());
  EXPECT_TRUE(verify.Verifies());
  EXPECT_EQ(InternetChecksum(header.data(), header.size()), 0);
}

TEST(ChecksumTest, EveryLengthAndAlignmentMatchesReference) {
  XorShift64Star rng(1071);
  Bytes buffer = Random(rng, 2048 + 8);
  for (size_t length = 0; length <= 2048; ++length) {
    for (size_t align = 0; align < 8; ++align) {
      ASSERT_EQ(InternetChecksum(buffer.data() + align, length),
                Reference(buffer.data() + align, length))
          << "length " << length << " alignment " << align;
    }
  }
}

TEST(ChecksumTest, EverySplitOfShortChains) {
  // Two and three links at every boundary, for every length up to 64: odd-length links
  // before even ones and the reverse.
  XorShift64Star rng(9293);
  for (size_t length = 0; length <= 64; ++length) {
    Bytes bytes = Random(rng, length);
    uint16_t expected = Reference(bytes.data(), length);
    for (size_t a = 0; a <= length; ++a) {
      for (size_t b = a; b <= length; ++b) {
        auto chain = ChainOf(bytes, {a, b});
        ASSERT_EQ(InternetChecksum(*chain, 0, length), expected)
            << "length " << length << " splits " << a << "," << b;
      }
    }
  }
}

TEST(ChecksumTest, RandomSplitsAndRangesOfLongChains) {
  XorShift64Star rng(768);
  for (size_t length = 0; length <= 2048; ++length) {
    Bytes bytes = Random(rng, length);
    std::vector<size_t> splits;
    size_t at = 0;
    while (at < length) {
      at += 1 + rng.Below(length < 100 ? 7 : 300);
      if (at < length) splits.push_back(at);
    }
    auto chain = ChainOf(bytes, splits);
    ASSERT_EQ(InternetChecksum(*chain, 0, length), Reference(bytes.data(), length))
        << "length " << length;
    // A range starting at an odd or even offset inside the chain.
    size_t offset = length == 0 ? 0 : rng.Below(length + 1);
    size_t range = rng.Below(length - offset + 1);
    ASSERT_EQ(InternetChecksum(*chain, offset, range), Reference(bytes.data() + offset, range))
        << "length " << length << " offset " << offset << " range " << range;
  }
}

TEST(ChecksumTest, OneByteLinks) {
  XorShift64Star rng(1);
  Bytes bytes = Random(rng, 101);
  std::vector<size_t> splits;
  for (size_t i = 1; i < bytes.size(); ++i) splits.push_back(i);
  auto chain = ChainOf(bytes, splits);
  EXPECT_EQ(chain->CountChainElements(), 101u);
  EXPECT_EQ(InternetChecksum(*chain, 0, 101), Reference(bytes.data(), 101));
}

TEST(ChecksumTest, PiecesInAnyParity) {
  // Add() pieces and 16/32-bit fields after an odd number of bytes.
  XorShift64Star rng(5);
  for (int round = 0; round < 200; ++round) {
    Bytes bytes;
    InternetSum sum;
    for (int piece = 0; piece < 6; ++piece) {
      switch (rng.Below(3)) {
        case 0: {
          Bytes more = Random(rng, rng.Below(20));
          sum.Add(more.data(), more.size());
          bytes.insert(bytes.end(), more.begin(), more.end());
          break;
        }
        case 1: {
          auto v = static_cast<uint16_t>(rng.Next());
          sum.AddBe16(v);
          bytes.push_back(static_cast<uint8_t>(v >> 8));
          bytes.push_back(static_cast<uint8_t>(v));
          break;
        }
        default: {
          auto v = static_cast<uint32_t>(rng.Next());
          sum.AddBe32(v);
          for (int s = 24; s >= 0; s -= 8) bytes.push_back(static_cast<uint8_t>(v >> s));
          break;
        }
      }
    }
    ASSERT_EQ(sum.size(), bytes.size());
    ASSERT_EQ(sum.Checksum(), Reference(bytes.data(), bytes.size())) << "round " << round;
  }
}

TEST(ChecksumTest, AddChainPastTheEndFails) {
  auto chain = ChainOf(Bytes(10, 1), {3});
  InternetSum sum;
  EXPECT_FALSE(sum.AddChain(*chain, 4, 7));
  InternetSum whole;
  EXPECT_TRUE(whole.AddChain(*chain, 0, 10));
}

TEST(ChecksumTest, PseudoHeader) {
  // RFC 768: src, dst, zero, protocol 17, UDP length, as 12 bytes.
  Ipv4Address src = Ipv4Address::FromOctets(10, 0, 2, 15);
  Ipv4Address dst = Ipv4Address::FromOctets(10, 0, 2, 3);
  Bytes pseudo = testing::Hex("0a 00 02 0f 0a 00 02 03 00 11 00 1c");
  InternetSum sum;
  sum.AddIpv4PseudoHeader(src, dst, 17, 0x1c);
  EXPECT_EQ(sum.Checksum(), Reference(pseudo.data(), pseudo.size()));
  EXPECT_EQ(Ipv4PseudoHeaderSum(src, dst, 17, 0x1c), static_cast<uint16_t>(~sum.Checksum()));
}

TEST(ChecksumTest, IncrementalUpdateMatchesRecompute) {
  XorShift64Star rng(1624);
  for (int round = 0; round < 2000; ++round) {
    Bytes bytes = Random(rng, 2 * (1 + rng.Below(40)));
    if (round % 10 == 0) std::fill(bytes.begin(), bytes.end(), 0);  // the RFC 1624 §4 corner
    size_t word = 2 * rng.Below(bytes.size() / 2);
    uint16_t before = InternetChecksum(bytes.data(), bytes.size());
    auto old_word = static_cast<uint16_t>(bytes[word] << 8 | bytes[word + 1]);
    auto new_word = static_cast<uint16_t>(round % 7 == 0 ? 0 : rng.Next());
    bytes[word] = static_cast<uint8_t>(new_word >> 8);
    bytes[word + 1] = static_cast<uint8_t>(new_word);
    uint16_t recomputed = InternetChecksum(bytes.data(), bytes.size());
    uint16_t updated = UpdateChecksum16(before, old_word, new_word);
    // Equal, except that 0x0000 and 0xffff are the same one's-complement number: the
    // update returns 0xffff there, which always verifies.
    if (recomputed != updated) {
      ASSERT_EQ(recomputed, 0x0000) << "round " << round;
      ASSERT_EQ(updated, 0xffff) << "round " << round;
    }
    // The updated checksum, written into a message with a checksum word, verifies.
    Bytes with = bytes;
    with.push_back(static_cast<uint8_t>(updated >> 8));
    with.push_back(static_cast<uint8_t>(updated));
    InternetSum verify;
    verify.Add(with.data(), with.size());
    ASSERT_TRUE(verify.Verifies()) << "round " << round;
  }
}

TEST(ChecksumTest, Rfc1624AllZeroCorner) {
  // RFC 1624 §4: a message whose other words become zero. Eqn. 3 gives 0x0000 there;
  // only 0xffff verifies.
  EXPECT_EQ(UpdateChecksum16(0xf7ff, 0x0800, 0x0000), 0xffff);
  // RFC 1624 §3's example: HC 0xdd2f, m 0x5555 -> m' 0x3285; eqn. 3 gives 0x0000, the
  // same one's-complement number as 0xffff, which verifies there too.
  EXPECT_EQ(UpdateChecksum16(0xdd2f, 0x5555, 0x3285), 0xffff);
}

TEST(ChecksumTest, Update32) {
  Bytes bytes = testing::Hex("45 00 00 54 12 34 40 00 40 01 00 00 0a 00 02 0f 0a 00 02 02");
  uint16_t before = InternetChecksum(bytes.data(), bytes.size());
  bytes[16] = 192;
  bytes[17] = 168;
  bytes[18] = 1;
  bytes[19] = 9;
  uint16_t after = UpdateChecksum32(before, 0x0a000202, 0xc0a80109);
  EXPECT_EQ(after, InternetChecksum(bytes.data(), bytes.size()));
}

}  // namespace
}  // namespace ebbrt::net::wire
