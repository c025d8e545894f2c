// SPDX-License-Identifier: Apache-2.0
// EbbRT's IPv4 stack natively, on virtio-net, with Linux as the peer over the runner's
// tap: a UDP echo server on port 7 and ping answers at 10.0.3.2/24, on every core's
// queue pair. The peer (linux_peer.py) checks the echoes byte for byte and the pings,
// then sends "done" to port 9; the image then checks its own counters and exits.
#include <stdio.h>

#include <atomic>
#include <memory>

#include "ebbrt/drivers/virtio_net/virtio_net.h"
#include "ebbrt/net/ipv4_stack.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace ebbrt::net {
namespace {

constexpr pci::Address kNic{0, 2, 0};  // the runner's NIC

class Echo : public UdpHandler {
 public:
  explicit Echo(Ipv4Stack& stack) : stack_(stack) {}
  void ReceiveUdp(wire::Ipv4Address from, uint16_t from_port, std::unique_ptr<IOBuf> payload) override {
    received.fetch_add(1);
    if (!stack_.SendUdp(from, from_port, 7, std::move(payload)).ok()) failed.fetch_add(1);
  }
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> failed{0};

 private:
  Ipv4Stack& stack_;
};

class Done : public UdpHandler {
 public:
  void ReceiveUdp(wire::Ipv4Address, uint16_t, std::unique_ptr<IOBuf>) override { done.store(true); }
  std::atomic<bool> done{false};
};

TEST(NativeIpv4Test, LinuxEchoesAndPingsThroughTheStack) {
  ebbrt::testing_internal::InFreshRun(NumCores(), [] {
    auto nic = virtio::VirtioNetDriver::Create(kNic);
    ASSERT_TRUE(nic.ok()) << nic.status().message();
    auto stack = std::make_unique<Ipv4Stack>(
        *nic.value(), Ipv4StackConfig{.address = wire::Ipv4Prefix::Parse("10.0.3.2/24").value(),
                                      .gateway = wire::Ipv4Address::FromOctets(10, 0, 3, 1)});
    Echo echo(*stack);
    Done done;
    ASSERT_TRUE(stack->BindUdp(7, &echo).ok());
    ASSERT_TRUE(stack->BindUdp(9, &done).ok());
    stack->Start();
    printf("native_ipv4: serving on 10.0.3.2 with %zu queue pairs\n", nic.value()->queue_pairs());
    for (int i = 0; i < 12000 && !done.done.load(); ++i) ebbrt::testing_internal::BlockForMs(5);
    const Ipv4StackCounters c = stack->counters();
    printf("native_ipv4: %llu datagrams echoed, %llu pings answered, %llu ARP replies, %llu malformed, "
           "%llu not for us\n",
           static_cast<unsigned long long>(echo.received.load()), static_cast<unsigned long long>(c.echo_replies_sent),
           static_cast<unsigned long long>(c.arp_replies_sent), static_cast<unsigned long long>(c.malformed_total()),
           static_cast<unsigned long long>(c.not_for_us));
    for (size_t pair = 0; pair < nic.value()->queue_pairs(); ++pair) {
      printf("native_ipv4: queue pair %zu received %llu frames\n", pair,
             static_cast<unsigned long long>(nic.value()->counters(pair).rx_frames));
    }
    EXPECT_TRUE(done.done.load());
    EXPECT_GE(echo.received.load(), 1000u);
    EXPECT_EQ(echo.failed.load(), 0u);
    EXPECT_GE(c.echo_replies_sent, 100u);
    EXPECT_GE(c.arp_replies_sent, 1u);
    EXPECT_EQ(c.malformed_total(), 0u);
    EXPECT_EQ(nic.value()->queue_pairs(), NumCores());
    stack->UnbindUdp(7);
    stack->UnbindUdp(9);
    stack->Stop();
    stack.reset();
    nic.value().reset();
    for (int i = 0; i < 500 && virtio::VirtioNetDriver::LiveQueueMemory() != 0; ++i) {
      ebbrt::testing_internal::BlockForMs(2);
    }
  });
}

}  // namespace
}  // namespace ebbrt::net
