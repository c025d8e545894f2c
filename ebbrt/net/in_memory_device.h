// SPDX-License-Identifier: Apache-2.0
// Two EthernetDevices joined by a wire in memory, for running two stacks in one process
// (hosted or natively) and testing them with faults the host cannot make (it has no
// netem): each direction passes its frames through an ImpairedChannel (loss, duplication,
// reordering, corruption, seeded).
//
//   InMemoryDevicePair link({.a_to_b = {.loss = 0.05, .reorder = 0.02, .seed = 1}});
//   Stack left(link.a()), right(link.b());       // each sets itself as its receiver
//   ... traffic ...
//   link.Flush();                                 // frames still held for reordering
//
// A frame sent on core c is delivered to the other side on core c, as a separate event
// (SpawnLocal: never inside the sender's Transmit), so both devices have one queue pair
// per core of the running Run. Inside an ebbrt::Run only. Frames pass without a copy; a
// duplicate or a corrupted frame is a flat copy (the sender's memory is never changed).
// Frames longer than the MTU are refused. A checksum offload request is done in software
// (features() advertises it, so stacks exercise that path too). Destroy the pair only when
// no frame is in flight (delivery events hold pointers to its devices).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <memory>

#include "ebbrt/net/ethernet_device.h"
#include "ebbrt/net/impairment.h"

namespace ebbrt::net {

struct InMemoryLinkCounters {
  ImpairmentCounters impairment;  // summed over the cores
  uint64_t oversize = 0;          // refused: longer than the MTU
  uint64_t no_receiver = 0;       // delivered while the other side had no receiver
};

class InMemoryDevicePair {
 public:
  struct Options {
    wire::MacAddress mac_a{{0x02, 0, 0, 0, 0, 0x0a}};
    wire::MacAddress mac_b{{0x02, 0, 0, 0, 0, 0x0b}};
    uint16_t mtu = 1500;
    ImpairmentConfig a_to_b;
    ImpairmentConfig b_to_a;
  };

  explicit InMemoryDevicePair(const Options& options);
  InMemoryDevicePair() : InMemoryDevicePair(Options{}) {}
  ~InMemoryDevicePair();

  EthernetDevice& a();
  EthernetDevice& b();

  // Delivers the frames each direction holds back for reordering (on this core).
  void Flush();

  InMemoryLinkCounters a_to_b_counters() const;
  InMemoryLinkCounters b_to_a_counters() const;

 private:
  class Device;
  std::unique_ptr<Device> a_;
  std::unique_ptr<Device> b_;
};

}  // namespace ebbrt::net
