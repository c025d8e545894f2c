// SPDX-License-Identifier: Apache-2.0
// Cursors: reads and writes across link boundaries, bounds errors that leave the
// cursor where it was.
#include "ebbrt/iobuf/iobuf_cursor.h"

#include <string.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace ebbrt {
namespace {

// A chain holding bytes 0, 1, 2, ... split into links of the given sizes.
std::unique_ptr<IOBuf> Counting(std::initializer_list<size_t> sizes) {
  std::unique_ptr<IOBuf> head;
  uint8_t next = 0;
  for (size_t size : sizes) {
    auto link = UniqueIOBuf::Create(size);
    link->Append(size);
    for (size_t i = 0; i < size; ++i) link->MutableData()[i] = next++;
    if (head == nullptr) {
      head = std::move(link);
    } else {
      head->AppendChain(std::move(link));
    }
  }
  return head;
}

TEST(DataPointerTest, ReadsIntegersAcrossLinks) {
  auto chain = Counting({1, 2, 3, 10});  // Bytes 0..15.
  DataPointer p(chain.get());
  EXPECT_EQ(p.Remaining(), 16u);
  EXPECT_EQ(p.GetU8().value(), 0);
  EXPECT_EQ(p.GetBe16().value(), 0x0102);      // Spans nothing (link 2).
  EXPECT_EQ(p.GetBe32().value(), 0x03040506u);  // Spans links 3 and 4.
  EXPECT_EQ(p.GetBe64().value(), 0x0708090a0b0c0d0eull);
  EXPECT_EQ(p.Offset(), 15u);
  EXPECT_EQ(p.Remaining(), 1u);
}

TEST(DataPointerTest, StructsSpanningLinks) {
  struct [[gnu::packed]] Header {
    uint8_t a;
    uint32_t b;
    uint8_t c;
  };
  auto chain = Counting({3, 3});
  DataPointer p(chain.get());
  Header h = p.Get<Header>().value();
  EXPECT_EQ(h.a, 0);
  uint8_t expected_b[4] = {1, 2, 3, 4};
  EXPECT_EQ(memcmp(&h.b, expected_b, 4), 0);
  EXPECT_EQ(h.c, 5);
  EXPECT_EQ(p.Remaining(), 0u);
}

TEST(DataPointerTest, ReadPastTheEndFailsAndDoesNotMove) {
  auto chain = Counting({2, 1});
  DataPointer p(chain.get());
  ASSERT_TRUE(p.GetU8().ok());
  auto r = p.GetBe32();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(p.Offset(), 1u);
  EXPECT_EQ(p.GetBe16().value(), 0x0102);  // Still readable from where it was.
  EXPECT_FALSE(p.GetU8().ok());
  EXPECT_FALSE(p.Advance(1).ok());
  EXPECT_TRUE(p.Advance(0).ok());
}

TEST(DataPointerTest, AdvanceAndCopyOutSkipEmptyLinks) {
  auto chain = Counting({2, 0, 0, 3, 0});
  DataPointer p(chain.get());
  ASSERT_TRUE(p.Advance(1).ok());
  uint8_t out[3];
  ASSERT_TRUE(p.CopyOut(out, 3).ok());
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 2);
  EXPECT_EQ(out[2], 3);
  EXPECT_EQ(p.Remaining(), 1u);
}

TEST(DataPointerTest, EmptyChain) {
  auto chain = UniqueIOBuf::Create(0);
  DataPointer p(chain.get());
  EXPECT_EQ(p.Remaining(), 0u);
  EXPECT_FALSE(p.GetU8().ok());
}

TEST(DataPointerTest, PeekIsZeroCopyWhenContiguousAndCopiesOtherwise) {
  auto chain = Counting({4, 4});
  DataPointer p(chain.get());
  uint8_t scratch[8];
  auto in_link = p.Peek(3, scratch);
  ASSERT_TRUE(in_link.ok());
  EXPECT_EQ(in_link.value(), chain->data());  // Points into the buffer.
  ASSERT_TRUE(p.Advance(2).ok());
  auto across = p.Peek(4, scratch);
  ASSERT_TRUE(across.ok());
  EXPECT_EQ(across.value(), scratch);
  EXPECT_EQ(scratch[0], 2);
  EXPECT_EQ(scratch[3], 5);
  EXPECT_EQ(p.Offset(), 2u);  // Peek does not move.
  EXPECT_FALSE(p.Peek(7, scratch).ok());
}

TEST(MutDataPointerTest, WritesAcrossLinksWithinTheViews) {
  auto chain = Counting({3, 5});
  MutDataPointer w(chain.get());
  ASSERT_TRUE(w.PutU8(0xaa).ok());
  ASSERT_TRUE(w.PutBe32(0x11223344).ok());  // Crosses into link 2.
  ASSERT_TRUE(w.PutBe16(0x5566).ok());
  EXPECT_FALSE(w.PutBe16(0x7788).ok());  // Only one byte left.
  EXPECT_EQ(w.Remaining(), 1u);
  DataPointer r(chain.get());
  EXPECT_EQ(r.GetU8().value(), 0xaa);
  EXPECT_EQ(r.GetBe32().value(), 0x11223344u);
  EXPECT_EQ(r.GetBe16().value(), 0x5566);
  EXPECT_EQ(r.GetU8().value(), 7);  // Untouched by the failed write.
}

}  // namespace
}  // namespace ebbrt
