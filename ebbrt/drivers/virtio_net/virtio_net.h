// SPDX-License-Identifier: Apache-2.0
// The virtio-net driver (virtio 1.1 §5.1) over the modern PCI transport: one receive and
// one transmit queue per core (VIRTIO_NET_F_MQ, as many pairs as the device allows), each
// pair owned by its core, with the receive queue's MSI-X vector aimed at that core.
//
// It is an EthernetDevice (ebbrt/net/ethernet_device.h), the seam the stack sits on:
//
//   auto nic = EBBRT_TRY(VirtioNetDriver::Create(function.address));
//   nic->SetReceiver(&stack);                           // frames on the queue's core, no copy
//   EBBRT_TRY(nic->Transmit(std::move(frame), {}));     // the device reads the chain itself
//   nic->Shutdown();                                    // before the Run ends
//
// Receive: buffers of kRxBufferBytes sit in each receive ring. A queue's interrupt masks
// further interrupts and starts polling from its core's idle handler; each used buffer
// becomes a SharedIOBuf of the ring's own memory (no copy) handed to the receiver
// on that core, and goes back into its ring when its last descriptor is destroyed, on
// whatever core. When the ring is empty the interrupt is unmasked and the ring checked
// once more, so a frame that arrived meanwhile is not left waiting for an interrupt that
// was never raised. The receiver is called on every core that has a queue pair,
// possibly at the same time; frames that arrive without one are dropped (counted).
// Transmit: on the calling core's pair, a 12-byte header from a per-queue pool, then one
// descriptor per link of the frame's chain (identity-mapped memory is DMA-able as it is);
// the chain is freed when the device is done with it, found on later transmits or while
// polling. A core without a pair (the device has fewer than the Run has cores) hands its
// frames to the pair of core (core % pairs), counted as tx_forwarded.
//
// Not yet: checksum offload by the device (a TxOffload request is done in software; the
// receive side's DATA_VALID is reported, not requested), mergeable receive buffers, TSO.
// Create() and everything else run inside an ebbrt::Run; Shutdown() before that Run ends.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>

#include "ebbrt/base/result.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/native/pci/config_space.h"
#include "ebbrt/net/ethernet_device.h"

namespace ebbrt::virtio {

namespace wire = net::wire;

// One queue pair's counts, or their sum. Each pair's are written by its core only: read
// them when its traffic has stopped, or on that core.
struct VirtioNetCounters {
  uint64_t rx_frames = 0;
  uint64_t rx_bytes = 0;
  uint64_t rx_interrupts = 0;
  uint64_t rx_polls = 0;       // idle-handler rounds that found work
  uint64_t rx_short = 0;       // used buffers too short for the header: dropped
  uint64_t rx_no_receiver = 0; // frames that arrived with no receiver set: dropped
  uint64_t tx_frames = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_ring_full = 0;   // Transmit refused: not enough descriptors
  uint64_t tx_notifies = 0;
  uint64_t tx_forwarded = 0;   // frames from a core without a pair, sent by this one
  uint64_t device_errors = 0;  // the device broke a queue's rules (see SplitVirtqueue)

  VirtioNetCounters& operator+=(const VirtioNetCounters& other);
};

class VirtioNetDriver final : public net::EthernetDevice {
 public:
  static constexpr size_t kRxBufferBytes = 2048;
  static constexpr size_t kHeaderBytes = 12;  // struct virtio_net_hdr with num_buffers

  struct Options {
    uint16_t rx_queue_size = 256;  // at most; the device may allow fewer
    uint16_t tx_queue_size = 256;
    // Queue pairs wanted: 0 means one per core of the running Run. The device's maximum
    // and its MSI-X vectors may give fewer (a console line says so).
    size_t queue_pairs = 0;
  };

  // Binds the driver to the modern virtio-net function at `address` (vendor 1af4, device
  // 1041, or a transitional 1000 with the modern interface). Call on core 0. Errors:
  // kNotFound without the modern interface or MSI-X, kUnimplemented for a device lacking
  // what the driver requires (named), kResourceExhausted without free interrupt vectors,
  // kOutOfMemory.
  static Result<std::unique_ptr<VirtioNetDriver>> Create(pci::Address address, const Options& options);
  static Result<std::unique_ptr<VirtioNetDriver>> Create(pci::Address address) {
    return Create(address, Options{});
  }
  ~VirtioNetDriver() override;
  VirtioNetDriver(const VirtioNetDriver&) = delete;
  VirtioNetDriver& operator=(const VirtioNetDriver&) = delete;

  // net::EthernetDevice.
  wire::MacAddress mac() const override;
  net::EthernetDeviceFeatures features() const override;
  // Queue pairs in use; pair i belongs to core i.
  size_t queue_pairs() const override;
  void SetReceiver(net::FrameReceiver* receiver) override;
  // Queues `frame` (a chain, the Ethernet frame without a virtio header) on the calling
  // core's pair and notifies the device if it asked to be. kResourceExhausted when the
  // ring has too few free descriptors even after reclaiming finished ones (counted:
  // tx_ring_full); kInvalidArgument for an empty frame, one with more links than the ring,
  // memory that is not DMA-able, or a checksum request outside the frame; the frame is
  // dropped either way. From a core without a pair the frame goes to another core's pair
  // and the result is Ok once it is on its way.
  Status Transmit(std::unique_ptr<IOBuf> frame, const net::TxOffload& offload) override;

  // The device's link status (VIRTIO_NET_F_STATUS), true when it does not report one.
  bool link_up();

  // Resets the device (it stops using its rings), frees its interrupt vectors and stops
  // polling. Receive buffers still held by the application stay valid; the rings' memory
  // goes when the last of them comes back. Idempotent; the destructor calls it. On core 0.
  void Shutdown();

  // Summed over the pairs, or of one pair.
  VirtioNetCounters counters() const;
  VirtioNetCounters counters(size_t pair) const;

  // Drivers' queue memory still allocated, including that of drivers already destroyed
  // whose receive buffers the application still holds (for leak checks). A driver's
  // memory goes one RCU grace period after the driver (or its last buffer) does; a Run
  // that stops before then drops the pending callback (ebbrt::CallRcu) and the memory
  // stays allocated, so tests wait for this to reach 0 before they end their Run.
  static size_t LiveQueueMemory();

 private:
  // The queues and their memory. It can outlive the driver object: receive buffers the
  // application still holds point into it, and it goes when the last one comes back.
  struct Impl;
  explicit VirtioNetDriver(Impl* impl) : impl_(impl) {}

  Impl* impl_;
};

}  // namespace ebbrt::virtio
