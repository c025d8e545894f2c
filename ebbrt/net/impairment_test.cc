// SPDX-License-Identifier: Apache-2.0
// Impairment: identity when off, replayable from a seed, rates within tolerance, every
// frame accounted for (delivered, lost, or duplicated), reordering by one place only, and
// corruption of exactly one bit.
#include "ebbrt/net/impairment.h"

#include <stdint.h>

#include <map>
#include <vector>

#include "gtest/gtest.h"

namespace ebbrt::net {
namespace {

// A frame: its sequence number and bytes.
struct TestFrame {
  uint32_t seq;
  std::vector<uint8_t> bytes;
};

ImpairedChannel<TestFrame> Channel(const ImpairmentConfig& config) {
  return ImpairedChannel<TestFrame>(
      config, {.copy = [](const TestFrame& f) { return f; },
               .length = [](const TestFrame& f) { return f.bytes.size(); },
               .flip = [](TestFrame& f, size_t offset, uint8_t mask) { f.bytes[offset] ^= mask; }});
}

std::vector<TestFrame> SendAll(ImpairedChannel<TestFrame>& channel, uint32_t frames) {
  std::vector<TestFrame> out;
  auto deliver = [&](TestFrame f) { out.push_back(std::move(f)); };
  for (uint32_t i = 0; i < frames; ++i) channel.Send(TestFrame{i, std::vector<uint8_t>(64, 0x55)}, deliver);
  channel.Flush(deliver);
  return out;
}

TEST(ImpairmentTest, OffIsTheIdentity) {
  auto channel = Channel({});
  std::vector<TestFrame> out = SendAll(channel, 1000);
  ASSERT_EQ(out.size(), 1000u);
  for (uint32_t i = 0; i < 1000; ++i) EXPECT_EQ(out[i].seq, i);
  EXPECT_EQ(channel.counters().delivered, 1000u);
  EXPECT_EQ(channel.counters().lost + channel.counters().duplicated + channel.counters().reordered +
                channel.counters().corrupted,
            0u);
}

TEST(ImpairmentTest, TheSeedReplaysTheRun) {
  const ImpairmentConfig config{.loss = 0.1, .duplicate = 0.1, .reorder = 0.1, .corrupt = 0.1, .seed = 42};
  auto a = Channel(config);
  auto b = Channel(config);
  std::vector<TestFrame> first = SendAll(a, 2000), second = SendAll(b, 2000);
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].seq, second[i].seq);
    EXPECT_EQ(first[i].bytes, second[i].bytes);
  }
  auto c = Channel({.loss = 0.1, .duplicate = 0.1, .reorder = 0.1, .corrupt = 0.1, .seed = 43});
  std::vector<TestFrame> third = SendAll(c, 2000);
  bool differs = third.size() != first.size();
  for (size_t i = 0; !differs && i < first.size(); ++i) differs = first[i].seq != third[i].seq;
  EXPECT_TRUE(differs);
}

TEST(ImpairmentTest, RatesAndAccounting) {
  constexpr uint32_t kFrames = 100'000;
  auto channel = Channel({.loss = 0.05, .duplicate = 0.02, .reorder = 0.03, .corrupt = 0.01, .seed = 7});
  std::vector<TestFrame> out = SendAll(channel, kFrames);
  const ImpairmentCounters& c = channel.counters();
  EXPECT_EQ(c.frames_in, kFrames);
  EXPECT_NEAR(static_cast<double>(c.lost) / kFrames, 0.05, 0.005);
  // The others are decided for frames that were not lost.
  const double kept = static_cast<double>(kFrames - c.lost);
  EXPECT_NEAR(c.duplicated / kept, 0.02, 0.003);
  EXPECT_NEAR(c.corrupted / kept, 0.01, 0.002);
  EXPECT_GT(c.reordered, 0u);
  EXPECT_EQ(c.delivered, out.size());
  EXPECT_EQ(c.delivered, kFrames - c.lost + c.duplicated);
  // Every sequence number arrives 0, 1 or 2 times; twice only when duplicated.
  std::map<uint32_t, int> times;
  for (const TestFrame& f : out) times[f.seq]++;
  uint64_t missing = kFrames - times.size(), twice = 0;
  for (auto& [seq, n] : times) {
    EXPECT_LE(n, 2) << seq;
    twice += n == 2;
  }
  EXPECT_EQ(missing, c.lost);
  EXPECT_EQ(twice, c.duplicated);
}

TEST(ImpairmentTest, ReorderingMovesAFrameOnePlace) {
  auto channel = Channel({.reorder = 0.2, .seed = 3});
  std::vector<TestFrame> out = SendAll(channel, 5000);
  ASSERT_EQ(out.size(), 5000u);
  size_t out_of_order = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t displacement = static_cast<int64_t>(out[i].seq) - static_cast<int64_t>(i);
    EXPECT_LE(displacement < 0 ? -displacement : displacement, 1) << "at " << i;
    out_of_order += displacement != 0;
  }
  EXPECT_GT(out_of_order, 0u);
}

TEST(ImpairmentTest, CorruptionFlipsExactlyOneBit) {
  auto channel = Channel({.corrupt = 1.0, .seed = 9});
  std::vector<TestFrame> out = SendAll(channel, 100);
  ASSERT_EQ(out.size(), 100u);
  for (const TestFrame& f : out) {
    int flipped = 0;
    for (uint8_t b : f.bytes) flipped += __builtin_popcount(b ^ 0x55);
    EXPECT_EQ(flipped, 1);
  }
}

}  // namespace
}  // namespace ebbrt::net
