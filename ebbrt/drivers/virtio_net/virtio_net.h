// The virtio-net driver (virtio 1.1 §5.1) over the modern PCI transport: one receive and
// one transmit queue, each with its own MSI-X vector aimed at the core that created the
// driver, which owns both queues.
//
//   auto nic = EBBRT_TRY(VirtioNetDriver::Create(function.address, [](std::unique_ptr<IOBuf> frame,
//                                                                    const RxInfo& info) {
//     stack.Receive(std::move(frame), info);           // on the queue's core, no copy
//   }));
//   EBBRT_TRY(nic->Transmit(std::move(frame)));         // the device reads the chain itself
//   nic->Shutdown();                                    // before the Run ends
//
// Receive: buffers of kRxBufferBytes sit in the receive ring. The queue's interrupt masks
// further interrupts and starts polling from an idle handler; each used buffer becomes a
// SharedIOBuf of the ring's own memory (no copy) handed to the receive function, and goes
// back into the ring when its last descriptor is destroyed, on whatever core. When the
// ring is empty the interrupt is unmasked and the ring checked once more, so a frame that
// arrived meanwhile is not left waiting for an interrupt that was never raised.
// Transmit: a 12-byte header from a per-queue pool, then one descriptor per link of the
// frame's chain (identity-mapped memory is DMA-able as it is); the chain is freed when the
// device is done with it, found on later transmits or while polling.
//
// Not yet: several queue pairs (VIRTIO_NET_F_MQ), checksum offload and its receive side
// (NEEDS_CSUM/DATA_VALID are reported, not requested), mergeable receive buffers, TSO.
// Create() and everything else run inside an ebbrt::Run, on the driver's core; Shutdown()
// before that Run ends.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/result.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/native/pci/config_space.h"

namespace ebbrt::virtio {

// What the device said about a received frame.
struct RxInfo {
  bool checksum_valid = false;  // VIRTIO_NET_HDR_F_DATA_VALID (§5.1.6.4)
};

struct VirtioNetCounters {
  uint64_t rx_frames = 0;
  uint64_t rx_bytes = 0;
  uint64_t rx_interrupts = 0;
  uint64_t rx_polls = 0;       // idle-handler rounds that found work
  uint64_t rx_short = 0;       // used buffers too short for the header: dropped
  uint64_t tx_frames = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_ring_full = 0;   // Transmit refused: not enough descriptors
  uint64_t tx_notifies = 0;
  uint64_t device_errors = 0;  // the device broke a queue's rules (see SplitVirtqueue)
};

class VirtioNetDriver {
 public:
  static constexpr size_t kRxBufferBytes = 2048;
  static constexpr size_t kHeaderBytes = 12;  // struct virtio_net_hdr with num_buffers

  using ReceiveFn = MovableFunction<void(std::unique_ptr<IOBuf> frame, const RxInfo& info)>;

  struct Options {
    uint16_t rx_queue_size = 256;  // at most; the device may allow fewer
    uint16_t tx_queue_size = 256;
  };

  // Binds the driver to the modern virtio-net function at `address` (vendor 1af4, device
  // 1041, or a transitional 1000 with the modern interface). Errors: kNotFound without the
  // modern interface or MSI-X, kUnimplemented for a device lacking what the driver
  // requires (named), kResourceExhausted without free interrupt vectors or memory.
  static Result<std::unique_ptr<VirtioNetDriver>> Create(pci::Address address, ReceiveFn receive,
                                                          const Options& options);
  static Result<std::unique_ptr<VirtioNetDriver>> Create(pci::Address address, ReceiveFn receive) {
    return Create(address, std::move(receive), Options{});
  }
  ~VirtioNetDriver();
  VirtioNetDriver(const VirtioNetDriver&) = delete;
  VirtioNetDriver& operator=(const VirtioNetDriver&) = delete;

  const uint8_t* mac() const;
  // The device's link status (VIRTIO_NET_F_STATUS), true when it does not report one.
  bool link_up();
  size_t core() const;

  // Queues `frame` (a chain, the Ethernet frame without a virtio header) for transmission
  // and notifies the device if it asked to be. kResourceExhausted when the ring has too few
  // free descriptors even after reclaiming finished ones (counted: tx_ring_full);
  // kInvalidArgument for an empty frame or one with more links than the ring; the frame
  // is dropped either way. Call on the driver's core.
  Status Transmit(std::unique_ptr<IOBuf> frame);

  // Resets the device (it stops using its rings), frees its interrupt vectors and stops
  // polling. Receive buffers still held by the application stay valid; the rings' memory
  // goes when the last of them comes back. Idempotent; the destructor calls it.
  void Shutdown();

  const VirtioNetCounters& counters() const;

  // Drivers' queue memory still allocated, including that of drivers already destroyed
  // whose receive buffers the application still holds (for leak checks).
  static size_t LiveQueueMemory();

 private:
  // The queues and their memory. It can outlive the driver object: receive buffers the
  // application still holds point into it, and it goes when the last one comes back.
  struct Impl;
  explicit VirtioNetDriver(Impl* impl) : impl_(impl) {}

  Impl* impl_;
};

}  // namespace ebbrt::virtio
