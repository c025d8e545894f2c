// SPDX-License-Identifier: Apache-2.0
// The in-memory device pair: frames cross without a copy, as a separate event on the
// sender's core; the MTU and a missing receiver are counted; checksum offload is done in
// software; 10,000 frames through 5 % loss, duplication and reordering are each
// delivered intact or counted lost; on 4 cores each core's frames arrive on that core.
#include "ebbrt/net/in_memory_device.h"

#include <stdint.h>
#include <string.h>

#include <atomic>
#include <map>
#include <memory>

#include "ebbrt/core/cpu.h"
#include "ebbrt/event/spawn_on.h"
#include "ebbrt/net/wire/checksum.h"
#include "ebbrt/testing/on_cores.h"
#include "ebbrt/testing/require_cores.h"
#include "gtest/gtest.h"

namespace ebbrt::net {
namespace {

using ebbrt::testing_internal::BlockForMs;
using ebbrt::testing_internal::InFreshRun;

// A frame: a 14-byte Ethernet header (b's MAC as destination), then `seq` and filler.
std::unique_ptr<IOBuf> Frame(uint32_t seq, size_t length = 64) {
  auto f = UniqueIOBuf::Create(length);
  memset(f->MutableData(), 0xab, length);
  memcpy(f->MutableData() + 14, &seq, 4);
  f->Append(length);
  return f;
}

uint32_t SeqOf(const IOBuf& f) {
  uint32_t seq;
  memcpy(&seq, f.data() + 14, 4);
  return seq;
}

class Recorder : public FrameReceiver {
 public:
  void ReceiveFrame(std::unique_ptr<IOBuf> frame, const RxMetadata& rx) override {
    if (rx.queue != MyCore()) wrong_core.fetch_add(1);
    if (keep_last) {  // one core only: `last` is not shared
      last_data = frame->data();
      last = std::move(frame);
    }
    frames.fetch_add(1);
  }
  bool keep_last = true;
  std::atomic<uint64_t> frames{0};
  std::atomic<uint64_t> wrong_core{0};
  std::unique_ptr<IOBuf> last;
  const uint8_t* last_data = nullptr;
};

void WaitFor(const std::atomic<uint64_t>& value, uint64_t at_least) {
  for (int i = 0; i < 2000 && value.load() < at_least; ++i) BlockForMs(1);
}

TEST(InMemoryDeviceTest, FramesCrossWithoutACopyAsALaterEvent) {
  InFreshRun(1, [] {
    InMemoryDevicePair link;
    Recorder at_b;
    link.b().SetReceiver(&at_b);
    EXPECT_EQ(link.a().mac(), (wire::MacAddress{{0x02, 0, 0, 0, 0, 0x0a}}));
    EXPECT_EQ(link.a().queue_pairs(), 1u);
    auto frame = Frame(7);
    const uint8_t* sent_bytes = frame->data();
    ASSERT_TRUE(link.a().Transmit(std::move(frame), {}).ok());
    EXPECT_EQ(at_b.frames.load(), 0u);  // not inside Transmit
    WaitFor(at_b.frames, 1);
    ASSERT_EQ(at_b.frames.load(), 1u);
    EXPECT_EQ(at_b.last_data, sent_bytes);  // the same memory
    EXPECT_EQ(SeqOf(*at_b.last), 7u);
    EXPECT_EQ(at_b.wrong_core.load(), 0u);
  });
}

TEST(InMemoryDeviceTest, OversizeAndNoReceiverAreCounted) {
  InFreshRun(1, [] {
    InMemoryDevicePair link({.mtu = 100});
    EXPECT_EQ(link.a().Transmit(Frame(1, 14 + 101), {}).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(link.a().Transmit(Frame(2, 14 + 100), {}).code(), StatusCode::kOk);
    EXPECT_EQ(link.a().Transmit(Frame(3, 10), {}).code(), StatusCode::kInvalidArgument);  // no header
    BlockForMs(2);
    EXPECT_EQ(link.a_to_b_counters().oversize, 2u);
    EXPECT_EQ(link.a_to_b_counters().no_receiver, 1u);  // b had no receiver for frame 2
  });
}

TEST(InMemoryDeviceTest, ChecksumOffloadIsDoneInSoftware) {
  InFreshRun(1, [] {
    InMemoryDevicePair link;
    Recorder at_b;
    link.b().SetReceiver(&at_b);
    ASSERT_TRUE(link.a().features().tx_checksum);
    // Two links, the checksummed range spanning both; the field holds a pseudo-header sum.
    auto head = Frame(9, 40);
    auto tail = UniqueIOBuf::Create(33);
    memset(tail->MutableData(), 0x5c, 33);
    tail->Append(33);
    head->MutableData()[20] = 0x12;
    head->MutableData()[21] = 0x34;
    head->AppendChain(std::move(tail));
    ASSERT_TRUE(link.a().Transmit(std::move(head), {.needs_checksum = true, .checksum_start = 14, .checksum_offset = 6}).ok());
    WaitFor(at_b.frames, 1);
    ASSERT_EQ(at_b.frames.load(), 1u);
    // The field now holds ~(pseudo-header sum + the rest of the range), so the range as
    // received sums to ~pseudo: its checksum is the pseudo-header sum, and with the
    // pseudo-header added back (as a receiver does) it verifies.
    EXPECT_EQ(wire::InternetChecksum(*at_b.last, 14, 40 + 33 - 14), 0x1234);
    EXPECT_NE(at_b.last->data()[20] << 8 | at_b.last->data()[21], 0x1234);
    EXPECT_EQ(link.a().Transmit(Frame(10), {.needs_checksum = true, .checksum_start = 60, .checksum_offset = 6}).code(),
              StatusCode::kInvalidArgument);  // the field past the end
  });
}

TEST(InMemoryDeviceTest, EveryFrameIsDeliveredIntactOrCountedLost) {
  InFreshRun(1, [] {
    InMemoryDevicePair link({.a_to_b = {.loss = 0.05, .duplicate = 0.02, .reorder = 0.03, .seed = 11}});
    std::map<uint32_t, int> seen;
    uint64_t corrupt = 0;
    class Checker : public FrameReceiver {
     public:
      Checker(std::map<uint32_t, int>& seen, uint64_t& corrupt) : seen_(seen), corrupt_(corrupt) {}
      void ReceiveFrame(std::unique_ptr<IOBuf> frame, const RxMetadata&) override {
        bool intact = frame->length() == 200;
        for (size_t i = 18; intact && i < frame->length(); ++i) intact = frame->data()[i] == 0xab;
        if (!intact) ++corrupt_;
        seen_[SeqOf(*frame)]++;
        ++frames;
      }
      std::atomic<uint64_t> frames{0};

     private:
      std::map<uint32_t, int>& seen_;
      uint64_t& corrupt_;
    } checker(seen, corrupt);
    link.b().SetReceiver(&checker);
    constexpr uint32_t kFrames = 10'000;
    for (uint32_t i = 0; i < kFrames; ++i) {
      ASSERT_TRUE(link.a().Transmit(Frame(i, 200), {}).ok());
      if (i % 100 == 99) BlockForMs(1);  // let the deliveries run
    }
    link.Flush();
    const ImpairmentCounters c = link.a_to_b_counters().impairment;
    WaitFor(checker.frames, c.delivered);
    EXPECT_EQ(checker.frames.load(), c.delivered);
    EXPECT_EQ(c.delivered, kFrames - c.lost + c.duplicated);
    EXPECT_EQ(kFrames - seen.size(), c.lost);
    EXPECT_GT(c.lost, 400u);
    EXPECT_GT(c.reordered, 100u);
    EXPECT_EQ(corrupt, 0u);
  });
}

TEST(InMemoryDeviceTest, EachCoresFramesArriveOnThatCore) {
  EBBRT_REQUIRE_CORES(4);
  InMemoryDevicePair* link = nullptr;
  Recorder at_b;
  at_b.keep_last = false;
  InFreshRun(4, [&] {
    link = new InMemoryDevicePair;
    link->b().SetReceiver(&at_b);
    EXPECT_EQ(link->a().queue_pairs(), 4u);
    EXPECT_TRUE(ebbrt::ForEachCore([&](size_t core) {
                  for (uint32_t i = 0; i < 100; ++i) EXPECT_TRUE(link->a().Transmit(Frame(core), {}).ok());
                }).Block().ok());
    WaitFor(at_b.frames, 400);
    EXPECT_EQ(at_b.frames.load(), 400u);
    EXPECT_EQ(at_b.wrong_core.load(), 0u);
    delete link;
  });
}

}  // namespace
}  // namespace ebbrt::net
