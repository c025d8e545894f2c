// SPDX-License-Identifier: Apache-2.0
// The virtio-net driver with a queue pair per vCPU over a multi-queue tap (the BUILD file:
// 2 and 4 vCPUs, --net tap): UDP datagrams that Linux sends from many source ports are
// spread by the kernel's tap over every queue, and each pair's frames are delivered on its
// own core.
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
constexpr size_t kMaxPairs = 4;

std::atomic<uint64_t> g_udp[kMaxPairs];
std::atomic<uint64_t> g_wrong_core{0};

// An IPv4/UDP frame to 10.0.3.2 (the runner's guest address), port 9.
bool IsUdpToUs(const IOBuf& frame) {
  const uint8_t* f = frame.data();
  return frame.length() >= 42 && f[12] == 0x08 && f[13] == 0x00 && f[23] == 17 && f[30] == 10 && f[31] == 0 &&
         f[32] == 3 && f[33] == 2 && f[36] == 0 && f[37] == 9;
}

bool EveryPairHasEnough(size_t pairs) {
  for (size_t p = 0; p < pairs; ++p) {
    if (g_udp[p].load() < kWantedPerPair) return false;
  }
  return true;
}

TEST(VirtioNetMultiqueueTest, FlowsArriveOnEveryPairEachOnItsCore) {
  const size_t cores = NumCores();
  ASSERT_LE(cores, kMaxPairs);
  ebbrt::testing_internal::InFreshRun(cores, [cores] {
    net::FunctionReceiver receiver([](std::unique_ptr<IOBuf> frame, const net::RxMetadata& info) {
      if (MyCore() != info.queue) g_wrong_core.fetch_add(1);
      if (IsUdpToUs(*frame) && info.queue < kMaxPairs) g_udp[info.queue].fetch_add(1);
    });
    auto nic = VirtioNetDriver::Create(kNic);
    ASSERT_TRUE(nic.ok()) << nic.status().message();
    nic.value()->SetReceiver(&receiver);
    ASSERT_EQ(nic.value()->queue_pairs(), cores);
    printf("virtio_net_mq: ready\n");
    for (int i = 0; i < 4000 && !EveryPairHasEnough(cores); ++i) ebbrt::testing_internal::BlockForMs(5);
    for (size_t p = 0; p < cores; ++p) {
      printf("virtio_net_mq: pair %zu (core %zu) got %llu UDP datagrams\n", p, p,
             static_cast<unsigned long long>(g_udp[p].load()));
    }
    printf("virtio_net_mq: done\n");
    EXPECT_EQ(g_wrong_core.load(), 0u);
    for (size_t p = 0; p < cores; ++p) {
      EXPECT_GE(g_udp[p].load(), kWantedPerPair) << "pair " << p;
      EXPECT_GE(nic.value()->counters(p).rx_interrupts, 1u) << "pair " << p;
    }
    EXPECT_EQ(nic.value()->counters().device_errors, 0u);
    nic.value().reset();
    for (int i = 0; i < 500 && VirtioNetDriver::LiveQueueMemory() != 0; ++i) ebbrt::testing_internal::BlockForMs(2);
    EXPECT_EQ(VirtioNetDriver::LiveQueueMemory(), 0u);
  });
}

}  // namespace
}  // namespace ebbrt::virtio
