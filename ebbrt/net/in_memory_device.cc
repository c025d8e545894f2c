// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/net/in_memory_device.h"

#include <string.h>

#include <atomic>
#include <utility>

#include "ebbrt/base/result.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/net/wire/ethernet.h"

namespace ebbrt::net {
namespace {

constexpr size_t kEthernetHeader = 14;

using Frame = std::unique_ptr<IOBuf>;

// A flat, private copy of a chain (for duplicates and corruption).
Frame FlatCopy(const IOBuf& chain) {
  const size_t length = chain.ComputeChainDataLength();
  auto copy = UniqueIOBuf::Create(length);
  size_t at = 0;
  for (const IOBuf& link : chain) {
    if (link.length() == 0) continue;
    memcpy(copy->MutableData() + at, link.data(), link.length());
    at += link.length();
  }
  copy->Append(length);
  return copy;
}

ImpairedChannel<Frame>::Ops FrameOps() {
  return {.copy = [](const Frame& f) { return FlatCopy(*f); },
          .length = [](const Frame& f) { return f->ComputeChainDataLength(); },
          .flip =
              [](Frame& f, size_t offset, uint8_t mask) {
                // Never in the sender's memory: corrupt a copy.
                f = FlatCopy(*f);
                f->MutableData()[offset] ^= mask;
              }};
}

}  // namespace

class InMemoryDevicePair::Device final : public EthernetDevice {
 public:
  Device(wire::MacAddress mac, uint16_t mtu, const ImpairmentConfig& impairment)
      : mac_(mac), mtu_(mtu) {
    for (size_t core = 0; core < kMaxCores; ++core) {
      ImpairmentConfig config = impairment;
      config.seed = impairment.seed + core;  // each core's stream replays on its own
      lanes_[core].channel = std::make_unique<ImpairedChannel<Frame>>(config, FrameOps());
    }
  }

  void Connect(Device* peer) { peer_ = peer; }

  wire::MacAddress mac() const override { return mac_; }
  EthernetDeviceFeatures features() const override {
    return {.mtu = mtu_, .tx_checksum = true, .rx_checksum = false};
  }
  size_t queue_pairs() const override { return RunCores(); }
  void SetReceiver(FrameReceiver* receiver) override {
    receiver_.store(receiver, std::memory_order_release);
  }

  Status Transmit(std::unique_ptr<IOBuf> frame, const TxOffload& offload) override {
    if (frame == nullptr) return Status(StatusCode::kInvalidArgument, "in-memory device: null frame");
    const size_t length = frame->ComputeChainDataLength();
    Lane& lane = lanes_[MyCore()];
    if (length < kEthernetHeader || length > kEthernetHeader + mtu_) {
      ++lane.oversize;
      return Status(StatusCode::kInvalidArgument, "in-memory device: frame shorter than a header or over the MTU");
    }
    if (offload.needs_checksum) EBBRT_TRY(CompleteChecksumInSoftware(*frame, offload));
    Device* peer = peer_;
    lane.channel->Send(std::move(frame), [peer](Frame f) { peer->DeliverLater(std::move(f)); });
    return Status::Ok();
  }

  void Flush() {
    Device* peer = peer_;
    lanes_[MyCore()].channel->Flush([peer](Frame f) { peer->DeliverLater(std::move(f)); });
  }

  InMemoryLinkCounters Counters() const {
    InMemoryLinkCounters sum;
    for (const Lane& lane : lanes_) {
      if (!lane.channel) continue;
      const ImpairmentCounters& c = lane.channel->counters();
      sum.impairment.frames_in += c.frames_in;
      sum.impairment.lost += c.lost;
      sum.impairment.duplicated += c.duplicated;
      sum.impairment.reordered += c.reordered;
      sum.impairment.corrupted += c.corrupted;
      sum.impairment.delivered += c.delivered;
      sum.oversize += lane.oversize;
    }
    sum.no_receiver = peer_->no_receiver_.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  // One per core: the sender's core owns its lane, so no lock.
  struct Lane {
    std::unique_ptr<ImpairedChannel<Frame>> channel;
    uint64_t oversize = 0;
  };

  void DeliverLater(Frame frame) {
    event_manager->SpawnLocal([this, frame = std::move(frame)]() mutable {
      FrameReceiver* receiver = receiver_.load(std::memory_order_acquire);
      if (receiver == nullptr) {
        no_receiver_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      receiver->ReceiveFrame(std::move(frame), RxMetadata{.checksum_valid = false,
                                                          .queue = static_cast<uint16_t>(MyCore())});
    });
  }

  wire::MacAddress mac_;
  uint16_t mtu_;
  Device* peer_ = nullptr;
  std::atomic<FrameReceiver*> receiver_{nullptr};
  std::atomic<uint64_t> no_receiver_{0};
  Lane lanes_[kMaxCores];
};

InMemoryDevicePair::InMemoryDevicePair(const Options& options)
    : a_(std::make_unique<Device>(options.mac_a, options.mtu, options.a_to_b)),
      b_(std::make_unique<Device>(options.mac_b, options.mtu, options.b_to_a)) {
  a_->Connect(b_.get());
  b_->Connect(a_.get());
}

InMemoryDevicePair::~InMemoryDevicePair() = default;

EthernetDevice& InMemoryDevicePair::a() { return *a_; }
EthernetDevice& InMemoryDevicePair::b() { return *b_; }

void InMemoryDevicePair::Flush() {
  a_->Flush();
  b_->Flush();
}

InMemoryLinkCounters InMemoryDevicePair::a_to_b_counters() const { return a_->Counters(); }
InMemoryLinkCounters InMemoryDevicePair::b_to_a_counters() const { return b_->Counters(); }

}  // namespace ebbrt::net
