// SPDX-License-Identifier: Apache-2.0
// What the runner's --net gives the image, seen from inside: the virtio-net NIC at PCI
// 00:02.0 with the MSI-X vectors and queue pairs the runner asked QEMU for and the MAC it
// printed. The BUILD file's tests check the printed values against the run's options; a
// peer script checks the host side while RunnerNic.HoldForPeer keeps the image running.
// RunnerFault's tests misbehave on purpose, for the runner's own cleanup tests (selected
// with gtest_filter, never run by default).
#include <stdint.h>
#include <stdio.h>

#include "ebbrt/event/timer.h"
#include "ebbrt/future/future.h"
#include "ebbrt/native/arch/x86_64/mmio.h"
#include "ebbrt/native/pci/devices.h"
#include "ebbrt/native/pci/pci.h"
#include "ebbrt/testing/on_cores.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

constexpr pci::Address kNic{0, 2, 0};  // the runner's fixed NIC address
constexpr uint16_t kVirtioVendor = 0x1af4;
constexpr uint16_t kModernVirtioNet = 0x1041;  // 0x1040 + device type 1; virtio 1.1 §4.1.2
// A virtio vendor capability: cfg_type at +3, bar at +4, offset (le32) at +8.
// virtio 1.1 §4.1.4; type 1 is the common configuration, type 4 the device-specific one.
constexpr uint8_t kVirtioCommonConfig = 1;
constexpr uint8_t kVirtioDeviceConfig = 4;
// Common configuration: device_feature_select (le32) at 0, device_feature (le32) at 4.
// virtio 1.1 §4.1.4.3.
constexpr uint32_t kVirtioNetFeatureMq = 1u << 22;  // virtio 1.1 §5.1.3

// Where one virtio configuration structure of the NIC is, mapped; nullptr when absent.
volatile uint8_t* MapVirtioConfig(uint8_t type) {
  pci::ConfigSpace& config = pci::MachineConfigSpace();
  uint8_t bar_index = 0xff;
  uint32_t offset = 0;
  Status walked = pci::ForEachCapability(config, kNic, [&](uint8_t id, uint8_t cap) {
    if (id == pci::kCapabilityVendorSpecific && config.Read8(kNic, cap + 3) == type) {
      bar_index = config.Read8(kNic, cap + 4);
      offset = config.Read32(kNic, cap + 8);
      return false;
    }
    return true;
  });
  if (!walked.ok() || bar_index >= pci::kMaxBars) return nullptr;
  pci::Bar bars[pci::kMaxBars];
  if (!pci::ReadBars(config, kNic, bars).ok()) return nullptr;
  Result<volatile uint8_t*> mapped = pci::MapBar(bars[bar_index], "virtio-net BAR");
  return mapped.ok() ? mapped.value() + offset : nullptr;
}

const pci::Function* FindNic() {
  for (const pci::Function& f : pci::MachineDevices().functions()) {
    if (f.address == kNic) return &f;
  }
  return nullptr;
}

// Blocks the calling event for `ns` on a timer (the core halts meanwhile).
void SleepNs(uint64_t ns) {
  Promise<void> done;
  Future<void> woken = done.GetFuture();
  timer->Start(ns, [done = std::move(done)]() mutable { done.SetValue(); });
  EXPECT_TRUE(woken.Block().ok());
}

TEST(RunnerNic, IsModernVirtioNetWithTheRunnersVectorsQueuesAndMac) {
  const pci::Function* nic = FindNic();
  ASSERT_NE(nic, nullptr) << "no function at 00:02.0";
  EXPECT_EQ(nic->vendor_id, kVirtioVendor);
  EXPECT_EQ(nic->device_id, kModernVirtioNet);
  EXPECT_EQ(nic->class_code, 0x02);  // network controller
  Result<pci::MsixCapability> msix = pci::ReadMsixCapability(pci::MachineConfigSpace(), kNic);
  ASSERT_TRUE(msix.ok());

  // The first 32 feature bits the device offers (selecting them is harmless: no driver
  // negotiates here).
  volatile uint8_t* common = MapVirtioConfig(kVirtioCommonConfig);
  ASSERT_NE(common, nullptr) << "no virtio common configuration capability";
  x86_64::MmioWrite32(common + 0, 0);
  uint32_t features = x86_64::MmioRead32(common + 4);
  bool mq = (features & kVirtioNetFeatureMq) != 0;

  // The device configuration: mac[6], status (le16), max_virtqueue_pairs (le16), the last
  // only with VIRTIO_NET_F_MQ (one queue pair otherwise). virtio 1.1 §5.1.4.
  volatile uint8_t* device_config = MapVirtioConfig(kVirtioDeviceConfig);
  ASSERT_NE(device_config, nullptr) << "no virtio device configuration capability";
  uint8_t mac[6];
  for (int i = 0; i < 6; ++i) mac[i] = x86_64::MmioRead8(device_config + i);
  unsigned max_queue_pairs = mq ? x86_64::MmioRead16(device_config + 8) : 1;

  // One line for the BUILD file's expect_log (the values depend on the run's options).
  printf("nic %02x:%02x.%x %04x:%04x msix_vectors=%u mac=%02x:%02x:%02x:%02x:%02x:%02x "
         "mq=%s max_queue_pairs=%u\n",
         nic->address.bus, nic->address.device, nic->address.function, nic->vendor_id,
         nic->device_id, msix.value().table_size, mac[0], mac[1], mac[2], mac[3], mac[4],
         mac[5], mq ? "on" : "off", max_queue_pairs);
}

// Keeps the image (and so QEMU, the namespace, the forwards) up while a peer looks at the
// host side: it starts on the line printed here and has 3 s, plenty for a few `ip` and
// `ss` commands.
TEST(RunnerNic, HoldForPeer) {
  printf("nic probe: holding 3 s for the peer\n");
  testing_internal::InFreshRun(1, [] { SleepNs(3'000'000'000); });
}

TEST(RunnerFault, FailsOnPurpose) { FAIL() << "failing on purpose (a runner test)"; }

// Blocks on a future nothing fulfils: the core halts and the runner's timeout ends it.
TEST(RunnerFault, HangsOnPurpose) {
  printf("nic probe: hanging on purpose\n");
  testing_internal::InFreshRun(1, [] {
    Promise<void> never;
    Future<void> forever = never.GetFuture();
    EXPECT_TRUE(forever.Block().ok());
  });
}

}  // namespace
}  // namespace ebbrt
