// SPDX-License-Identifier: Apache-2.0
// The virtio-net driver with two queue pairs over a multi-queue tap (the BUILD file: 2 vCPUs,
// --net tap): UDP datagrams that Linux sends from many source ports are spread by the
// kernel's tap over both queues, and each pair's frames are delivered on its own core.
// The peer (send_udp_flows.sh) sends until the image says it is done.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <atomic>
#include <memory>

#include "ebbrt/core/cpu.h"
#include "ebbrt/drivers/virtio_net/virtio_net.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace ebbrt::virtio {
namespace {

constexpr pci::Address kNic{0, 2, 0};  // the runner's NIC
constexpr uint64_t kWantedPerPair = 20;

std::atomic<uint64_t> g_udp[2];
std::atomic<uint64_t> g_wrong_core{0};

// An IPv4/UDP frame to 10.0.3.2 (the runner's guest address), port 9.
bool IsUdpToUs(const IOBuf& frame) {
  const uint8_t* f = frame.data();
  return frame.length() >= 42 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 17 && f[30] == 10 && f[31] == 0 &&
         f[32] == 3 && f[33] == 2 && f[36] == 0 && f[37] == 9;
}

TEST(VirtioNetMultiqueueTest, FlowsArriveOnBothPairsEachOnItsCore) {
  ebbrt::testing_internal::InFreshRun(2, [] {
    net::FunctionReceiver receiver([](std::unique_ptr<IOBuf> frame, const net::RxMetadata& info) {
      if (MyCore() != info.queue) g_wrong_core.fetch_add(1);
      if (IsUdpToUs(*frame) && info.queue < 2) g_udp[info.queue].fetch_add(1);
    });
    auto nic = VirtioNetDriver::Create(kNic);
    ASSERT_TRUE(nic.ok()) << nic.status().message();
    nic.value()->SetReceiver(&receiver);
    ASSERT_EQ(nic.value()->queue_pairs(), 2u);
    printf("virtio_net_mq: ready\n");
    for (int i = 0; i < 2000 && (g_udp[0].load() < kWantedPerPair || g_udp[1].load() < kWantedPerPair); ++i) {
      ebbrt::testing_internal::BlockForMs(5);
    }
    printf("virtio_net_mq: pair 0 got %llu, pair 1 got %llu UDP datagrams\n",
           static_cast<unsigned long long>(g_udp[0].load()), static_cast<unsigned long long>(g_udp[1].load()));
    printf("virtio_net_mq: done\n");
    EXPECT_GE(g_udp[0].load(), kWantedPerPair);
    EXPECT_GE(g_udp[1].load(), kWantedPerPair);
    EXPECT_EQ(g_wrong_core.load(), 0u);
    EXPECT_GE(nic.value()->counters(0).rx_interrupts, 1u);
    EXPECT_GE(nic.value()->counters(1).rx_interrupts, 1u);
    EXPECT_EQ(nic.value()->counters().device_errors, 0u);
    nic.value().reset();
    for (int i = 0; i < 500 && VirtioNetDriver::LiveQueueMemory() != 0; ++i) ebbrt::testing_internal::BlockForMs(2);
    EXPECT_EQ(VirtioNetDriver::LiveQueueMemory(), 0u);
  });
}

}  // namespace
}  // namespace ebbrt::virtio
