// SPDX-License-Identifier: Apache-2.0
// IOBuf descriptors and chains: views, ownership kinds, chain operations, splitting.
#include "ebbrt/iobuf/iobuf.h"

#include <string.h>

#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace ebbrt {
namespace {

std::string ChainString(const IOBuf& head) {
  std::string out;
  for (const IOBuf& link : head) out.append(reinterpret_cast<const char*>(link.data()), link.length());
  return out;
}

std::unique_ptr<IOBuf> Bytes(const char* text) { return UniqueIOBuf::CopyOf(text, strlen(text)); }

TEST(IOBufTest, UniqueBufferViewArithmetic) {
  auto buf = UniqueIOBuf::Create(100, 20);
  EXPECT_EQ(buf->kind(), IOBuf::Kind::kUnique);
  EXPECT_EQ(buf->capacity(), 100u);
  EXPECT_EQ(buf->headroom(), 20u);
  EXPECT_EQ(buf->length(), 0u);
  EXPECT_EQ(buf->tailroom(), 80u);
  buf->Append(50);
  EXPECT_EQ(buf->length(), 50u);
  EXPECT_EQ(buf->tailroom(), 30u);
  buf->Retreat(20);
  EXPECT_EQ(buf->headroom(), 0u);
  EXPECT_EQ(buf->length(), 70u);
  EXPECT_EQ(buf->data(), buf->buffer());
  buf->Advance(30);
  EXPECT_EQ(buf->headroom(), 30u);
  EXPECT_EQ(buf->length(), 40u);
  buf->TrimEnd(40);
  EXPECT_EQ(buf->length(), 0u);
  EXPECT_EQ(buf->tailroom(), 70u);
}

TEST(IOBufTest, CopyOfCopies) {
  char text[] = "hello";
  auto buf = UniqueIOBuf::CopyOf(text, 5);
  text[0] = 'j';
  EXPECT_EQ(ChainString(*buf), "hello");
}

TEST(IOBufTest, StaticAndViewBuffersDoNotCopy) {
  static const char kText[] = "static bytes";
  auto s = StaticIOBuf::Create(kText, sizeof(kText) - 1);
  EXPECT_EQ(s->kind(), IOBuf::Kind::kStatic);
  EXPECT_EQ(s->data(), reinterpret_cast<const uint8_t*>(kText));
  char owned[] = "view";
  auto v = ViewIOBuf::Create(owned, 4);
  owned[0] = 'V';
  EXPECT_EQ(ChainString(*v), "View");  // Sees the owner's change: it is a view.
}

TEST(IOBufTest, SharedBuffersShareBytesAndFreeWithTheLastReference) {
  auto a = SharedIOBuf::Create(16);
  a->Append(5);
  memcpy(a->MutableData(), "abcde", 5);
  auto* shared = static_cast<SharedIOBuf*>(a.get());
  EXPECT_EQ(shared->ShareCount(), 1u);
  auto b = SharedIOBuf::Clone(*a);
  EXPECT_EQ(shared->ShareCount(), 2u);
  EXPECT_EQ(b->data(), a->data());
  b->Advance(2);  // Views are independent...
  EXPECT_EQ(ChainString(*a), "abcde");
  EXPECT_EQ(ChainString(*b), "cde");
  a->MutableData()[4] = 'E';  // ...bytes are not.
  EXPECT_EQ(ChainString(*b), "cdE");
  a.reset();
  EXPECT_EQ(static_cast<SharedIOBuf*>(b.get())->ShareCount(), 1u);
  EXPECT_EQ(ChainString(*b), "cdE");  // Still alive through b (ASan would catch a UAF).
}

TEST(IOBufTest, ChainAppendLengthAndIteration) {
  auto head = Bytes("ab");
  head->AppendChain(Bytes("cde"));
  auto tail = Bytes("f");
  tail->AppendChain(Bytes("ghij"));
  head->AppendChain(std::move(tail));
  EXPECT_TRUE(head->IsChained());
  EXPECT_EQ(head->CountChainElements(), 4u);
  EXPECT_EQ(head->ComputeChainDataLength(), 10u);
  EXPECT_EQ(ChainString(*head), "abcdefghij");
  EXPECT_EQ(head->Prev()->length(), 4u);  // Circular: the head's prev is the last link.
}

TEST(IOBufTest, UnlinkLeavesTheRestLinked) {
  auto head = Bytes("a");
  head->AppendChain(Bytes("b"));
  head->AppendChain(Bytes("c"));
  std::unique_ptr<IOBuf> middle = head->Next()->Unlink();
  EXPECT_FALSE(middle->IsChained());
  EXPECT_EQ(ChainString(*middle), "b");
  EXPECT_EQ(ChainString(*head), "ac");
}

TEST(IOBufTest, DestroyingTheHeadDestroysTheWholeChain) {
  // Many shared links; after the head goes, every clone's storage count drops.
  auto original = SharedIOBuf::Create(8);
  original->Append(8);
  {
    auto head = Bytes("x");
    for (int i = 0; i < 1000; ++i) head->AppendChain(SharedIOBuf::Clone(*original));
    EXPECT_EQ(static_cast<SharedIOBuf*>(original.get())->ShareCount(), 1001u);
  }
  EXPECT_EQ(static_cast<SharedIOBuf*>(original.get())->ShareCount(), 1u);
}

TEST(IOBufTest, SplitAtALinkBoundary) {
  auto head = Bytes("abc");
  head->AppendChain(Bytes("def"));
  head->AppendChain(Bytes("gh"));
  auto rest = IOBuf::SplitAt(*head, 3);
  ASSERT_NE(rest, nullptr);
  EXPECT_EQ(ChainString(*head), "abc");
  EXPECT_EQ(ChainString(*rest), "defgh");
  EXPECT_EQ(head->CountChainElements(), 1u);
  EXPECT_EQ(rest->CountChainElements(), 2u);
}

TEST(IOBufTest, SplitInsideAUniqueLinkMakesAView) {
  auto head = Bytes("abcdef");
  head->AppendChain(Bytes("gh"));
  auto rest = IOBuf::SplitAt(*head, 4);
  EXPECT_EQ(ChainString(*head), "abcd");
  EXPECT_EQ(ChainString(*rest), "efgh");
  EXPECT_EQ(rest->kind(), IOBuf::Kind::kView);
  EXPECT_EQ(rest->data(), head->data() + 4);  // No copy.
}

TEST(IOBufTest, SplitInsideASharedLinkClonesIt) {
  auto head = SharedIOBuf::Create(6);
  head->Append(6);
  memcpy(head->MutableData(), "uvwxyz", 6);
  auto rest = IOBuf::SplitAt(*head, 2);
  EXPECT_EQ(ChainString(*head), "uv");
  EXPECT_EQ(ChainString(*rest), "wxyz");
  EXPECT_EQ(rest->kind(), IOBuf::Kind::kShared);
  head.reset();
  EXPECT_EQ(ChainString(*rest), "wxyz");  // The clone keeps the storage alive.
}

TEST(IOBufTest, SplitAtTheEndReturnsNothing) {
  auto head = Bytes("abc");
  head->AppendChain(Bytes("d"));
  EXPECT_EQ(IOBuf::SplitAt(*head, 4), nullptr);
  EXPECT_EQ(ChainString(*head), "abcd");
}

TEST(IOBufTest, SplitSkipsEmptyLinks) {
  auto head = Bytes("ab");
  head->AppendChain(UniqueIOBuf::Create(10));  // Empty link.
  head->AppendChain(Bytes("cd"));
  auto rest = IOBuf::SplitAt(*head, 3);
  EXPECT_EQ(ChainString(*head), "abc");
  EXPECT_EQ(ChainString(*rest), "d");
}

// A receive ring's slot as the owner of wrapped bytes: counts how often it got them back.
struct RingSlot {
  SharedIOBuf::Storage storage;
  uint8_t bytes[64];
  int returned = 0;
};

void ReturnToRing(SharedIOBuf::Storage& storage) {
  // The Storage is the slot's first member: the slot is where it is.
  reinterpret_cast<RingSlot*>(&storage)->returned++;
}

TEST(IOBufTest, WrappedBytesGoBackToTheirOwnerWhenTheLastDescriptorGoes) {
  RingSlot slot;
  slot.storage.release = &ReturnToRing;
  memcpy(slot.bytes, "headerpayload", 13);
  auto buf = SharedIOBuf::Wrap(slot.storage, slot.bytes, sizeof(slot.bytes), 0, 13);
  EXPECT_EQ(buf->kind(), IOBuf::Kind::kShared);
  EXPECT_EQ(buf->data(), slot.bytes);
  EXPECT_EQ(buf->length(), 13u);
  buf->Advance(6);  // strip a header: the view, not the bytes
  auto clone = SharedIOBuf::Clone(*buf);
  EXPECT_EQ(static_cast<SharedIOBuf&>(*clone).ShareCount(), 2u);
  buf.reset();
  EXPECT_EQ(slot.returned, 0);  // the clone still holds the bytes
  EXPECT_EQ(ChainString(*clone), "payload");
  clone.reset();
  EXPECT_EQ(slot.returned, 1);
  // Back with its owner, the storage can stand for the next packet.
  auto again = SharedIOBuf::Wrap(slot.storage, slot.bytes, sizeof(slot.bytes), 2, 4);
  EXPECT_EQ(again->data(), slot.bytes + 2);
  again.reset();
  EXPECT_EQ(slot.returned, 2);
}

TEST(IOBufTest, SplittingAWrappedLinkKeepsItsBytesUntilBothHalvesGo) {
  RingSlot slot;
  slot.storage.release = &ReturnToRing;
  memcpy(slot.bytes, "abcdef", 6);
  auto head = SharedIOBuf::Wrap(slot.storage, slot.bytes, sizeof(slot.bytes), 0, 6);
  auto rest = IOBuf::SplitAt(*head, 2);
  ASSERT_NE(rest, nullptr);
  EXPECT_EQ(ChainString(*head), "ab");
  EXPECT_EQ(ChainString(*rest), "cdef");
  head.reset();
  EXPECT_EQ(slot.returned, 0);
  rest.reset();
  EXPECT_EQ(slot.returned, 1);
}

}  // namespace
}  // namespace ebbrt
