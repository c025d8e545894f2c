// SPDX-License-Identifier: Apache-2.0
// PCI natively, against the devices QEMU emulates (the BUILD file lists them): enumeration
// across a PCI-to-PCI bridge, BAR decoding and sizing of every kind on a real (emulated)
// function, the capability list and MSI-X capability, and the MSI-X table in device
// memory: programming an entry and masking it, read back from the device. Then memory for
// devices: a BAR above 4 GiB mapped uncached and used, and DMA addresses (identity-mapped
// memory only).
#include <stdint.h>
#include <stdlib.h>

#include "ebbrt/native/arch/x86_64/mmio.h"
#include "ebbrt/native/arch/x86_64/page_table.h"
#include "ebbrt/native/mem/dma.h"
#include "ebbrt/native/mem/vmem_allocator.h"
#include "ebbrt/native/pci/devices.h"
#include "ebbrt/native/pci/pci.h"
#include "ebbrt/native/smp/smp.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace ebbrt::pci {
namespace {

// Where the test's QEMU command line puts them.
constexpr Address kBridge{0, 5, 0};
constexpr Address kVirtioNet{1, 3, 0};  // behind the bridge: conventional PCI, transitional
constexpr Address kVirtioRng{0, 1, 0};
constexpr Address kSharedMemory{0, 6, 0};  // ivshmem-plain: BAR 2 is 1 GiB of RAM, above 4 GiB

const Function* Find(Address address) {
  for (const Function& f : MachineDevices().functions()) {
    if (f.address == address) return &f;
  }
  return nullptr;
}

TEST(PciDevicesTest, FindsRootAndBridgedFunctions) {
  const DeviceList& list = MachineDevices();
  EXPECT_EQ(list.dropped(), 0u);
  EXPECT_EQ(list.skipped_bridges(), 0u);
  const Function* host = Find({0, 0, 0});
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->vendor_id, 0x8086);  // q35's host bridge
  EXPECT_EQ(host->device_id, 0x29c0);
  const Function* bridge = Find(kBridge);
  ASSERT_NE(bridge, nullptr);
  EXPECT_EQ(bridge->header_type, 1);
  EXPECT_EQ(bridge->class_code, 0x06);
  EXPECT_EQ(bridge->subclass, 0x04);
  const Function* net = Find(kVirtioNet);
  ASSERT_NE(net, nullptr);
  EXPECT_EQ(net->vendor_id, 0x1af4);
  EXPECT_EQ(net->device_id, 0x1000);  // transitional virtio-net (virtio 1.1 §4.1.2.1)
  EXPECT_EQ(net->class_code, 0x02);   // network controller
  const Function* rng = Find(kVirtioRng);
  ASSERT_NE(rng, nullptr);
  EXPECT_EQ(rng->device_id, 0x1005);
  // The same list on a second call: enumeration runs once.
  EXPECT_EQ(MachineDevices().functions().data(), list.functions().data());
}

TEST(PciDevicesTest, VirtioNetBarsOfEveryKindAndSizingRestoresThem) {
  ConfigSpace& config = MachineConfigSpace();
  uint32_t before[kMaxBars];
  for (size_t i = 0; i < kMaxBars; ++i) before[i] = config.Read32(kVirtioNet, kBar0 + 4 * i);
  const uint16_t command = config.Read16(kVirtioNet, kCommand);
  Bar bars[kMaxBars];
  Result<size_t> used = ReadBars(config, kVirtioNet, bars);
  ASSERT_TRUE(used.ok()) << used.status().message();
  EXPECT_EQ(used.value(), 3u);
  EXPECT_EQ(bars[0].kind, Bar::Kind::kIo);  // the legacy interface
  EXPECT_EQ(bars[0].size, 0x20u);
  EXPECT_NE(bars[0].address, 0u);
  EXPECT_EQ(bars[1].kind, Bar::Kind::kMemory32);  // the MSI-X table and PBA
  EXPECT_EQ(bars[1].size, 0x1000u);
  EXPECT_NE(bars[1].address, 0u);
  EXPECT_EQ(bars[4].kind, Bar::Kind::kMemory64);  // the virtio 1.x structures
  EXPECT_TRUE(bars[4].prefetchable);
  EXPECT_EQ(bars[4].size, 0x4000u);
  EXPECT_NE(bars[4].address, 0u);
  for (size_t i = 0; i < kMaxBars; ++i) {
    EXPECT_EQ(config.Read32(kVirtioNet, kBar0 + 4 * i), before[i]) << "BAR " << i;
  }
  EXPECT_EQ(config.Read16(kVirtioNet, kCommand), command);
}

TEST(PciDevicesTest, VirtioNetCapabilities) {
  ConfigSpace& config = MachineConfigSpace();
  int vendor_specific = 0;
  Status walked = ForEachCapability(config, kVirtioNet, [&](uint8_t id, uint8_t) {
    if (id == kCapabilityVendorSpecific) ++vendor_specific;
    return true;
  });
  EXPECT_TRUE(walked.ok());
  // Common, notify, ISR, device and PCI-access configuration (virtio 1.1 §4.1.4).
  EXPECT_EQ(vendor_specific, 5);
  Result<MsixCapability> msix = ReadMsixCapability(config, kVirtioNet);
  ASSERT_TRUE(msix.ok()) << msix.status().message();
  // The BUILD file asks QEMU for 6 vectors (its default would be 4).
  EXPECT_EQ(msix.value().table_size, 6);
  EXPECT_EQ(msix.value().table_bar, 1);
  EXPECT_EQ(msix.value().pba_bar, 1);
}

TEST(PciDevicesTest, MsixTableEntriesProgramAndMaskInDeviceMemory) {
  ConfigSpace& config = MachineConfigSpace();
  MsixCapability msix = ReadMsixCapability(config, kVirtioNet).value();
  Bar bars[kMaxBars];
  ASSERT_TRUE(ReadBars(config, kVirtioNet, bars).ok());
  // Below 4 GiB, so inside the boot identity map.
  const uint64_t table_paddr = bars[msix.table_bar].address + msix.table_offset;
  ASSERT_LT(table_paddr, 4ull << 30);
  config.Write16(kVirtioNet, kCommand, config.Read16(kVirtioNet, kCommand) | kCommandMemorySpace);
  SetMsixControl(config, kVirtioNet, msix, /*enabled=*/true, /*function_masked=*/true);
  MsixTable table(reinterpret_cast<volatile uint32_t*>(table_paddr), msix.table_size);
  // Entries come out of reset masked (PCI Local Bus 3.0 §6.8.2.9).
  for (uint16_t e = 0; e < table.size(); ++e) EXPECT_TRUE(table.IsMasked(e)) << "entry " << e;
  Result<MsiMessage> message = MsiMessageFor(native::ApicIdOf(0), 0x41);
  ASSERT_TRUE(message.ok());
  ASSERT_TRUE(table.Program(2, message.value()).ok());
  volatile uint32_t* entry = reinterpret_cast<volatile uint32_t*>(table_paddr) + 2 * 4;
  EXPECT_EQ(entry[0], static_cast<uint32_t>(message.value().address));
  EXPECT_EQ(entry[1], 0u);
  EXPECT_EQ(entry[2], 0x41u);
  EXPECT_FALSE(table.IsMasked(2));
  EXPECT_TRUE(table.IsMasked(1));
  ASSERT_TRUE(table.Mask(2, true).ok());
  EXPECT_TRUE(table.IsMasked(2));
  SetMsixControl(config, kVirtioNet, msix, /*enabled=*/false, /*function_masked=*/false);
}

TEST(PciDevicesTest, EcamAndPortIoSeeTheSameHeaders) {
  ConfigSpace& ecam = MachineConfigSpace();
  ConfigSpace& port_io = PortIoConfigSpaceOfMachine();
  ASSERT_EQ(ecam.Size(), 4096);  // q35 has an MCFG: the machine uses ECAM
  EXPECT_EQ(port_io.Size(), 256);
  size_t compared = 0;
  for (const Function& f : MachineDevices().functions()) {
    for (uint16_t offset = 0; offset < 256; offset += 4) {
      ASSERT_EQ(ecam.Read32(f.address, offset), port_io.Read32(f.address, offset))
          << "function " << int{f.address.bus} << ":" << int{f.address.device} << "." << int{f.address.function}
          << " offset " << offset;
    }
    ++compared;
  }
  EXPECT_GE(compared, 6u);
  // A write through one is seen through the other (the command register's INTx disable).
  const uint16_t command = ecam.Read16(kVirtioRng, kCommand);
  ecam.Write16(kVirtioRng, kCommand, command ^ kCommandInterruptDisable);
  EXPECT_EQ(port_io.Read16(kVirtioRng, kCommand), command ^ kCommandInterruptDisable);
  port_io.Write16(kVirtioRng, kCommand, command);
  EXPECT_EQ(ecam.Read16(kVirtioRng, kCommand), command);
  // Absent functions read as all ones through both.
  EXPECT_EQ(ecam.Read32({0, 30, 0}, 0), ~0u);
  EXPECT_EQ(port_io.Read32({0, 30, 0}, 0), ~0u);
}

TEST(DeviceMemoryTest, BarAboveFourGiBIsMappedUncachedAndWorks) {
  ConfigSpace& config = MachineConfigSpace();
  Bar bars[kMaxBars];
  ASSERT_TRUE(ReadBars(config, kSharedMemory, bars).ok());
  const Bar& shared = bars[2];
  ASSERT_EQ(shared.kind, Bar::Kind::kMemory64);
  ASSERT_GE(shared.address, x86_64::kIdentityMapEnd);  // where the identity map cannot reach
  config.Write16(kSharedMemory, kCommand, config.Read16(kSharedMemory, kCommand) | kCommandMemorySpace);
  Result<volatile uint8_t*> mapped = MapBar(shared, "ivshmem BAR 2");
  ASSERT_TRUE(mapped.ok()) << mapped.status().message();
  volatile uint8_t* base = mapped.value();
  const uintptr_t address = reinterpret_cast<uintptr_t>(base);
  EXPECT_EQ(x86_64::MappedCacheType(address), x86_64::CacheType::kUncached);
  EXPECT_EQ(x86_64::MappedCacheType(address + shared.size - 4), x86_64::CacheType::kUncached);
  EXPECT_FALSE(x86_64::IsMapped(address - x86_64::kPageSize));  // the guard page
  // The first and last words, and one in the middle, hold what was written.
  const uint64_t offsets[] = {0, shared.size / 2 + 8, shared.size - 4};
  for (uint64_t offset : offsets) x86_64::MmioWrite32(base + offset, 0x5a000000u | static_cast<uint32_t>(offset >> 12));
  for (uint64_t offset : offsets) {
    EXPECT_EQ(x86_64::MmioRead32(base + offset), 0x5a000000u | static_cast<uint32_t>(offset >> 12))
        << "offset " << offset;
  }
  // A second, unaligned mapping of the same memory sees the same bytes.
  Result<uintptr_t> again = native::VMemAllocator::MapDevice(shared.address + shared.size / 2 + 8, 4, "ivshmem word");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value() % x86_64::kPageSize, 8u);
  EXPECT_EQ(x86_64::MmioRead32(reinterpret_cast<volatile void*>(again.value())),
            0x5a000000u | static_cast<uint32_t>((shared.size / 2 + 8) >> 12));
  const size_t live = native::VMemAllocator::LiveRegions();
  native::VMemAllocator::Free(again.value());
  native::VMemAllocator::Free(address);
  EXPECT_EQ(native::VMemAllocator::LiveRegions(), live - 2);
  EXPECT_FALSE(x86_64::IsMapped(address));
}

TEST(DeviceMemoryTest, OnlyAssignedMemoryBarsMap) {
  Bar bars[kMaxBars];
  ASSERT_TRUE(ReadBars(MachineConfigSpace(), kVirtioNet, bars).ok());
  EXPECT_EQ(MapBar(bars[0], "io").status().code(), StatusCode::kInvalidArgument);  // I/O BAR
  EXPECT_EQ(MapBar(bars[2], "unused").status().code(), StatusCode::kInvalidArgument);
  Bar unassigned = bars[1];
  unassigned.address = 0;
  EXPECT_EQ(MapBar(unassigned, "unassigned").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(native::VMemAllocator::MapDevice(0x1000, 0, "empty").status().code(),
            StatusCode::kInvalidArgument);
}

int g_static_buffer[64];

TEST(DmaAddressTest, IdentityMappedMemoryIsItsOwnAddress) {
  void* heap = malloc(3000);
  ASSERT_NE(heap, nullptr);
  Result<uint64_t> paddr = native::TryDmaAddress(heap, 3000);
  ASSERT_TRUE(paddr.ok()) << paddr.status().message();
  EXPECT_EQ(paddr.value(), reinterpret_cast<uintptr_t>(heap));
  EXPECT_EQ(native::DmaAddress(heap, 3000), reinterpret_cast<uintptr_t>(heap));
  free(heap);
  EXPECT_EQ(native::TryDmaAddress(g_static_buffer, sizeof(g_static_buffer)).value(),
            reinterpret_cast<uintptr_t>(g_static_buffer));
}

TEST(DmaAddressTest, MemoryOutsideTheIdentityMapIsRefused) {
  // An event's stack is a VMemAllocator region: its addresses mean nothing to a device.
  ebbrt::testing_internal::InFreshRun(1, [] {
    int on_stack[16] = {};
    EXPECT_EQ(native::TryDmaAddress(on_stack, sizeof(on_stack)).status().code(),
              StatusCode::kInvalidArgument);
  });
  EXPECT_EQ(native::TryDmaAddress(nullptr, 8).status().code(), StatusCode::kInvalidArgument);  // null page
  EXPECT_EQ(native::TryDmaAddress(g_static_buffer, 0).status().code(), StatusCode::kInvalidArgument);
  auto* below_4g = reinterpret_cast<const void*>(x86_64::kIdentityMapEnd - 16);
  EXPECT_EQ(native::TryDmaAddress(below_4g, 32).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ebbrt::pci
