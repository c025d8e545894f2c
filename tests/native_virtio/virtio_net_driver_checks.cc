// SPDX-License-Identifier: Apache-2.0
// The virtio-net driver against QEMU's virtio-net and user networking (the BUILD file has
// the command line): hundreds of ARP requests to the gateway, more than either ring holds,
// each answered (receive buffers recycle, transmitted chains are reclaimed); a frame of
// several links; frame memory that is not DMA-able refused; receive buffers the
// application still holds outliving Shutdown, the driver's memory going only when they do.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <memory>
#include <vector>

#include "ebbrt/drivers/virtio_net/virtio_net.h"
#include "ebbrt/future/future.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ethernet.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"
#include "tests/native_virtio/arp_frames.h"

namespace ebbrt::virtio {
namespace {

constexpr pci::Address kNic{0, 3, 0};

// A driver's memory goes a grace period after the driver: wait for it, bounded.
void WaitUntilQueueMemoryFreed() {
  for (int i = 0; i < 500 && VirtioNetDriver::LiveQueueMemory() != 0; ++i) ebbrt::testing_internal::BlockForMs(2);
  EXPECT_EQ(VirtioNetDriver::LiveQueueMemory(), 0u);
}

std::unique_ptr<IOBuf> ArpRequest() { return ArpRequestFrame(); }

TEST(VirtioNetDriverTest, EveryRequestOfManyIsAnswered) {
  ebbrt::testing_internal::InFreshRun(1, [] {
    size_t replies = 0, others = 0;
    net::FunctionReceiver receiver([&](std::unique_ptr<IOBuf> frame, const net::RxMetadata&) {
          EXPECT_FALSE(frame->IsChained());
          if (IsGatewayArpReply(*frame)) {
            ++replies;
          } else {
            ++others;
          }
        });
    auto nic = VirtioNetDriver::Create(kNic);
    ASSERT_TRUE(nic.ok()) << nic.status().message();
    nic.value()->SetReceiver(&receiver);
    VirtioNetDriver& driver = *nic.value();
    EXPECT_TRUE(driver.mac() == kTestMac);
    EXPECT_TRUE(driver.link_up());
    // 600 requests in bursts of 50, each burst answered before the next: more frames
    // than either ring's 256 entries pass through both.
    constexpr size_t kRequests = 600, kBurst = 50;
    for (size_t sent = 0; sent < kRequests; sent += kBurst) {
      for (size_t i = 0; i < kBurst; ++i) ASSERT_TRUE(driver.Transmit(ArpRequest(), {}).ok());
      for (int wait = 0; wait < 500 && replies < sent + kBurst; ++wait) ebbrt::testing_internal::BlockForMs(2);
      ASSERT_EQ(replies, sent + kBurst) << "after " << sent + kBurst << " requests";
    }
    const VirtioNetCounters c = driver.counters();
    EXPECT_EQ(c.tx_frames, kRequests);
    EXPECT_EQ(c.tx_bytes, kRequests * kArpFrameBytes);
    EXPECT_EQ(c.tx_ring_full, 0u);
    EXPECT_EQ(c.rx_frames, replies + others);
    EXPECT_GE(c.rx_interrupts, 1u);
    EXPECT_GE(c.rx_polls, 1u);
    EXPECT_EQ(c.device_errors, 0u);
    EXPECT_EQ(c.rx_short, 0u);
    EXPECT_EQ(driver.queue_pairs(), 1u);
    printf("virtio_net_driver: %zu replies, %llu interrupts, %llu polls with work, %llu notifies\n", replies,
           static_cast<unsigned long long>(c.rx_interrupts), static_cast<unsigned long long>(c.rx_polls),
           static_cast<unsigned long long>(c.tx_notifies));
    driver.Shutdown();
    nic.value().reset();
    WaitUntilQueueMemoryFreed();
  });
}

TEST(VirtioNetDriverTest, FrameOfSeveralLinksAndUnDmaableMemory) {
  ebbrt::testing_internal::InFreshRun(1, [] {
    size_t replies = 0;
    net::FunctionReceiver receiver([&](std::unique_ptr<IOBuf> frame, const net::RxMetadata&) {
      replies += IsGatewayArpReply(*frame) ? 1 : 0;
    });
    auto nic = VirtioNetDriver::Create(kNic);
    ASSERT_TRUE(nic.ok()) << nic.status().message();
    nic.value()->SetReceiver(&receiver);
    // The Ethernet header and the ARP body in two links, with an empty link between.
    auto header = ArpRequestFrame();
    auto body = IOBuf::SplitAt(*header, net::wire::kEthernetHeaderLength);
    ASSERT_NE(body, nullptr);
    header->AppendChain(UniqueIOBuf::Create(16));
    header->AppendChain(std::move(body));
    ASSERT_TRUE(nic.value()->Transmit(std::move(header), {}).ok());
    for (int wait = 0; wait < 500 && replies == 0; ++wait) ebbrt::testing_internal::BlockForMs(2);
    EXPECT_EQ(replies, 1u);
    // A buffer on this event's stack means nothing to the device: refused, not sent.
    uint8_t on_stack[kArpFrameBytes];
    memcpy(on_stack, ArpRequestFrame()->data(), kArpFrameBytes);
    EXPECT_EQ(nic.value()->Transmit(ViewIOBuf::Create(on_stack, sizeof(on_stack)), {}).code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(nic.value()->Transmit(UniqueIOBuf::Create(8), {}).code(), StatusCode::kInvalidArgument);  // empty
    EXPECT_EQ(nic.value()->counters().tx_frames, 1u);
    nic.value().reset();
    WaitUntilQueueMemoryFreed();
  });
}

TEST(VirtioNetDriverTest, HeldReceiveBuffersOutliveTheDriver) {
  ebbrt::testing_internal::InFreshRun(1, [] {
    ASSERT_EQ(VirtioNetDriver::LiveQueueMemory(), 0u);
    std::vector<std::unique_ptr<IOBuf>> held;
    net::FunctionReceiver receiver([&](std::unique_ptr<IOBuf> frame, const net::RxMetadata&) {
      if (IsGatewayArpReply(*frame)) held.push_back(std::move(frame));
    });
    auto nic = VirtioNetDriver::Create(kNic);
    ASSERT_TRUE(nic.ok()) << nic.status().message();
    nic.value()->SetReceiver(&receiver);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(nic.value()->Transmit(ArpRequest(), {}).ok());
    for (int wait = 0; wait < 500 && held.size() < 5; ++wait) ebbrt::testing_internal::BlockForMs(2);
    ASSERT_EQ(held.size(), 5u);
    nic.value().reset();  // shut down and gone, with five of its buffers out
    // The buffers still read as the replies they hold: the memory they belong to stays.
    for (const auto& frame : held) EXPECT_TRUE(IsGatewayArpReply(*frame));
    EXPECT_EQ(VirtioNetDriver::LiveQueueMemory(), 1u);
    held.pop_back();
    EXPECT_EQ(VirtioNetDriver::LiveQueueMemory(), 1u);
    held.clear();  // the last one frees it, a grace period later
    WaitUntilQueueMemoryFreed();
  });
}

}  // namespace
}  // namespace ebbrt::virtio
