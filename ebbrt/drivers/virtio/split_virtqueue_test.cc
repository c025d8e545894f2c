// SPDX-License-Identifier: Apache-2.0
// The split virtqueue's driver side against a simulated device: the ring layout, chains
// out and back, running out of descriptors, out-of-order completion, notification and
// interrupt suppression with and without event indexes, and a device that returns
// garbage (bad ids, lengths, indexes).
#include "ebbrt/drivers/virtio/split_virtqueue.h"

#include <stdint.h>

#include <map>
#include <memory>
#include <vector>

#include "ebbrt/base/xorshift.h"
#include "ebbrt/drivers/virtio/fake_virtio_device.h"
#include "gtest/gtest.h"

namespace ebbrt::virtio {
namespace {

// Ring memory for `size` entries, aligned as the queue needs.
struct Ring {
  explicit Ring(uint16_t size) : storage(SplitVirtqueue::RingBytes(size) + SplitVirtqueue::kAlignment) {
    uintptr_t p = reinterpret_cast<uintptr_t>(storage.data());
    bytes = reinterpret_cast<uint8_t*>((p + SplitVirtqueue::kAlignment - 1) & ~(SplitVirtqueue::kAlignment - 1));
  }
  std::vector<uint8_t> storage;
  uint8_t* bytes;
};

uint64_t Address(const void* p) { return reinterpret_cast<uintptr_t>(p); }

TEST(SplitVirtqueueTest, LayoutFollowsTheSpec) {
  // §2.6: 16 bytes per descriptor; avail: flags, idx, ring[N], used_event; used (4-aligned):
  // flags, idx, ring[N] of {id, len}, avail_event.
  EXPECT_EQ(SplitVirtqueue::RingBytes(256), 4096u + 520u + 6u + 2048u);
  EXPECT_EQ(SplitVirtqueue::RingBytes(1), 16u + 8u + 14u);
  Ring ring(8);
  SplitVirtqueue queue(ring.bytes, 8, false);
  EXPECT_EQ(queue.desc_offset(), 0u);
  EXPECT_EQ(queue.avail_offset(), 128u);
  EXPECT_EQ(queue.used_offset(), 128u + 24u);
  EXPECT_EQ(queue.used_offset() % 4, 0u);
  EXPECT_EQ(queue.free_descriptors(), 8);
}

TEST(SplitVirtqueueTest, ChainGoesOutAndComesBack) {
  Ring ring(16);
  SplitVirtqueue queue(ring.bytes, 16, false);
  FakeVirtqueueDevice device(ring.bytes, 16, false);
  uint8_t header[12] = {1, 2, 3};
  uint8_t body[1500];
  int token;
  Result<uint16_t> head = queue.Add({{.address = Address(header), .length = 12},
                                     {.address = Address(body), .length = 1500, .device_writes = true}},
                                    &token);
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(queue.free_descriptors(), 14);
  EXPECT_FALSE(device.TakeAvailable().has_value());  // not published yet
  EXPECT_TRUE(queue.Publish());                      // the device did not say otherwise
  EXPECT_FALSE(queue.Publish());                     // nothing new
  std::optional<FakeVirtqueueDevice::Chain> chain = device.TakeAvailable();
  ASSERT_TRUE(chain.has_value());
  EXPECT_EQ(chain->head, head.value());
  ASSERT_EQ(chain->segments.size(), 2u);
  EXPECT_EQ(chain->segments[0].pointer(), header);
  EXPECT_EQ(chain->segments[0].length, 12u);
  EXPECT_FALSE(chain->segments[0].device_writes);
  EXPECT_EQ(chain->segments[1].pointer(), body);
  EXPECT_TRUE(chain->segments[1].device_writes);
  EXPECT_FALSE(queue.HasUsed());
  EXPECT_TRUE(device.PutUsed(chain->head, 700));
  EXPECT_TRUE(queue.HasUsed());
  std::optional<UsedBuffer> used = queue.PopUsed();
  ASSERT_TRUE(used.has_value());
  EXPECT_EQ(used->token, &token);
  EXPECT_EQ(used->length, 700u);
  EXPECT_EQ(queue.free_descriptors(), 16);
  EXPECT_FALSE(queue.PopUsed().has_value());
}

TEST(SplitVirtqueueTest, BadChainsAreRefused) {
  Ring ring(4);
  SplitVirtqueue queue(ring.bytes, 4, false);
  uint8_t b[8];
  EXPECT_EQ(queue.Add({}, nullptr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queue.Add({{.address = Address(b), .length = 0}}, nullptr).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(queue.Add({{.address = Address(b), .length = 8, .device_writes = true},
                       {.address = Address(b), .length = 8}},
                      nullptr)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(queue.free_descriptors(), 4);
}

TEST(SplitVirtqueueTest, RunsOutOfDescriptorsAndRecovers) {
  Ring ring(8);
  SplitVirtqueue queue(ring.bytes, 8, false);
  FakeVirtqueueDevice device(ring.bytes, 8, false);
  uint8_t b[64];
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(queue.Add({{.address = Address(b), .length = 8}, {.address = Address(b), .length = 8}}, b + i).ok());
  }
  EXPECT_EQ(queue.free_descriptors(), 0);
  EXPECT_EQ(queue.Add({{.address = Address(b), .length = 8}}, nullptr).status().code(),
            StatusCode::kResourceExhausted);
  (void)queue.Publish();
  std::vector<uint16_t> heads;
  while (auto chain = device.TakeAvailable()) heads.push_back(chain->head);
  ASSERT_EQ(heads.size(), 4u);
  device.PutUsed(heads[2], 0);
  std::optional<UsedBuffer> used = queue.PopUsed();
  ASSERT_TRUE(used.has_value());
  EXPECT_EQ(used->token, b + 2);
  EXPECT_EQ(queue.free_descriptors(), 2);
  EXPECT_TRUE(queue.Add({{.address = Address(b), .length = 8}, {.address = Address(b), .length = 8}}, b + 9).ok());
}

// Many rounds of chains of 1-4 descriptors, completed by the device in a shuffled order:
// every token comes back exactly once with its length, and no descriptor is lost.
TEST(SplitVirtqueueTest, OutOfOrderCompletionKeepsEveryDescriptor) {
  constexpr uint16_t kSize = 64;
  Ring ring(kSize);
  SplitVirtqueue queue(ring.bytes, kSize, true);
  FakeVirtqueueDevice device(ring.bytes, kSize, true);
  XorShift64Star rng(42);
  std::vector<uint8_t> memory(4096);
  std::map<uintptr_t, uint32_t> out;  // token -> writable bytes
  uintptr_t next_token = 1;
  std::vector<FakeVirtqueueDevice::Chain> taken;
  size_t completed = 0;
  for (int round = 0; round < 20000; ++round) {
    if (rng.Next() % 2 == 0) {
      BufferSegment segments[4];
      const size_t n = 1 + rng.Next() % 4;
      uint32_t writable = 0;
      for (size_t i = 0; i < n; ++i) {
        segments[i] = {.address = Address(memory.data()), .length = static_cast<uint32_t>(1 + rng.Next() % 512),
                       .device_writes = i + 1 == n};
        if (segments[i].device_writes) writable += segments[i].length;
      }
      Result<uint16_t> head = queue.Add(std::span<const BufferSegment>(segments, n),
                                        reinterpret_cast<void*>(next_token));
      if (head.ok()) {
        out[next_token++] = writable;
      } else {
        ASSERT_EQ(head.status().code(), StatusCode::kResourceExhausted);
        ASSERT_LT(queue.free_descriptors(), n);
      }
      (void)queue.Publish();
    } else {
      while (auto chain = device.TakeAvailable()) taken.push_back(*chain);
      if (!taken.empty()) {
        size_t pick = rng.Next() % taken.size();
        uint32_t writable = 0;
        for (auto& s : taken[pick].segments) writable += s.device_writes ? s.length : 0;
        device.PutUsed(taken[pick].head, writable / 2);
        taken.erase(taken.begin() + static_cast<long>(pick));
      }
      while (std::optional<UsedBuffer> used = queue.PopUsed()) {
        auto it = out.find(reinterpret_cast<uintptr_t>(used->token));
        ASSERT_NE(it, out.end()) << "a token that was not out";
        EXPECT_EQ(used->length, it->second / 2);
        out.erase(it);
        ++completed;
      }
    }
    ASSERT_EQ(queue.outstanding() + queue.free_descriptors(), kSize);
  }
  EXPECT_GT(completed, 1000u);
  EXPECT_EQ(queue.bad_used_ids() + queue.bad_used_lengths() + queue.bad_used_indexes(), 0u);
  EXPECT_FALSE(queue.broken());
}

TEST(SplitVirtqueueTest, NotifiesOnlyWhenTheDeviceAsks) {
  uint8_t b[8];
  {
    Ring ring(8);
    SplitVirtqueue queue(ring.bytes, 8, false);
    FakeVirtqueueDevice device(ring.bytes, 8, false);
    device.SetNoNotify(true);
    ASSERT_TRUE(queue.Add({{.address = Address(b), .length = 8}}, nullptr).ok());
    EXPECT_FALSE(queue.Publish());
    device.SetNoNotify(false);
    ASSERT_TRUE(queue.Add({{.address = Address(b), .length = 8}}, nullptr).ok());
    EXPECT_TRUE(queue.Publish());
  }
  {
    // With event indexes the device names the avail index it wants to hear about.
    Ring ring(8);
    SplitVirtqueue queue(ring.bytes, 8, true);
    FakeVirtqueueDevice device(ring.bytes, 8, true);
    device.SetAvailEvent(2);  // notify when entry 2 (the third) is published
    ASSERT_TRUE(queue.Add({{.address = Address(b), .length = 8}}, nullptr).ok());
    EXPECT_FALSE(queue.Publish());  // idx 0 -> 1
    ASSERT_TRUE(queue.Add({{.address = Address(b), .length = 8}}, nullptr).ok());
    EXPECT_FALSE(queue.Publish());  // 1 -> 2
    ASSERT_TRUE(queue.Add({{.address = Address(b), .length = 8}}, nullptr).ok());
    ASSERT_TRUE(queue.Add({{.address = Address(b), .length = 8}}, nullptr).ok());
    EXPECT_TRUE(queue.Publish());  // 2 -> 4 passes entry 2
  }
}

TEST(SplitVirtqueueTest, InterruptSuppressionWithoutLostWakeups) {
  for (bool event_idx : {false, true}) {
    Ring ring(8);
    SplitVirtqueue queue(ring.bytes, 8, event_idx);
    FakeVirtqueueDevice device(ring.bytes, 8, event_idx);
    uint8_t b[8];
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(queue.Add({{.address = Address(b), .length = 8, .device_writes = true}}, b + i).ok());
    (void)queue.Publish();
    std::vector<uint16_t> heads;
    while (auto chain = device.TakeAvailable()) heads.push_back(chain->head);
    EXPECT_TRUE(device.PutUsed(heads[0], 1)) << "event_idx=" << event_idx;
    ASSERT_TRUE(queue.PopUsed().has_value());
    queue.DisableInterrupts();  // polling now
    EXPECT_FALSE(device.PutUsed(heads[1], 1)) << "event_idx=" << event_idx;
    ASSERT_TRUE(queue.PopUsed().has_value());
    EXPECT_FALSE(queue.EnableInterrupts());  // nothing raced in
    EXPECT_TRUE(device.PutUsed(heads[2], 1)) << "event_idx=" << event_idx;
    // An entry that arrives while interrupts are off is seen by EnableInterrupts.
    ASSERT_TRUE(queue.PopUsed().has_value());
    ASSERT_TRUE(queue.Add({{.address = Address(b), .length = 8, .device_writes = true}}, b).ok());
    (void)queue.Publish();
    auto chain = device.TakeAvailable();
    ASSERT_TRUE(chain.has_value());
    queue.DisableInterrupts();
    EXPECT_FALSE(device.PutUsed(chain->head, 1));
    EXPECT_TRUE(queue.EnableInterrupts()) << "event_idx=" << event_idx;
  }
}

// One one-descriptor chain out and published, for the misbehaving-device tests.
class MisbehavingDeviceTest : public testing::Test {
 protected:
  MisbehavingDeviceTest() : ring_(8), queue_(ring_.bytes, 8, false), device_(ring_.bytes, 8, false) {
    EXPECT_TRUE(queue_.Add({{.address = Address(buffer_), .length = 8}}, buffer_).ok());
    (void)queue_.Publish();
    device_.TakeAvailable();
  }
  Ring ring_;
  SplitVirtqueue queue_;
  FakeVirtqueueDevice device_;
  uint8_t buffer_[8];
};

TEST_F(MisbehavingDeviceTest, GarbageIdBreaksTheQueueWithoutHarm) {
  device_.WriteUsedEntry(5, 4);  // descriptor 5 was never given out
  device_.SetUsedIndex(1);
  EXPECT_FALSE(queue_.PopUsed().has_value());
  EXPECT_TRUE(queue_.broken());
  EXPECT_EQ(queue_.bad_used_ids(), 1u);
  EXPECT_EQ(queue_.Add({{.address = Address(buffer_), .length = 8}}, buffer_).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(queue_.HasUsed());
}

TEST_F(MisbehavingDeviceTest, OutOfRangeIdIsCaught) {
  device_.WriteUsedEntry(0xffffffffu, 4);
  device_.SetUsedIndex(1);
  EXPECT_FALSE(queue_.PopUsed().has_value());
  EXPECT_EQ(queue_.bad_used_ids(), 1u);
  EXPECT_TRUE(queue_.broken());
}

TEST_F(MisbehavingDeviceTest, JumpingIndexIsCaught) {
  device_.SetUsedIndex(40);  // 40 entries with one chain out
  EXPECT_FALSE(queue_.PopUsed().has_value());
  EXPECT_EQ(queue_.bad_used_indexes(), 1u);
  EXPECT_TRUE(queue_.broken());
}

TEST(SplitVirtqueueTest, OverlongLengthIsClampedAndCounted) {
  Ring ring(8);
  SplitVirtqueue queue(ring.bytes, 8, false);
  FakeVirtqueueDevice device(ring.bytes, 8, false);
  uint8_t header[10], body[100];
  ASSERT_TRUE(queue.Add({{.address = Address(header), .length = 10},
                         {.address = Address(body), .length = 100, .device_writes = true}},
                        body)
                  .ok());
  (void)queue.Publish();
  auto chain = device.TakeAvailable();
  device.PutUsed(chain->head, 5000);
  std::optional<UsedBuffer> used = queue.PopUsed();
  ASSERT_TRUE(used.has_value());
  EXPECT_EQ(used->length, 100u);  // never more than the device may write
  EXPECT_EQ(queue.bad_used_lengths(), 1u);
  EXPECT_FALSE(queue.broken());
}

}  // namespace
}  // namespace ebbrt::virtio
