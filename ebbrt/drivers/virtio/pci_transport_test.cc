// SPDX-License-Identifier: Apache-2.0
// The modern virtio PCI transport against a fake configuration space (the capability
// layout QEMU gives a virtio device) and a simulated common configuration structure:
// finding the structures, feature negotiation and its failures, queue setup and MSI-X
// vectors, notifications.
#include "ebbrt/drivers/virtio/pci_transport.h"

#include <string.h>

#include "ebbrt/drivers/virtio/fake_virtio_pci_device.h"
#include "ebbrt/native/pci/fake_config_space.h"
#include "gtest/gtest.h"

namespace ebbrt::virtio {
namespace {

using pci::Address;
using pci::FakeConfigSpace;

// A virtio PCI capability (virtio 1.1 §4.1.4): cfg_type, bar, 3 padding bytes, offset,
// length (the id and next pointer come from AddCapability), then extra words.
uint8_t AddVirtioCap(FakeConfigSpace& config, Address a, uint8_t type, uint8_t bar, uint32_t offset,
                     uint32_t length, std::initializer_list<uint32_t> extra = {}) {
  uint8_t body[32] = {};
  body[0] = static_cast<uint8_t>(16 + 4 * extra.size());  // cap_len
  body[1] = type;
  body[2] = bar;
  memcpy(&body[6], &offset, 4);
  memcpy(&body[10], &length, 4);
  size_t n = 14;
  for (uint32_t word : extra) {
    memcpy(&body[n], &word, 4);
    n += 4;
  }
  return config.AddCapability(a, pci::kCapabilityVendorSpecific, std::span<const uint8_t>(body, n));
}

class VirtioLayoutTest : public testing::Test {
 protected:
  VirtioLayoutTest() {
    config_.AddFunction(nic_, 0x1af4, 0x1041, 0x02);
    config_.SetMemoryBar(nic_, 1, 0xfe400000, 0x1000, false, false);
    config_.SetMemoryBar(nic_, 4, 0xfe800000, 0x4000, true, true);
  }
  void AddQemuLikeCaps() {
    AddVirtioCap(config_, nic_, 1, 4, 0x0000, 0x1000);
    AddVirtioCap(config_, nic_, 3, 4, 0x1000, 0x1000);
    AddVirtioCap(config_, nic_, 4, 4, 0x2000, 0x1000);
    AddVirtioCap(config_, nic_, 2, 4, 0x3000, 0x1000, {4});
    AddVirtioCap(config_, nic_, 5, 0, 0, 0, {0});  // PCI configuration access: not used
  }
  FakeConfigSpace config_;
  Address nic_{0, 2, 0};
};

TEST_F(VirtioLayoutTest, FindsEveryStructure) {
  AddQemuLikeCaps();
  Result<VirtioPciLayout> layout = FindVirtioPciLayout(config_, nic_);
  ASSERT_TRUE(layout.ok()) << layout.status().message();
  EXPECT_EQ(layout.value().common.bar, 4);
  EXPECT_EQ(layout.value().common.offset, 0u);
  EXPECT_EQ(layout.value().common.length, 0x1000u);
  EXPECT_EQ(layout.value().isr.offset, 0x1000u);
  EXPECT_EQ(layout.value().device.offset, 0x2000u);
  EXPECT_EQ(layout.value().notify.offset, 0x3000u);
  EXPECT_EQ(layout.value().notify_off_multiplier, 4u);
}

TEST_F(VirtioLayoutTest, TheFirstOfEachTypeWins) {
  AddQemuLikeCaps();
  AddVirtioCap(config_, nic_, 1, 1, 0x800, 0x100);  // a second common structure
  EXPECT_EQ(FindVirtioPciLayout(config_, nic_).value().common.bar, 4);
}

TEST_F(VirtioLayoutTest, LegacyOnlyDeviceIsNotFound) {
  AddVirtioCap(config_, nic_, 1, 4, 0, 0x1000);  // common, but no notify or ISR
  EXPECT_EQ(FindVirtioPciLayout(config_, nic_).status().code(), StatusCode::kNotFound);
}

TEST_F(VirtioLayoutTest, StructurePastItsBarIsRefused) {
  AddVirtioCap(config_, nic_, 1, 4, 0x3800, 0x1000);  // ends at 0x4800 of a 0x4000 BAR
  AddVirtioCap(config_, nic_, 3, 4, 0x1000, 0x1000);
  AddVirtioCap(config_, nic_, 2, 4, 0x2000, 0x1000, {4});
  EXPECT_EQ(FindVirtioPciLayout(config_, nic_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(VirtioLayoutTest, ShortCommonStructureIsRefused) {
  AddVirtioCap(config_, nic_, 1, 4, 0, 0x20);
  AddVirtioCap(config_, nic_, 3, 4, 0x1000, 0x1000);
  AddVirtioCap(config_, nic_, 2, 4, 0x2000, 0x1000, {4});
  EXPECT_EQ(FindVirtioPciLayout(config_, nic_).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(VirtioLayoutTest, ReservedBarIsIgnoredAndIoBarUnsupported) {
  AddVirtioCap(config_, nic_, 1, 7, 0, 0x1000);  // reserved BAR value: ignored
  AddVirtioCap(config_, nic_, 3, 4, 0x1000, 0x1000);
  AddVirtioCap(config_, nic_, 2, 4, 0x2000, 0x1000, {4});
  EXPECT_EQ(FindVirtioPciLayout(config_, nic_).status().code(), StatusCode::kNotFound);
  FakeConfigSpace io;
  io.AddFunction(nic_, 0x1af4, 0x1041, 0x02);
  io.SetIoBar(nic_, 0, 0xc000, 0x40);
  AddVirtioCap(io, nic_, 1, 0, 0, 0x38);
  AddVirtioCap(io, nic_, 3, 0, 0x38, 0x4);
  AddVirtioCap(io, nic_, 2, 0, 0x3c, 0x4, {0});
  EXPECT_EQ(FindVirtioPciLayout(io, nic_).status().code(), StatusCode::kUnimplemented);
}

constexpr uint64_t kNetMac = uint64_t{1} << 5;
constexpr uint64_t kNetMq = uint64_t{1} << 22;
constexpr FeatureName kNetNames[] = {
    {kNetMac, "VIRTIO_NET_F_MAC", "virtio-net: device lacks required feature VIRTIO_NET_F_MAC"},
    {kNetMq, "VIRTIO_NET_F_MQ", "virtio-net: device lacks required feature VIRTIO_NET_F_MQ"},
};

TEST(VirtioTransportTest, NegotiatesTheOfferedSubset) {
  FakeVirtioCommonConfig common(kFeatureVersion1 | kFeatureRingEventIdx | kNetMac | (uint64_t{1} << 7), 3, 4);
  FakeVirtioNotify notify;
  VirtioPciTransport transport(common, notify, 4);
  Result<uint64_t> accepted = transport.Negotiate(kNetMac, kFeatureRingEventIdx | kFeatureRingIndirectDesc, kNetNames);
  ASSERT_TRUE(accepted.ok()) << accepted.status().message();
  EXPECT_EQ(accepted.value(), kFeatureVersion1 | kFeatureRingEventIdx | kNetMac);
  EXPECT_EQ(common.driver_features(), accepted.value());
  // §3.1.1: reset, ACKNOWLEDGE, DRIVER, FEATURES_OK.
  const std::vector<uint8_t> expected = {0, kStatusAcknowledge, kStatusAcknowledge | kStatusDriver,
                                         kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk};
  EXPECT_EQ(common.status_writes(), expected);
  transport.SetDriverOk();
  EXPECT_EQ(transport.DeviceStatus(), kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk);
}

TEST(VirtioTransportTest, MissingRequiredFeatureIsNamedAndFailsTheDevice) {
  FakeVirtioCommonConfig common(kFeatureVersion1 | kNetMac, 3, 4);
  FakeVirtioNotify notify;
  VirtioPciTransport transport(common, notify, 4);
  Result<uint64_t> accepted = transport.Negotiate(kNetMac | kNetMq, 0, kNetNames);
  EXPECT_EQ(accepted.status().code(), StatusCode::kUnimplemented);
  EXPECT_STREQ(accepted.status().message(), "virtio-net: device lacks required feature VIRTIO_NET_F_MQ");
  EXPECT_NE(common.status() & kStatusFailed, 0);
}

TEST(VirtioTransportTest, LegacyOnlyDeviceLacksVersion1) {
  FakeVirtioCommonConfig common(kNetMac, 1, 1);
  FakeVirtioNotify notify;
  VirtioPciTransport transport(common, notify, 4);
  Result<uint64_t> accepted = transport.Negotiate(0, kNetMac, kNetNames);
  EXPECT_EQ(accepted.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(strstr(accepted.status().message(), "VIRTIO_F_VERSION_1"), nullptr);
}

TEST(VirtioTransportTest, DeviceRefusingFeaturesOkIsAnError) {
  FakeVirtioCommonConfig common(kFeatureVersion1, 1, 1);
  common.RefuseFeaturesOk();
  FakeVirtioNotify notify;
  VirtioPciTransport transport(common, notify, 4);
  EXPECT_EQ(transport.Negotiate(0, 0, {}).status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(common.status() & kStatusFailed, 0);
}

TEST(VirtioTransportTest, QueuesAreProgrammedWithTheirVectorsAndNotified) {
  FakeVirtioCommonConfig common(kFeatureVersion1, 3, 2, /*max_queue_size=*/256);
  common.RemoveQueue(2);
  FakeVirtioNotify notify;
  VirtioPciTransport transport(common, notify, 4);
  ASSERT_TRUE(transport.Negotiate(0, 0, {}).ok());
  EXPECT_EQ(transport.NumQueues(), 3);
  EXPECT_EQ(transport.QueueMaxSize(0).value(), 256);
  EXPECT_EQ(transport.QueueMaxSize(2).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(transport.QueueMaxSize(3).status().code(), StatusCode::kNotFound);
  QueueSetup setup{.size = 128, .desc = 0x1'2345'0000, .driver = 0x1'2345'0800, .device = 0x1'2345'1000,
                   .msix_vector = 1};
  ASSERT_TRUE(transport.EnableQueue(1, setup).ok());
  EXPECT_EQ(common.queue(1).size, 128);
  EXPECT_EQ(common.queue(1).desc, 0x1'2345'0000u);
  EXPECT_EQ(common.queue(1).driver, 0x1'2345'0800u);
  EXPECT_EQ(common.queue(1).device, 0x1'2345'1000u);
  EXPECT_EQ(common.queue(1).msix_vector, 1);
  EXPECT_EQ(common.queue(1).enable, 1);
  transport.Notify(1);
  ASSERT_EQ(notify.writes().size(), 1u);
  EXPECT_EQ(notify.writes()[0].offset, 4u);  // queue_notify_off 1 x multiplier 4
  EXPECT_EQ(notify.writes()[0].value, 1);
  setup.size = 100;
  EXPECT_EQ(transport.EnableQueue(0, setup).code(), StatusCode::kInvalidArgument);
  setup.size = 512;
  EXPECT_EQ(transport.EnableQueue(0, setup).code(), StatusCode::kInvalidArgument);
  setup.size = 64;
  setup.msix_vector = 5;  // the device has 2
  EXPECT_EQ(transport.EnableQueue(0, setup).code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(transport.SetConfigVector(0).ok());
  EXPECT_EQ(transport.SetConfigVector(9).code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace ebbrt::virtio
