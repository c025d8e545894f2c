// SPDX-License-Identifier: Apache-2.0
// Frames of anything through Ipv4Stack::ReceiveFrame, the stack's whole receive path
// (Ethernet, ARP, IPv4, ICMP, UDP dispatch, replies): nothing crashes, every frame is
// counted once, and what the stack sends in answer is a well-formed Ethernet frame.
//
// Input: frames, each a 2-byte little-endian length then that many bytes; the first byte
// of a frame picks its destination MAC (ours, broadcast, other) so the fuzzer need not
// guess our MAC, and the device's checksum_valid flag.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <memory>

#include "ebbrt/base/check.h"
#include "ebbrt/base/result.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/net/ethernet_device.h"
#include "ebbrt/net/ipv4_stack.h"
#include "ebbrt/net/wire/ethernet.h"

namespace {

using ebbrt::net::wire::MacAddress;

const MacAddress kOurMac{{0x02, 0, 0, 0, 0, 0x0b}};

// Records what the stack sends; never delivers anything.
class RecordingDevice final : public ebbrt::net::EthernetDevice {
 public:
  MacAddress mac() const override { return kOurMac; }
  ebbrt::net::EthernetDeviceFeatures features() const override { return {}; }
  size_t queue_pairs() const override { return 1; }
  void SetReceiver(ebbrt::net::FrameReceiver*) override {}
  ebbrt::Status Transmit(std::unique_ptr<ebbrt::IOBuf> frame, const ebbrt::net::TxOffload&) override {
    EBBRT_CHECK_MSG(frame != nullptr && frame->ComputeChainDataLength() >= 14, "stack sent a runt frame");
    EBBRT_CHECK_MSG(frame->ComputeChainDataLength() <= 14 + 1500, "stack sent a frame over the MTU");
    ebbrt::Result<ebbrt::net::wire::EthernetFrame> eth = ebbrt::net::wire::ParseEthernet(*frame);
    EBBRT_CHECK_MSG(eth.ok() && eth.value().header.src == kOurMac, "stack sent a frame not from us");
    ++sent;
    return ebbrt::Status::Ok();
  }
  uint64_t sent = 0;
};

class Sink : public ebbrt::net::UdpHandler {
 public:
  void ReceiveUdp(ebbrt::net::wire::Ipv4Address, uint16_t, std::unique_ptr<ebbrt::IOBuf> payload) override {
    EBBRT_CHECK(payload != nullptr);
    bytes += payload->ComputeChainDataLength();
  }
  uint64_t bytes = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)ebbrt::Run(1, [data, size] {
    RecordingDevice device;
    // On the heap: its per-core counters are too big for an event's stack.
    auto owned = std::make_unique<ebbrt::net::Ipv4Stack>(
        device, ebbrt::net::Ipv4StackConfig{
                    .address = {.address = ebbrt::net::wire::Ipv4Address::FromOctets(10, 0, 3, 2), .length = 24},
                    .gateway = ebbrt::net::wire::Ipv4Address::FromOctets(10, 0, 3, 1)});
    ebbrt::net::Ipv4Stack& stack = *owned;
    Sink sink;
    EBBRT_CHECK_OK(stack.BindUdp(7, &sink));
    size_t at = 0;
    uint64_t frames = 0;
    while (at + 3 <= size) {
      const size_t length = data[at] | size_t{data[at + 1]} << 8;
      at += 2;
      const size_t n = length < size - at ? length : size - at;
      const uint8_t control = data[at];
      auto frame = ebbrt::UniqueIOBuf::CopyOf(data + at, n);
      if (n >= 6) {
        const MacAddress dst = (control & 3) == 0 ? kOurMac : (control & 3) == 1 ? MacAddress::Broadcast() : MacAddress{};
        if ((control & 3) < 2) memcpy(frame->MutableData(), dst.bytes.data(), 6);
      }
      stack.ReceiveFrame(std::move(frame), {.checksum_valid = (control & 4) != 0, .queue = 0});
      ++frames;
      at += n;
    }
    EBBRT_CHECK_MSG(stack.counters().frames_in == frames, "a frame was not counted");
    stack.UnbindUdp(7);
    ebbrt::Stop(0);
  });
  return 0;
}
