// SPDX-License-Identifier: Apache-2.0
// EthernetDevice: the seam between EbbRT's network stack and a NIC. The stack sits on
// this interface only, so the same stack code runs natively over virtio-net
// (ebbrt/drivers/virtio_net) and, in tests on either platform, over an in-memory device
// pair (in_memory_device.h).
//
//   class Stack : public FrameReceiver {
//     void ReceiveFrame(std::unique_ptr<IOBuf> frame, const RxMetadata& rx) override { ... }
//   };
//   device.SetReceiver(&stack);
//   EBBRT_TRY(device.Transmit(std::move(frame), {}));   // on this core's queue
//
// Per core: each queue pair belongs to one core; a received frame is handed to the
// receiver on the core of the queue that received it, synchronously from the driver (no
// queueing in between), and Transmit sends on the calling core's queue. The chain passed
// to Transmit belongs to the device from then on (it is what the device reads, no copy).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <utility>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/status.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/ethernet.h"

namespace ebbrt::net {

// What the stack may ask of a device when it transmits. needs_checksum: the device (or
// the driver, in software when the device cannot) completes the Internet checksum over
// [checksum_start, end of frame) and stores it at checksum_start + checksum_offset; the
// field holds the pseudo-header sum (virtio 1.1 §5.1.6.2, NEEDS_CSUM).
struct TxOffload {
  bool needs_checksum = false;
  uint16_t checksum_start = 0;
  uint16_t checksum_offset = 0;
};

// What the device says about a received frame.
struct RxMetadata {
  bool checksum_valid = false;  // the device verified the transport checksum
  uint16_t queue = 0;           // the queue pair (= the core) it arrived on
};

struct EthernetDeviceFeatures {
  uint16_t mtu = 1500;        // largest payload after the Ethernet header
  bool tx_checksum = false;   // TxOffload::needs_checksum done by the device
  bool rx_checksum = false;   // RxMetadata::checksum_valid may be set
};

// Does what TxOffload::needs_checksum asks of a device, in software: for devices (or
// drivers) that cannot. kInvalidArgument when the range or the field lies outside the
// frame.
Status CompleteChecksumInSoftware(IOBuf& frame, const TxOffload& offload);

class FrameReceiver {
 public:
  virtual ~FrameReceiver() = default;
  // A received frame (starting at the Ethernet header), on the queue's core. May be
  // called on several cores at once.
  virtual void ReceiveFrame(std::unique_ptr<IOBuf> frame, const RxMetadata& rx) = 0;
};

// A FrameReceiver made of a function (tests, small programs):
//   FunctionReceiver counter([&](std::unique_ptr<IOBuf> f, const RxMetadata&) { ++frames; });
class FunctionReceiver final : public FrameReceiver {
 public:
  using Fn = MovableFunction<void(std::unique_ptr<IOBuf> frame, const RxMetadata& rx)>;
  explicit FunctionReceiver(Fn fn) : fn_(std::move(fn)) {}
  void ReceiveFrame(std::unique_ptr<IOBuf> frame, const RxMetadata& rx) override { fn_(std::move(frame), rx); }

 private:
  Fn fn_;
};

class EthernetDevice {
 public:
  virtual ~EthernetDevice() = default;

  virtual wire::MacAddress mac() const = 0;
  virtual EthernetDeviceFeatures features() const = 0;
  // Queue pairs; pair i belongs to core i.
  virtual size_t queue_pairs() const = 0;

  // Frames received from now on go to `receiver` (null: dropped). Set it before the
  // device receives, on any core; the receiver must stay alive until replaced.
  virtual void SetReceiver(FrameReceiver* receiver) = 0;

  // Sends `frame` on the calling core's queue. Errors mean the frame was dropped
  // (kResourceExhausted: the queue is full; kInvalidArgument: a frame the device cannot
  // send, e.g. larger than the MTU).
  virtual Status Transmit(std::unique_ptr<IOBuf> frame, const TxOffload& offload) = 0;
};

}  // namespace ebbrt::net
