// SPDX-License-Identifier: Apache-2.0
// echo natively: EbbRT's IPv4 stack on the machine's virtio-net NIC, answering UDP on
// port 7 with each datagram's own bytes (no copy: the reply chain is the received
// buffers), and pings. The address comes from the kernel command line, `ip=A.B.C.D/N
// gw=A.B.C.D`, defaulting to QEMU user networking's 10.0.2.15/24 via 10.0.2.2:
//   tools/ebbrt run echo --forward 17007:7             # then UDP to 127.0.0.1:17007
//   tools/ebbrt run echo --net tap --append 'ip=10.0.3.2/24 gw=10.0.3.1'
// It runs until QEMU is stopped (Ctrl-C), or, with `echo.stop_port=P` on the command line
// (for tests), until a datagram "stop" arrives on port P (and then prints the stack's
// counters). `echo.stats=N` prints them every N seconds.
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include <atomic>
#include <memory>
#include <string_view>

#include "ebbrt/app/app_main.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/drivers/virtio_net/virtio_net.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/native/boot/command_line.h"
#include "ebbrt/native/pci/devices.h"
#include "ebbrt/net/ipv4_stack.h"

namespace {

using ebbrt::net::wire::Ipv4Address;
using ebbrt::net::wire::Ipv4Prefix;

constexpr uint16_t kEchoPort = 7;

class UdpEcho : public ebbrt::net::UdpHandler {
 public:
  explicit UdpEcho(ebbrt::net::Ipv4Stack& stack) : stack_(stack) {}
  void ReceiveUdp(Ipv4Address from, uint16_t from_port, std::unique_ptr<ebbrt::IOBuf> payload) override {
    echoed.fetch_add(1, std::memory_order_relaxed);
    (void)stack_.SendUdp(from, from_port, kEchoPort, std::move(payload));
  }
  std::atomic<uint64_t> echoed{0};

 private:
  ebbrt::net::Ipv4Stack& stack_;
};

// Ends the program when "stop" arrives (only bound when the command line asks for it).
class StopOnDatagram : public ebbrt::net::UdpHandler {
 public:
  StopOnDatagram(uint16_t port, const UdpEcho& echo, const ebbrt::net::Ipv4Stack* stack)
      : port_(port), echo_(echo), stack_(stack) {}
  void ReceiveUdp(Ipv4Address, uint16_t, std::unique_ptr<ebbrt::IOBuf> payload) override {
    if (payload->ComputeChainDataLength() != 4 || memcmp(payload->data(), "stop", 4) != 0) return;
    printf("echo: stopped by a datagram on port %u after %llu echoes\n", port_,
           static_cast<unsigned long long>(echo_.echoed.load()));
    if (stack_ != nullptr) stack_->PrintCounters("echo");
    ebbrt::Stop(0);
  }

 private:
  uint16_t port_;
  const UdpEcho& echo_;
  const ebbrt::net::Ipv4Stack* stack_;
};

// `key`'s value on the command line as a C string (in `out`), or `fallback`.
const char* Option(std::string_view key, const char* fallback, char (&out)[32]) {
  std::string_view value = ebbrt::native::CommandLineValue(key);
  if (value.empty() || value.size() >= sizeof(out)) return fallback;
  memcpy(out, value.data(), value.size());
  out[value.size()] = '\0';
  return out;
}

// The first modern (or transitional) virtio-net function.
const ebbrt::pci::Function* FindNic() {
  for (const ebbrt::pci::Function& f : ebbrt::pci::MachineDevices().functions()) {
    if (f.vendor_id == 0x1af4 && (f.device_id == 0x1041 || f.device_id == 0x1000)) return &f;
  }
  return nullptr;
}

}  // namespace

int ebbrt::AppMain() {
  char ip_text[32], gw_text[32];
  ebbrt::Result<Ipv4Prefix> address = Ipv4Prefix::Parse(Option("ip", "10.0.2.15/24", ip_text));
  ebbrt::Result<Ipv4Address> gateway = Ipv4Address::Parse(Option("gw", "10.0.2.2", gw_text));
  if (!address.ok() || !gateway.ok()) {
    printf("echo: bad ip= or gw= on the command line (want ip=A.B.C.D/N gw=A.B.C.D)\n");
    return 2;
  }
  const ebbrt::pci::Function* nic = FindNic();
  if (nic == nullptr) {
    printf("echo: no virtio-net device (run it with --net user or --net tap)\n");
    return 1;
  }
  static std::unique_ptr<ebbrt::virtio::VirtioNetDriver> driver;
  static std::unique_ptr<ebbrt::net::Ipv4Stack> stack;
  static std::unique_ptr<UdpEcho> echo;
  static std::unique_ptr<StopOnDatagram> stopper;
  char stop_text[32];
  const long stop_port = strtol(Option("echo.stop_port", "0", stop_text), nullptr, 10);
  char stats_text[32];
  const long stats_seconds = strtol(Option("echo.stats", "0", stats_text), nullptr, 10);
  return ebbrt::Run(ebbrt::NumCores(), [&] {
    auto created = ebbrt::virtio::VirtioNetDriver::Create(nic->address);
    if (!created.ok()) {
      printf("echo: %s\n", ebbrt::StatusText(created.status()).c_str());
      ebbrt::Stop(1);
      return;
    }
    driver = std::move(created).value();
    stack = std::make_unique<ebbrt::net::Ipv4Stack>(
        *driver, ebbrt::net::Ipv4StackConfig{.address = address.value(), .gateway = gateway.value()});
    echo = std::make_unique<UdpEcho>(*stack);
    ebbrt::Status bound = stack->BindUdp(kEchoPort, echo.get());
    if (!bound.ok()) {
      printf("echo: %s\n", ebbrt::StatusText(bound).c_str());
      ebbrt::Stop(1);
      return;
    }
    if (stop_port > 0 && stop_port < 65536) {
      stopper = std::make_unique<StopOnDatagram>(static_cast<uint16_t>(stop_port), *echo, stack.get());
      (void)stack->BindUdp(static_cast<uint16_t>(stop_port), stopper.get());
    }
    stack->Start();
    if (stats_seconds > 0) {
      // echo.stats=N: the stack's counters every N seconds (drops by reason included).
      ebbrt::timer->Start(static_cast<uint64_t>(stats_seconds) * 1'000'000'000, [] { stack->PrintCounters("echo"); },
                          /*periodic=*/true);
    }
    printf("echo: UDP echo on %s:%u (and ping), %zu queue pair%s\n",
           ebbrt::net::wire::Ipv4AddressText(address.value().address).c_str(), kEchoPort, driver->queue_pairs(),
           driver->queue_pairs() == 1 ? "" : "s");
    fflush(stdout);
  });
}
