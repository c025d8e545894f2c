// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/drivers/virtio_net/virtio_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <new>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/base/console.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/drivers/virtio/mmio_window.h"
#include "ebbrt/drivers/virtio/pci_transport.h"
#include "ebbrt/drivers/virtio/split_virtqueue.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/native/device_interrupts.h"
#include "ebbrt/native/mem/dma.h"
#include "ebbrt/native/mem/vmem_allocator.h"
#include "ebbrt/native/pci/devices.h"
#include "ebbrt/native/pci/pci.h"
#include "ebbrt/native/smp/smp.h"

namespace ebbrt::virtio {
namespace {

// virtio 1.1 §5.1.3.
constexpr uint64_t kNetFeatureMac = uint64_t{1} << 5;
constexpr uint64_t kNetFeatureStatus = uint64_t{1} << 16;
constexpr uint64_t kNetFeatureCtrlVq = uint64_t{1} << 17;
constexpr uint64_t kNetFeatureMq = uint64_t{1} << 22;
constexpr FeatureName kNetNames[] = {
    {kNetFeatureMac, "VIRTIO_NET_F_MAC", "virtio-net: device lacks required feature VIRTIO_NET_F_MAC"},
    {kNetFeatureStatus, "VIRTIO_NET_F_STATUS", "virtio-net: device lacks required feature VIRTIO_NET_F_STATUS"},
    {kNetFeatureCtrlVq, "VIRTIO_NET_F_CTRL_VQ", "virtio-net: device lacks required feature VIRTIO_NET_F_CTRL_VQ"},
    {kNetFeatureMq, "VIRTIO_NET_F_MQ", "virtio-net: device lacks required feature VIRTIO_NET_F_MQ"},
};
// §5.1.4: the device configuration.
constexpr size_t kDeviceConfigMac = 0;
constexpr size_t kDeviceConfigStatus = 6;
constexpr size_t kDeviceConfigMaxPairs = 8;
constexpr uint16_t kStatusLinkUp = 1;
constexpr uint8_t kHeaderDataValid = 2;  // §5.1.6: VIRTIO_NET_HDR_F_DATA_VALID
// §5.1.6.5.5: VIRTIO_NET_CTRL_MQ / VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, and VIRTIO_NET_OK.
constexpr uint8_t kCtrlClassMq = 4;
constexpr uint8_t kCtrlMqVqPairsSet = 0;
constexpr uint8_t kCtrlOk = 0;
constexpr size_t kMaxPairs = kMaxCores;
// Frames handed up per idle-handler round: other events get the core in between.
constexpr int kPollBudget = 64;

std::atomic<size_t> g_live_queue_memory{0};

// §5.1.2: receiveqN is 2(N-1), transmitqN 2(N-1)+1, the control queue 2 x max pairs.
uint16_t ReceiveQueue(size_t pair) { return static_cast<uint16_t>(2 * pair); }
uint16_t TransmitQueue(size_t pair) { return static_cast<uint16_t>(2 * pair + 1); }
// MSI-X entry 0 is left for configuration changes; pair i's receive queue uses 1 + i.
uint16_t MsixEntryOf(size_t pair) { return static_cast<uint16_t>(1 + pair); }

uint16_t PowerOfTwoAtMost(uint16_t limit, uint16_t wanted) {
  uint16_t size = 1;
  while (size * 2 <= limit && size * 2 <= wanted) size = static_cast<uint16_t>(size * 2);
  return size;
}

// Ring memory for one queue, page-aligned (and so DMA-able as one block).
void* AllocateRing(uint16_t size) {
  return aligned_alloc(4096, (SplitVirtqueue::RingBytes(size) + 4095) & ~size_t{4095});
}

QueueSetup SetupOf(SplitVirtqueue& q, void* memory, uint16_t vector) {
  const uint64_t base = native::DmaAddress(memory, SplitVirtqueue::RingBytes(q.size()));
  return QueueSetup{.size = q.size(),
                    .desc = base + q.desc_offset(),
                    .driver = base + q.avail_offset(),
                    .device = base + q.used_offset(),
                    .msix_vector = vector};
}

}  // namespace

VirtioNetCounters& VirtioNetCounters::operator+=(const VirtioNetCounters& o) {
  rx_frames += o.rx_frames;
  rx_bytes += o.rx_bytes;
  rx_interrupts += o.rx_interrupts;
  rx_polls += o.rx_polls;
  rx_short += o.rx_short;
  rx_no_receiver += o.rx_no_receiver;
  tx_frames += o.tx_frames;
  tx_bytes += o.tx_bytes;
  tx_ring_full += o.tx_ring_full;
  tx_notifies += o.tx_notifies;
  tx_forwarded += o.tx_forwarded;
  device_errors += o.device_errors;
  return *this;
}

struct VirtioNetDriver::Impl {
  struct QueuePair;
  // A receive buffer's bookkeeping; `storage` first, so the release callback finds the slot.
  struct RxSlot {
    SharedIOBuf::Storage storage;
    QueuePair* pair;
    uint8_t* bytes;
  };
  // A transmitted frame the device may still be reading, and its header.
  struct TxSlot {
    IOBuf* frame;
    uint8_t* header;
    uint16_t next_free;
  };

  // One receive/transmit pair, touched only by its core once the device is running.
  struct QueuePair {
    Impl* impl = nullptr;
    size_t index = 0;
    size_t core = 0;
    uint8_t vector = 0;
    bool have_vector = false;
    void* rx_ring_memory = nullptr;
    void* tx_ring_memory = nullptr;
    SplitVirtqueue* rx = nullptr;
    SplitVirtqueue* tx = nullptr;
    RxSlot* rx_slots = nullptr;
    uint8_t* rx_buffers = nullptr;
    TxSlot* tx_slots = nullptr;
    uint8_t* tx_headers = nullptr;
    BufferSegment* tx_segments = nullptr;  // scratch, one per descriptor
    uint16_t tx_free_slot = 0;
    bool polling = false;
    bool in_poll = false;  // inside Poll's delivery loop: refills are published after it
    EventManager::IdleHandlerId idle_id = 0;
    VirtioNetCounters counters;

    ~QueuePair() {
      delete rx;
      delete tx;
      free(rx_ring_memory);
      free(tx_ring_memory);
      delete[] rx_slots;
      free(rx_buffers);
      delete[] tx_slots;
      free(tx_headers);
      delete[] tx_segments;
    }

    Status Allocate(uint16_t rx_size, uint16_t tx_size, bool event_idx) {
      rx_ring_memory = AllocateRing(rx_size);
      tx_ring_memory = AllocateRing(tx_size);
      rx_buffers = static_cast<uint8_t*>(aligned_alloc(4096, size_t{rx_size} * kRxBufferBytes));
      tx_headers = static_cast<uint8_t*>(calloc(tx_size, kHeaderBytes));
      rx_slots = new (std::nothrow) RxSlot[rx_size];
      tx_slots = new (std::nothrow) TxSlot[tx_size];
      tx_segments = new (std::nothrow) BufferSegment[tx_size];
      if (rx_ring_memory == nullptr || tx_ring_memory == nullptr || rx_buffers == nullptr ||
          tx_headers == nullptr || rx_slots == nullptr || tx_slots == nullptr || tx_segments == nullptr) {
        return Status(StatusCode::kOutOfMemory, "virtio-net: no memory for the queues");
      }
      rx = new SplitVirtqueue(rx_ring_memory, rx_size, event_idx);
      tx = new SplitVirtqueue(tx_ring_memory, tx_size, event_idx);
      for (uint16_t i = 0; i < tx_size; ++i) {
        tx_slots[i] = {.frame = nullptr, .header = tx_headers + size_t{i} * kHeaderBytes,
                       .next_free = static_cast<uint16_t>(i + 1)};
      }
      for (uint16_t i = 0; i < rx_size; ++i) {
        rx_slots[i].storage.release = &Released;
        rx_slots[i].pair = this;
        rx_slots[i].bytes = rx_buffers + size_t{i} * kRxBufferBytes;
      }
      return Status::Ok();
    }

    // Puts a receive buffer (back) in the ring for the device to fill. The device sees it
    // at the next PublishRefills: a polling round publishes once for all its buffers
    // (each Publish costs a full fence), everything else right away.
    void Post(RxSlot& slot) {
      Result<uint16_t> added = rx->Add({{.address = native::DmaAddress(slot.bytes, kRxBufferBytes),
                                         .length = kRxBufferBytes,
                                         .device_writes = true}},
                                       &slot);
      EBBRT_CHECK_MSG(added.ok() || rx->broken(), "virtio-net: a receive slot without a descriptor");
      if (!in_poll) PublishRefills();
    }

    void PublishRefills() {
      if (rx->Publish()) impl->transport->Notify(ReceiveQueue(index));
    }

    void Deliver(const UsedBuffer& used) {
      RxSlot& slot = *static_cast<RxSlot*>(used.token);
      if (used.length < kHeaderBytes) {
        ++counters.rx_short;
        Post(slot);
        return;
      }
      net::FrameReceiver* receiver = impl->receiver.load(std::memory_order_acquire);
      if (receiver == nullptr) {
        ++counters.rx_no_receiver;
        Post(slot);
        return;
      }
      net::RxMetadata rx{.checksum_valid = (slot.bytes[0] & kHeaderDataValid) != 0,
                         .queue = static_cast<uint16_t>(index)};
      ++counters.rx_frames;
      counters.rx_bytes += used.length - kHeaderBytes;
      impl->rx_with_app.fetch_add(1, std::memory_order_relaxed);
      receiver->ReceiveFrame(SharedIOBuf::Wrap(slot.storage, slot.bytes, kRxBufferBytes, kHeaderBytes,
                                               used.length - kHeaderBytes),
                             rx);
    }

    // The queue's interrupt, as an event on this pair's core.
    void OnInterrupt() {
      ++counters.rx_interrupts;
      StartPolling();
    }

    void StartPolling() {
      if (polling || impl->shut_down) return;
      polling = true;
      rx->DisableInterrupts();
      idle_id = event_manager->AddIdleHandler([this] { Poll(); });
    }

    void StopPolling() {
      if (!polling) return;
      polling = false;
      // Not from inside the handler itself: the loop removes it after this event.
      EventManager::IdleHandlerId id = idle_id;
      event_manager->SpawnLocal([id] { event_manager->RemoveIdleHandler(id); });
    }

    void Poll() {
      if (impl->shut_down) return;
      int delivered = 0;
      in_poll = true;
      while (delivered < kPollBudget) {
        std::optional<UsedBuffer> used = rx->PopUsed();
        if (!used) break;
        Deliver(*used);
        ++delivered;
        if (impl->shut_down) break;  // the receiver shut the driver down
      }
      in_poll = false;
      if (impl->shut_down) return;
      PublishRefills();  // the buffers the receiver gave back during the round
      if (delivered > 0) ++counters.rx_polls;
      ReclaimTransmitted();
      if (rx->broken()) {
        ++counters.device_errors;
        ConsolePrint("[ebbrt] virtio-net: the device broke a receive queue; stopping it\n");
        StopPolling();
        return;
      }
      // Ring empty: back to interrupts, unless a frame slipped in before they were on.
      if (delivered < kPollBudget && !rx->EnableInterrupts()) {
        StopPolling();
      } else if (delivered < kPollBudget) {
        rx->DisableInterrupts();
      }
    }

    void ReclaimTransmitted() {
      while (std::optional<UsedBuffer> used = tx->PopUsed()) {
        TxSlot& slot = *static_cast<TxSlot*>(used->token);
        delete slot.frame;
        slot.frame = nullptr;
        slot.next_free = tx_free_slot;
        tx_free_slot = static_cast<uint16_t>(&slot - tx_slots);
      }
      if (tx->broken() && !impl->shut_down) ++counters.device_errors;
    }

    Status Transmit(std::unique_ptr<IOBuf> frame) {
      ReclaimTransmitted();
      const uint16_t size = tx->size();
      if (tx_free_slot >= size) {
        ++counters.tx_ring_full;
        return Status(StatusCode::kResourceExhausted, "virtio-net: transmit ring full");
      }
      TxSlot& slot = tx_slots[tx_free_slot];
      // The header says "no offloads" (all zero, §5.1.6.2); then every non-empty link.
      size_t count = 0;
      tx_segments[count++] = {.address = native::DmaAddress(slot.header, kHeaderBytes), .length = kHeaderBytes};
      size_t bytes = 0;
      for (const IOBuf& link : *frame) {
        if (link.length() == 0) continue;
        if (count == size) return Status(StatusCode::kInvalidArgument, "virtio-net: frame has more links than the ring");
        Result<uint64_t> address = native::TryDmaAddress(link.data(), link.length());
        if (!address.ok()) return Status(StatusCode::kInvalidArgument, "virtio-net: frame memory is not DMA-able");
        tx_segments[count++] = {.address = address.value(), .length = static_cast<uint32_t>(link.length())};
        bytes += link.length();
      }
      Result<uint16_t> added = tx->Add(std::span<const BufferSegment>(tx_segments, count), &slot);
      if (!added.ok()) {
        if (added.status().code() == StatusCode::kResourceExhausted) ++counters.tx_ring_full;
        return added.status();
      }
      tx_free_slot = slot.next_free;
      slot.frame = frame.release();
      ++counters.tx_frames;
      counters.tx_bytes += bytes;
      if (tx->Publish()) {
        impl->transport->Notify(TransmitQueue(index));
        ++counters.tx_notifies;
      }
      return Status::Ok();
    }
  };

  Impl() { g_live_queue_memory.fetch_add(1, std::memory_order_relaxed); }
  ~Impl() {
    g_live_queue_memory.fetch_sub(1, std::memory_order_relaxed);
    for (size_t i = 0; i < num_pairs; ++i) delete pairs[i];
    delete control;
    free(control_ring_memory);
    free(control_command);
    delete transport;
    delete common;
    delete notify;
    delete device_config;
    for (volatile uint8_t* bar : mapped_bars) {
      if (bar != nullptr) native::VMemAllocator::Free(reinterpret_cast<uintptr_t>(bar));
    }
  }

  Result<volatile uint8_t*> Bar(const pci::Bar (&bars)[pci::kMaxBars], uint8_t index) {
    if (mapped_bars[index] == nullptr) {
      mapped_bars[index] = EBBRT_TRY(pci::MapBar(bars[index], "virtio-net BAR"));
    }
    return mapped_bars[index];
  }

  // SharedIOBuf::Storage::release of a receive buffer, on whatever core dropped it last.
  static void Released(SharedIOBuf::Storage& storage) {
    RxSlot* slot = reinterpret_cast<RxSlot*>(&storage);
    const size_t home = slot->pair->core;
    if (MyCore() != home) {
      // The ring is its core's alone: the buffer goes back there.
      event_manager->SpawnRemote([slot] { Returned(*slot); }, home);
      return;
    }
    Returned(*slot);
  }
  static void Returned(RxSlot& slot) {
    Impl* impl = slot.pair->impl;
    const size_t left = impl->rx_with_app.fetch_sub(1, std::memory_order_acq_rel) - 1;
    if (!impl->shut_down) {
      slot.pair->Post(slot);
    } else if (impl->orphaned && left == 0) {
      impl->DeleteLater();
    }
  }

  // After a grace period: a pair's idle handler or interrupt event that is running on
  // another core now has returned by then, and removals spawned before this ran first.
  void DeleteLater() {
    Impl* self = this;
    CallRcu([self] { delete self; });
  }

  // The control queue (§5.1.6.5), set up before DRIVER_OK like every queue.
  Status EnableControlQueue(uint16_t index, bool event_idx) {
    constexpr uint16_t kControlSize = 4;
    control_ring_memory = AllocateRing(kControlSize);
    control_command = static_cast<uint8_t*>(calloc(1, 8));
    if (control_ring_memory == nullptr || control_command == nullptr) {
      return Status(StatusCode::kOutOfMemory, "virtio-net: no memory for the control queue");
    }
    control = new SplitVirtqueue(control_ring_memory, kControlSize, event_idx);
    control_queue = index;
    return transport->EnableQueue(index, SetupOf(*control, control_ring_memory, kNoVector));
  }

  // §5.1.6.5.5: multiqueue is off until the driver sets the number of pairs, after
  // DRIVER_OK. Polled to completion here (QEMU answers when notified); false if the
  // device refused or did not answer within the bound.
  bool SetQueuePairs(size_t pairs) {
    uint8_t* command = control_command;
    command[0] = kCtrlClassMq;
    command[1] = kCtrlMqVqPairsSet;
    const uint16_t value = static_cast<uint16_t>(pairs);
    memcpy(command + 2, &value, 2);
    command[4] = 0xff;  // the device writes VIRTIO_NET_OK (0) on success
    const uint64_t base = native::DmaAddress(command, 8);
    if (!control
             ->Add({{.address = base, .length = 2},
                    {.address = base + 2, .length = 2},
                    {.address = base + 4, .length = 1, .device_writes = true}},
                   command)
             .ok()) {
      return false;
    }
    (void)control->Publish();
    transport->Notify(control_queue);
    for (int i = 0; i < 1'000'000 && !control->HasUsed(); ++i) __builtin_ia32_pause();
    return control->PopUsed().has_value() && command[4] == kCtrlOk;
  }

  pci::Address address;
  wire::MacAddress mac;
  bool has_status = false;
  std::atomic<net::FrameReceiver*> receiver{nullptr};

  volatile uint8_t* mapped_bars[pci::kMaxBars] = {};
  MmioWindow* common = nullptr;
  MmioWindow* notify = nullptr;
  MmioWindow* device_config = nullptr;
  VirtioPciTransport* transport = nullptr;
  pci::MsixCapability msix;
  bool msix_enabled = false;

  QueuePair* pairs[kMaxPairs] = {};
  size_t num_pairs = 0;     // allocated (and freed with the driver)
  size_t active_pairs = 1;  // in use: pair i on core i
  void* control_ring_memory = nullptr;
  uint8_t* control_command = nullptr;
  SplitVirtqueue* control = nullptr;
  uint16_t control_queue = 0;
  bool shut_down = false;
  bool orphaned = false;                  // the driver object is gone
  std::atomic<size_t> rx_with_app{0};     // receive buffers the application holds
};

Result<std::unique_ptr<VirtioNetDriver>> VirtioNetDriver::Create(pci::Address address, const Options& options) {
  EBBRT_CHECK_MSG(MyCore() == 0, "VirtioNetDriver::Create must run on core 0");
  pci::ConfigSpace& config = pci::MachineConfigSpace();
  const VirtioPciLayout layout = EBBRT_TRY(FindVirtioPciLayout(config, address));
  const pci::MsixCapability msix = EBBRT_TRY(pci::ReadMsixCapability(config, address));
  pci::Bar bars[pci::kMaxBars];
  EBBRT_TRY(pci::ReadBars(config, address, bars));
  if (layout.device.length < kDeviceConfigMaxPairs + 2) {
    return Status(StatusCode::kInvalidArgument, "virtio-net: device configuration too short");
  }
  // Memory decoding for the structures, bus mastering for the device's DMA.
  config.Write16(address, pci::kCommand,
                 config.Read16(address, pci::kCommand) | pci::kCommandMemorySpace | pci::kCommandBusMaster);

  auto* impl = new Impl;
  std::unique_ptr<VirtioNetDriver> driver(new VirtioNetDriver(impl));
  impl->address = address;
  impl->msix = msix;
  impl->common = new MmioWindow(EBBRT_TRY(impl->Bar(bars, layout.common.bar)) + layout.common.offset);
  impl->notify = new MmioWindow(EBBRT_TRY(impl->Bar(bars, layout.notify.bar)) + layout.notify.offset);
  impl->device_config = new MmioWindow(EBBRT_TRY(impl->Bar(bars, layout.device.bar)) + layout.device.offset);
  impl->transport = new VirtioPciTransport(*impl->common, *impl->notify, layout.notify_off_multiplier);
  VirtioPciTransport& transport = *impl->transport;

  const uint64_t features = EBBRT_TRY(transport.Negotiate(
      kNetFeatureMac, kFeatureRingEventIdx | kNetFeatureStatus | kNetFeatureCtrlVq | kNetFeatureMq, kNetNames));
  const bool event_idx = (features & kFeatureRingEventIdx) != 0;
  const bool multiqueue = (features & kNetFeatureMq) != 0 && (features & kNetFeatureCtrlVq) != 0;
  impl->has_status = (features & kNetFeatureStatus) != 0;
  // §4.1.4.3.1: a multi-byte configuration read is consistent when the generation did
  // not change across it.
  uint16_t device_pairs = 1;
  for (int attempt = 0;; ++attempt) {
    const uint8_t generation = impl->common->Read8(common_cfg::kConfigGeneration);
    for (size_t i = 0; i < 6; ++i) impl->mac.bytes[i] = impl->device_config->Read8(kDeviceConfigMac + i);
    if (multiqueue) device_pairs = impl->device_config->Read16(kDeviceConfigMaxPairs);
    if (impl->common->Read8(common_cfg::kConfigGeneration) == generation) break;
    if (attempt == 100) return Status(StatusCode::kUnavailable, "virtio-net: configuration keeps changing");
  }

  // How many pairs: wanted (default: the Run's cores), within the device's maximum and
  // its MSI-X table (entry 0 stays for configuration changes).
  const size_t wanted = options.queue_pairs != 0 ? options.queue_pairs : RunCores();
  size_t pairs = wanted;
  if (pairs > RunCores()) pairs = RunCores();
  if (pairs > device_pairs) pairs = device_pairs;
  if (pairs > kMaxPairs) pairs = kMaxPairs;
  if (msix.table_size < 2) {
    transport.Fail();
    return Status(StatusCode::kNotFound, "virtio-net: too few MSI-X vectors");
  }
  if (pairs > size_t{msix.table_size} - 1) pairs = size_t{msix.table_size} - 1;
  if (pairs == 0) pairs = 1;

  const uint16_t rx_size = PowerOfTwoAtMost(EBBRT_TRY(transport.QueueMaxSize(ReceiveQueue(0))), options.rx_queue_size);
  const uint16_t tx_size = PowerOfTwoAtMost(EBBRT_TRY(transport.QueueMaxSize(TransmitQueue(0))), options.tx_queue_size);
  pci::MsixTable table(reinterpret_cast<volatile uint32_t*>(EBBRT_TRY(impl->Bar(bars, msix.table_bar)) +
                                                            msix.table_offset),
                       msix.table_size);
  for (size_t i = 0; i < pairs; ++i) {
    auto* pair = new (std::nothrow) Impl::QueuePair;
    if (pair == nullptr) {
      transport.Fail();
      return Status(StatusCode::kOutOfMemory, "virtio-net: no memory for the queues");
    }
    impl->pairs[i] = pair;
    impl->num_pairs = i + 1;
    pair->impl = impl;
    pair->index = i;
    pair->core = i;
    Status allocated = pair->Allocate(rx_size, tx_size, event_idx);
    if (!allocated.ok()) {
      transport.Fail();
      return allocated;
    }
    // The receive queue's interrupt, aimed at the pair's core, runs there as an event.
    Result<uint8_t> vector = native::AllocateVector([pair] { pair->OnInterrupt(); });
    if (!vector.ok()) {
      transport.Fail();
      return vector.status();
    }
    pair->vector = vector.value();
    pair->have_vector = true;
    EBBRT_TRY(table.Program(MsixEntryOf(i), EBBRT_TRY(pci::MsiMessageFor(native::ApicIdOf(pair->core), pair->vector))));
    EBBRT_TRY(transport.EnableQueue(ReceiveQueue(i), SetupOf(*pair->rx, pair->rx_ring_memory, MsixEntryOf(i))));
    // Transmit completions are collected while transmitting and polling: no interrupt.
    EBBRT_TRY(transport.EnableQueue(TransmitQueue(i), SetupOf(*pair->tx, pair->tx_ring_memory, kNoVector)));
    pair->tx->DisableInterrupts();
  }
  if (pairs > 1) EBBRT_TRY(impl->EnableControlQueue(static_cast<uint16_t>(2 * device_pairs), event_idx));
  pci::SetMsixControl(config, address, msix, /*enabled=*/true, /*function_masked=*/false);
  impl->msix_enabled = true;
  transport.SetDriverOk();
  if (transport.DeviceStatus() & (kStatusFailed | kStatusNeedsReset)) {
    return Status(StatusCode::kUnavailable, "virtio-net: the device failed during initialization");
  }
  // Buffers for every receive queue, posted here (before any interrupt can come; the
  // pairs' cores take over their rings from the first one).
  if (pairs > 1 && !impl->SetQueuePairs(pairs)) {
    ConsolePrint("[ebbrt] virtio-net: the device refused several queue pairs; using one\n");
    // Only pair 0's queues are used; the others stay allocated until the driver goes.
    pairs = 1;
  }
  for (size_t i = 0; i < pairs; ++i) {
    Impl::QueuePair& pair = *impl->pairs[i];
    pair.in_poll = true;  // one publish for the whole ring
    for (uint16_t s = 0; s < pair.rx->size(); ++s) pair.Post(pair.rx_slots[s]);
    pair.in_poll = false;
    pair.PublishRefills();
  }
  char line[192];
  int n = snprintf(line, sizeof(line),
                   "[ebbrt] virtio-net %02x:%02x.%x: MAC %02x:%02x:%02x:%02x:%02x:%02x, %zu queue pair%s "
                   "(cores 0-%zu; rx %u, tx %u entries each)%s",
                   address.bus, address.device, address.function, impl->mac.bytes[0], impl->mac.bytes[1],
                   impl->mac.bytes[2], impl->mac.bytes[3], impl->mac.bytes[4], impl->mac.bytes[5], pairs, pairs == 1 ? "" : "s", pairs - 1, rx_size,
                   tx_size, event_idx ? ", event indexes" : "");
  if (pairs < wanted && n < static_cast<int>(sizeof(line))) {
    n += snprintf(line + n, sizeof(line) - n, "; %zu wanted, the device allows %u", wanted, device_pairs);
  }
  if (n < static_cast<int>(sizeof(line))) snprintf(line + n, sizeof(line) - n, "\n");
  ConsolePrint(line);
  impl->active_pairs = pairs;
  return driver;
}

VirtioNetDriver::~VirtioNetDriver() {
  Shutdown();
  impl_->orphaned = true;
  if (impl_->rx_with_app.load(std::memory_order_acquire) == 0) impl_->DeleteLater();
}

wire::MacAddress VirtioNetDriver::mac() const { return impl_->mac; }
net::EthernetDeviceFeatures VirtioNetDriver::features() const {
  // 1500: no VIRTIO_NET_F_MTU yet; receive buffers hold a full standard frame.
  return {.mtu = 1500, .tx_checksum = false, .rx_checksum = false};
}
void VirtioNetDriver::SetReceiver(net::FrameReceiver* receiver) {
  impl_->receiver.store(receiver, std::memory_order_release);
}
size_t VirtioNetDriver::queue_pairs() const { return impl_->active_pairs; }
size_t VirtioNetDriver::LiveQueueMemory() { return g_live_queue_memory.load(std::memory_order_relaxed); }

VirtioNetCounters VirtioNetDriver::counters() const {
  VirtioNetCounters sum;
  for (size_t i = 0; i < impl_->num_pairs; ++i) sum += impl_->pairs[i]->counters;
  return sum;
}

VirtioNetCounters VirtioNetDriver::counters(size_t pair) const {
  return pair < impl_->num_pairs ? impl_->pairs[pair]->counters : VirtioNetCounters{};
}

bool VirtioNetDriver::link_up() {
  if (!impl_->has_status || impl_->shut_down) return !impl_->shut_down;
  return (impl_->device_config->Read16(kDeviceConfigStatus) & kStatusLinkUp) != 0;
}

Status VirtioNetDriver::Transmit(std::unique_ptr<IOBuf> frame, const net::TxOffload& offload) {
  Impl& impl = *impl_;
  if (impl.shut_down) return Status(StatusCode::kFailedPrecondition, "virtio-net: driver shut down");
  if (frame == nullptr || frame->ComputeChainDataLength() == 0) {
    return Status(StatusCode::kInvalidArgument, "virtio-net: empty frame");
  }
  // The device is not asked to checksum (VIRTIO_NET_F_CSUM is not negotiated yet).
  if (offload.needs_checksum) EBBRT_TRY(net::CompleteChecksumInSoftware(*frame, offload));
  const size_t core = MyCore();
  if (core < impl.active_pairs) return impl.pairs[core]->Transmit(std::move(frame));
  // No pair here: another core's pair sends it (its result is counted there).
  Impl::QueuePair* pair = impl.pairs[core % impl.active_pairs];
  event_manager->SpawnRemote(
      [pair, frame = std::move(frame)]() mutable {
        if (pair->impl->shut_down) return;
        ++pair->counters.tx_forwarded;
        (void)pair->Transmit(std::move(frame));
      },
      pair->core);
  return Status::Ok();
}

void VirtioNetDriver::Shutdown() {
  Impl& impl = *impl_;
  if (impl.shut_down) return;
  impl.shut_down = true;
  // After the reset the device no longer reads or writes the rings or the buffers. (Also
  // after a Create that failed half-way: every step below checks what was set up.)
  if (impl.transport != nullptr) (void)impl.transport->Reset();
  if (impl.msix_enabled) pci::SetMsixControl(pci::MachineConfigSpace(), impl.address, impl.msix, false, false);
  for (size_t i = 0; i < impl.num_pairs; ++i) {
    Impl::QueuePair& pair = *impl.pairs[i];
    if (pair.polling) {
      // The idle handler lives on the pair's core.
      EventManager::IdleHandlerId id = pair.idle_id;
      pair.polling = false;
      event_manager->SpawnRemote([id] { event_manager->RemoveIdleHandler(id); }, pair.core);
    }
    if (pair.have_vector) {
      (void)native::FreeVector(pair.vector);
      pair.have_vector = false;
    }
    if (pair.tx != nullptr) {
      for (uint16_t s = 0; s < pair.tx->size(); ++s) {
        delete pair.tx_slots[s].frame;
        pair.tx_slots[s].frame = nullptr;
      }
    }
  }
}

}  // namespace ebbrt::virtio
