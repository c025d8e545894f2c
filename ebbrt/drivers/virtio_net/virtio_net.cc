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
constexpr FeatureName kNetNames[] = {
    {kNetFeatureMac, "VIRTIO_NET_F_MAC", "virtio-net: device lacks required feature VIRTIO_NET_F_MAC"},
    {kNetFeatureStatus, "VIRTIO_NET_F_STATUS", "virtio-net: device lacks required feature VIRTIO_NET_F_STATUS"},
};
constexpr uint16_t kReceiveQueue = 0;   // receiveq1 (§5.1.2)
constexpr uint16_t kTransmitQueue = 1;  // transmitq1
constexpr uint16_t kRxMsixEntry = 1;    // entry 0 is left for configuration changes
constexpr size_t kDeviceConfigMac = 0;  // §5.1.4
constexpr size_t kDeviceConfigStatus = 6;
constexpr uint16_t kStatusLinkUp = 1;
constexpr uint8_t kHeaderDataValid = 2;  // §5.1.6: VIRTIO_NET_HDR_F_DATA_VALID
// Frames handed up per idle-handler round: other events get the core in between.
constexpr int kPollBudget = 64;

std::atomic<size_t> g_live_queue_memory{0};

uint16_t PowerOfTwoAtMost(uint16_t limit, uint16_t wanted) {
  uint16_t size = 1;
  while (size * 2 <= limit && size * 2 <= wanted) size = static_cast<uint16_t>(size * 2);
  return size;
}

// Ring memory for one queue, page-aligned (and so DMA-able as one block).
void* AllocateRing(uint16_t size) {
  return aligned_alloc(4096, (SplitVirtqueue::RingBytes(size) + 4095) & ~size_t{4095});
}

}  // namespace

struct VirtioNetDriver::Impl {
  // A receive buffer's bookkeeping; `storage` first, so the release callback finds the slot.
  struct RxSlot {
    SharedIOBuf::Storage storage;
    Impl* owner;
    uint8_t* bytes;
  };
  // A transmitted frame the device may still be reading, and its header.
  struct TxSlot {
    IOBuf* frame;
    uint8_t* header;
    uint16_t next_free;
  };

  pci::Address address;
  size_t core = 0;
  uint8_t mac[6] = {};
  bool has_status = false;
  ReceiveFn receive;
  VirtioNetCounters counters;

  volatile uint8_t* mapped_bars[pci::kMaxBars] = {};
  MmioWindow* common = nullptr;
  MmioWindow* notify = nullptr;
  MmioWindow* device_config = nullptr;
  VirtioPciTransport* transport = nullptr;
  pci::MsixCapability msix;
  uint8_t rx_vector = 0;
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
  EventManager::IdleHandlerId idle_id = 0;
  bool shut_down = false;
  bool orphaned = false;        // the driver object is gone
  size_t rx_with_app = 0;       // receive buffers the application holds

  Impl() { g_live_queue_memory.fetch_add(1, std::memory_order_relaxed); }
  ~Impl() {
    g_live_queue_memory.fetch_sub(1, std::memory_order_relaxed);
    delete rx;
    delete tx;
    free(rx_ring_memory);
    free(tx_ring_memory);
    delete[] rx_slots;
    free(rx_buffers);
    delete[] tx_slots;
    free(tx_headers);
    delete[] tx_segments;
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

  // Puts a receive buffer (back) in the ring for the device to fill.
  void Post(RxSlot& slot) {
    Result<uint16_t> added = rx->Add({{.address = native::DmaAddress(slot.bytes, kRxBufferBytes),
                                       .length = kRxBufferBytes,
                                       .device_writes = true}},
                                     &slot);
    EBBRT_CHECK_MSG(added.ok() || rx->broken(), "virtio-net: a receive slot without a descriptor");
    if (rx->Publish()) transport->Notify(kReceiveQueue);
  }

  // SharedIOBuf::Storage::release of a receive buffer, on whatever core dropped it last.
  static void Released(SharedIOBuf::Storage& storage) {
    RxSlot* slot = reinterpret_cast<RxSlot*>(&storage);
    Impl* impl = slot->owner;
    if (MyCore() != impl->core) {
      // The ring is the owner core's alone: the buffer goes back there.
      event_manager->SpawnRemote([slot] { Returned(*slot); }, impl->core);
      return;
    }
    Returned(*slot);
  }
  static void Returned(RxSlot& slot) {
    Impl* impl = slot.owner;
    --impl->rx_with_app;
    if (!impl->shut_down) {
      impl->Post(slot);
    } else if (impl->orphaned && impl->rx_with_app == 0) {
      delete impl;
    }
  }

  void Deliver(const UsedBuffer& used) {
    RxSlot& slot = *static_cast<RxSlot*>(used.token);
    if (used.length < kHeaderBytes) {
      ++counters.rx_short;
      Post(slot);
      return;
    }
    RxInfo info{.checksum_valid = (slot.bytes[0] & kHeaderDataValid) != 0};
    ++counters.rx_frames;
    counters.rx_bytes += used.length - kHeaderBytes;
    ++rx_with_app;
    receive(SharedIOBuf::Wrap(slot.storage, slot.bytes, kRxBufferBytes, kHeaderBytes,
                              used.length - kHeaderBytes),
            info);
  }

  void OnInterrupt() {
    ++counters.rx_interrupts;
    StartPolling();
  }

  void StartPolling() {
    if (polling || shut_down) return;
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
    if (shut_down) return;
    int delivered = 0;
    while (delivered < kPollBudget) {
      std::optional<UsedBuffer> used = rx->PopUsed();
      if (!used) break;
      Deliver(*used);
      ++delivered;
      if (shut_down) return;  // the receive function shut the driver down
    }
    if (delivered > 0) ++counters.rx_polls;
    ReclaimTransmitted();
    if (rx->broken()) {
      ++counters.device_errors;
      ConsolePrint("[ebbrt] virtio-net: the device broke the receive queue; stopping it\n");
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
    if (tx->broken() && !shut_down) ++counters.device_errors;
  }
};

Result<std::unique_ptr<VirtioNetDriver>> VirtioNetDriver::Create(pci::Address address, ReceiveFn receive,
                                                                 const Options& options) {
  pci::ConfigSpace& config = pci::MachineConfigSpace();
  const VirtioPciLayout layout = EBBRT_TRY(FindVirtioPciLayout(config, address));
  const pci::MsixCapability msix = EBBRT_TRY(pci::ReadMsixCapability(config, address));
  pci::Bar bars[pci::kMaxBars];
  EBBRT_TRY(pci::ReadBars(config, address, bars));
  // Memory decoding for the structures, bus mastering for the device's DMA.
  config.Write16(address, pci::kCommand,
                 config.Read16(address, pci::kCommand) | pci::kCommandMemorySpace | pci::kCommandBusMaster);

  auto* impl = new Impl;
  std::unique_ptr<VirtioNetDriver> driver(new VirtioNetDriver(impl));
  impl->address = address;
  impl->core = MyCore();
  impl->receive = std::move(receive);
  impl->msix = msix;
  impl->common = new MmioWindow(EBBRT_TRY(impl->Bar(bars, layout.common.bar)) + layout.common.offset);
  impl->notify = new MmioWindow(EBBRT_TRY(impl->Bar(bars, layout.notify.bar)) + layout.notify.offset);
  if (layout.device.length < kDeviceConfigStatus + 2) {
    return Status(StatusCode::kInvalidArgument, "virtio-net: device configuration too short");
  }
  impl->device_config = new MmioWindow(EBBRT_TRY(impl->Bar(bars, layout.device.bar)) + layout.device.offset);
  impl->transport = new VirtioPciTransport(*impl->common, *impl->notify, layout.notify_off_multiplier);
  VirtioPciTransport& transport = *impl->transport;

  const uint64_t features = EBBRT_TRY(transport.Negotiate(kNetFeatureMac, kFeatureRingEventIdx | kNetFeatureStatus, kNetNames));
  const bool event_idx = (features & kFeatureRingEventIdx) != 0;
  impl->has_status = (features & kNetFeatureStatus) != 0;
  // §4.1.4.3.1: a multi-byte configuration read is consistent when the generation did
  // not change across it.
  for (int attempt = 0;; ++attempt) {
    const uint8_t generation = impl->common->Read8(common_cfg::kConfigGeneration);
    for (size_t i = 0; i < 6; ++i) impl->mac[i] = impl->device_config->Read8(kDeviceConfigMac + i);
    if (impl->common->Read8(common_cfg::kConfigGeneration) == generation) break;
    if (attempt == 100) return Status(StatusCode::kUnavailable, "virtio-net: configuration keeps changing");
  }

  // The receive queue's interrupt, aimed at this core.
  if (msix.table_size <= kRxMsixEntry) {
    transport.Fail();
    return Status(StatusCode::kNotFound, "virtio-net: too few MSI-X vectors");
  }
  Result<uint8_t> vector = native::AllocateVector([impl] { impl->OnInterrupt(); });
  if (!vector.ok()) {
    transport.Fail();
    return vector.status();
  }
  impl->rx_vector = vector.value();
  impl->have_vector = true;
  pci::MsixTable table(reinterpret_cast<volatile uint32_t*>(EBBRT_TRY(impl->Bar(bars, msix.table_bar)) +
                                                            msix.table_offset),
                       msix.table_size);
  EBBRT_TRY(table.Program(kRxMsixEntry, EBBRT_TRY(pci::MsiMessageFor(native::ApicIdOf(impl->core), impl->rx_vector))));
  pci::SetMsixControl(config, address, msix, /*enabled=*/true, /*function_masked=*/false);

  // The queues, their memory, the receive buffers and the transmit headers.
  const uint16_t rx_size = PowerOfTwoAtMost(EBBRT_TRY(transport.QueueMaxSize(kReceiveQueue)), options.rx_queue_size);
  const uint16_t tx_size = PowerOfTwoAtMost(EBBRT_TRY(transport.QueueMaxSize(kTransmitQueue)), options.tx_queue_size);
  impl->rx_ring_memory = AllocateRing(rx_size);
  impl->tx_ring_memory = AllocateRing(tx_size);
  impl->rx_buffers = static_cast<uint8_t*>(aligned_alloc(4096, size_t{rx_size} * kRxBufferBytes));
  impl->tx_headers = static_cast<uint8_t*>(calloc(tx_size, kHeaderBytes));
  impl->rx_slots = new (std::nothrow) Impl::RxSlot[rx_size];
  impl->tx_slots = new (std::nothrow) Impl::TxSlot[tx_size];
  impl->tx_segments = new (std::nothrow) BufferSegment[tx_size];
  if (impl->rx_ring_memory == nullptr || impl->tx_ring_memory == nullptr || impl->rx_buffers == nullptr ||
      impl->tx_headers == nullptr || impl->rx_slots == nullptr || impl->tx_slots == nullptr ||
      impl->tx_segments == nullptr) {
    transport.Fail();
    return Status(StatusCode::kOutOfMemory, "virtio-net: no memory for the queues");
  }
  impl->rx = new SplitVirtqueue(impl->rx_ring_memory, rx_size, event_idx);
  impl->tx = new SplitVirtqueue(impl->tx_ring_memory, tx_size, event_idx);
  for (uint16_t i = 0; i < tx_size; ++i) {
    impl->tx_slots[i] = {.frame = nullptr, .header = impl->tx_headers + size_t{i} * kHeaderBytes,
                         .next_free = static_cast<uint16_t>(i + 1)};
  }
  auto setup = [](SplitVirtqueue& q, void* memory, uint16_t vector) {
    const uint64_t base = native::DmaAddress(memory, SplitVirtqueue::RingBytes(q.size()));
    return QueueSetup{.size = q.size(),
                      .desc = base + q.desc_offset(),
                      .driver = base + q.avail_offset(),
                      .device = base + q.used_offset(),
                      .msix_vector = vector};
  };
  EBBRT_TRY(transport.EnableQueue(kReceiveQueue, setup(*impl->rx, impl->rx_ring_memory, kRxMsixEntry)));
  // Transmit completions are collected while transmitting and polling: no interrupt.
  EBBRT_TRY(transport.EnableQueue(kTransmitQueue, setup(*impl->tx, impl->tx_ring_memory, kNoVector)));
  impl->tx->DisableInterrupts();
  transport.SetDriverOk();
  if (transport.DeviceStatus() & (kStatusFailed | kStatusNeedsReset)) {
    return Status(StatusCode::kUnavailable, "virtio-net: the device failed during initialization");
  }
  for (uint16_t i = 0; i < rx_size; ++i) {
    Impl::RxSlot& slot = impl->rx_slots[i];
    slot.storage.release = &Impl::Released;
    slot.owner = impl;
    slot.bytes = impl->rx_buffers + size_t{i} * kRxBufferBytes;
    impl->Post(slot);
  }
  char line[160];
  snprintf(line, sizeof(line),
           "[ebbrt] virtio-net %02x:%02x.%x: MAC %02x:%02x:%02x:%02x:%02x:%02x, 1 queue pair on core %zu "
           "(rx %u, tx %u entries)%s\n",
           address.bus, address.device, address.function, impl->mac[0], impl->mac[1], impl->mac[2],
           impl->mac[3], impl->mac[4], impl->mac[5], impl->core, rx_size, tx_size,
           event_idx ? ", event indexes" : "");
  ConsolePrint(line);
  return driver;
}

VirtioNetDriver::~VirtioNetDriver() {
  Shutdown();
  impl_->orphaned = true;
  if (impl_->rx_with_app == 0) delete impl_;
}

const uint8_t* VirtioNetDriver::mac() const { return impl_->mac; }
size_t VirtioNetDriver::core() const { return impl_->core; }
const VirtioNetCounters& VirtioNetDriver::counters() const { return impl_->counters; }
size_t VirtioNetDriver::LiveQueueMemory() { return g_live_queue_memory.load(std::memory_order_relaxed); }

bool VirtioNetDriver::link_up() {
  if (!impl_->has_status || impl_->shut_down) return !impl_->shut_down;
  return (impl_->device_config->Read16(kDeviceConfigStatus) & kStatusLinkUp) != 0;
}

Status VirtioNetDriver::Transmit(std::unique_ptr<IOBuf> frame) {
  Impl& impl = *impl_;
  if (impl.shut_down) return Status(StatusCode::kFailedPrecondition, "virtio-net: driver shut down");
  EBBRT_CHECK_MSG(MyCore() == impl.core, "VirtioNetDriver::Transmit off the driver's core");
  if (frame == nullptr || frame->ComputeChainDataLength() == 0) {
    return Status(StatusCode::kInvalidArgument, "virtio-net: empty frame");
  }
  impl.ReclaimTransmitted();
  const uint16_t size = impl.tx->size();
  if (impl.tx_free_slot >= size) {
    ++impl.counters.tx_ring_full;
    return Status(StatusCode::kResourceExhausted, "virtio-net: transmit ring full");
  }
  Impl::TxSlot& slot = impl.tx_slots[impl.tx_free_slot];
  // The header says "no offloads" (all zero, §5.1.6.2); then every non-empty link.
  size_t count = 0;
  impl.tx_segments[count++] = {.address = native::DmaAddress(slot.header, kHeaderBytes), .length = kHeaderBytes};
  size_t bytes = 0;
  for (const IOBuf& link : *frame) {
    if (link.length() == 0) continue;
    if (count == size) return Status(StatusCode::kInvalidArgument, "virtio-net: frame has more links than the ring");
    Result<uint64_t> address = native::TryDmaAddress(link.data(), link.length());
    if (!address.ok()) return Status(StatusCode::kInvalidArgument, "virtio-net: frame memory is not DMA-able");
    impl.tx_segments[count++] = {.address = address.value(), .length = static_cast<uint32_t>(link.length())};
    bytes += link.length();
  }
  Result<uint16_t> added = impl.tx->Add(std::span<const BufferSegment>(impl.tx_segments, count), &slot);
  if (!added.ok()) {
    if (added.status().code() == StatusCode::kResourceExhausted) ++impl.counters.tx_ring_full;
    return added.status();
  }
  impl.tx_free_slot = slot.next_free;
  slot.frame = frame.release();
  ++impl.counters.tx_frames;
  impl.counters.tx_bytes += bytes;
  if (impl.tx->Publish()) {
    impl.transport->Notify(kTransmitQueue);
    ++impl.counters.tx_notifies;
  }
  return Status::Ok();
}

void VirtioNetDriver::Shutdown() {
  Impl& impl = *impl_;
  if (impl.shut_down) return;
  impl.shut_down = true;
  // After the reset the device no longer reads or writes the rings or the buffers. (Also
  // after a Create that failed half-way: every step below checks what was set up.)
  if (impl.transport != nullptr) (void)impl.transport->Reset();
  pci::SetMsixControl(pci::MachineConfigSpace(), impl.address, impl.msix, false, false);
  impl.StopPolling();
  if (impl.have_vector) {
    (void)native::FreeVector(impl.rx_vector);
    impl.have_vector = false;
  }
  if (impl.tx != nullptr) {
    for (uint16_t i = 0; i < impl.tx->size(); ++i) {
      delete impl.tx_slots[i].frame;
      impl.tx_slots[i].frame = nullptr;
    }
  }
}

}  // namespace ebbrt::virtio
