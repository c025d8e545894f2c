// SPDX-License-Identifier: Apache-2.0
// virtio 1.x over PCI, the modern interface (virtio 1.1 §4.1): finding the device's
// configuration structures through its vendor-specific PCI capabilities, feature
// negotiation, queue setup with an MSI-X vector per queue, and queue notification.
// Register access goes through a RegisterWindow (mapped BAR memory natively, a simulated
// device in tests), so everything here is tested on hosted.
//
//   VirtioPciLayout layout = EBBRT_TRY(FindVirtioPciLayout(config, function.address));
//   // map layout.common/notify/device's BARs (pci::MapBar), wrap them in MmioWindows, then:
//   VirtioPciTransport transport(common, notify, layout.notify_off_multiplier);
//   uint64_t features = EBBRT_TRY(transport.Negotiate(kRequired, kWanted, kNetFeatureNames));
//   uint16_t size = EBBRT_TRY(transport.QueueMaxSize(0));
//   ... EBBRT_TRY(transport.EnableQueue(0, setup));
//   transport.SetDriverOk();
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <span>

#include "ebbrt/base/result.h"
#include "ebbrt/native/pci/config_space.h"

namespace ebbrt::virtio {

// Feature bits every virtio device may offer. virtio 1.1 §6.
inline constexpr uint64_t kFeatureRingIndirectDesc = uint64_t{1} << 28;
inline constexpr uint64_t kFeatureRingEventIdx = uint64_t{1} << 29;
inline constexpr uint64_t kFeatureVersion1 = uint64_t{1} << 32;
inline constexpr uint64_t kFeatureAccessPlatform = uint64_t{1} << 33;
inline constexpr uint64_t kFeatureRingPacked = uint64_t{1} << 34;

// A feature's name, and the message of the error when a device lacks it though the driver
// requires it (a literal, as every Status message is).
struct FeatureName {
  uint64_t bit;
  const char* name;
  const char* missing;
};

// Names of the transport-level features above (device drivers add their own).
std::span<const FeatureName> CommonFeatureNames();

// Device status bits. virtio 1.1 §2.1.
inline constexpr uint8_t kStatusAcknowledge = 1;
inline constexpr uint8_t kStatusDriver = 2;
inline constexpr uint8_t kStatusDriverOk = 4;
inline constexpr uint8_t kStatusFeaturesOk = 8;
inline constexpr uint8_t kStatusNeedsReset = 64;
inline constexpr uint8_t kStatusFailed = 128;

// Where one configuration structure is: a BAR, an offset in it, a length. §4.1.4.
struct VirtioPciRegion {
  uint8_t bar = 0;
  uint32_t offset = 0;
  uint32_t length = 0;
};

// Every structure the modern interface needs (the first capability of each type, as
// §4.1.4 advises), checked to lie inside its BAR.
struct VirtioPciLayout {
  VirtioPciRegion common;
  VirtioPciRegion notify;
  VirtioPciRegion isr;
  VirtioPciRegion device;  // length 0 when the device has no device-specific configuration
  uint32_t notify_off_multiplier = 0;
};

// Reads the layout from the function's capabilities. kNotFound when it has no common,
// notify or ISR structure (a legacy-only device); kInvalidArgument when one names a
// reserved BAR, does not fit its BAR, or the common structure is too short.
Result<VirtioPciLayout> FindVirtioPciLayout(pci::ConfigSpace& config, pci::Address address);

// Registers of one configuration structure, by offset: little-endian, each access of
// exactly its width (virtio 1.1 §4.1.3.1).
class RegisterWindow {
 public:
  virtual ~RegisterWindow() = default;
  virtual uint8_t Read8(size_t offset) = 0;
  virtual uint16_t Read16(size_t offset) = 0;
  virtual uint32_t Read32(size_t offset) = 0;
  virtual void Write8(size_t offset, uint8_t value) = 0;
  virtual void Write16(size_t offset, uint16_t value) = 0;
  virtual void Write32(size_t offset, uint32_t value) = 0;
};

// Offsets in the common configuration structure. virtio 1.1 §4.1.4.3.
namespace common_cfg {
inline constexpr size_t kDeviceFeatureSelect = 0x00;
inline constexpr size_t kDeviceFeature = 0x04;
inline constexpr size_t kDriverFeatureSelect = 0x08;
inline constexpr size_t kDriverFeature = 0x0c;
inline constexpr size_t kMsixConfig = 0x10;
inline constexpr size_t kNumQueues = 0x12;
inline constexpr size_t kDeviceStatus = 0x14;
inline constexpr size_t kConfigGeneration = 0x15;
inline constexpr size_t kQueueSelect = 0x16;
inline constexpr size_t kQueueSize = 0x18;
inline constexpr size_t kQueueMsixVector = 0x1a;
inline constexpr size_t kQueueEnable = 0x1c;
inline constexpr size_t kQueueNotifyOff = 0x1e;
inline constexpr size_t kQueueDesc = 0x20;
inline constexpr size_t kQueueDriver = 0x28;
inline constexpr size_t kQueueDevice = 0x30;
inline constexpr size_t kSize = 0x38;
}  // namespace common_cfg

// "No MSI-X vector" for msix_config and queue_msix_vector. §4.1.5.1.2.
inline constexpr uint16_t kNoVector = 0xffff;

// Where a queue's three parts are, as the device sees them, and its interrupt.
struct QueueSetup {
  uint16_t size = 0;  // a power of two up to QueueMaxSize
  uint64_t desc = 0;
  uint64_t driver = 0;  // the available ring
  uint64_t device = 0;  // the used ring
  uint16_t msix_vector = kNoVector;  // MSI-X table entry for the queue's interrupts
};

class VirtioPciTransport {
 public:
  // `common` and `notify` are the mapped structures of a VirtioPciLayout.
  VirtioPciTransport(RegisterWindow& common, RegisterWindow& notify, uint32_t notify_off_multiplier)
      : common_(common), notify_(notify), notify_off_multiplier_(notify_off_multiplier) {}

  // Device initialization up to FEATURES_OK (virtio 1.1 §3.1.1 steps 1-6): reset,
  // ACKNOWLEDGE, DRIVER, then accept the device's features that are in `required` or
  // `wanted` (VERSION_1 is always required). Returns the accepted set. If the device lacks
  // a required feature, or refuses the set (FEATURES_OK does not stick), the device is
  // marked FAILED and the error is kUnimplemented naming the first missing feature
  // (`names`, then the common names), with every missing one printed on the console.
  Result<uint64_t> Negotiate(uint64_t required, uint64_t wanted, std::span<const FeatureName> names);

  // Resets the device (§2.1: writing 0 to the status) and waits until it reports the reset
  // done; afterwards it no longer touches the queues' memory. kTimeout if it never does.
  Status Reset();

  uint16_t NumQueues();
  // The largest size the device allows for queue `index`; kNotFound when the queue does
  // not exist (size 0 or index past NumQueues).
  Result<uint16_t> QueueMaxSize(uint16_t index);
  // Programs and enables queue `index`. kInvalidArgument for a size that is not a power
  // of two within QueueMaxSize; kResourceExhausted when the device cannot use the MSI-X
  // vector (it reads back kNoVector, §4.1.5.1.2).
  Status EnableQueue(uint16_t index, const QueueSetup& setup);
  // The MSI-X vector for configuration changes; same error as EnableQueue.
  Status SetConfigVector(uint16_t vector);
  // Device initialization's last step (§3.1.1 step 8): the device may use its queues.
  void SetDriverOk();
  uint8_t DeviceStatus();
  // Marks the device FAILED (§2.1.1: after an error the driver cannot recover from).
  void Fail();

  // Tells the device queue `index` has new available buffers (§4.1.5.2): writes the
  // queue index at the queue's notification address.
  void Notify(uint16_t index);

 private:
  RegisterWindow& common_;
  RegisterWindow& notify_;
  uint32_t notify_off_multiplier_;
  // Each queue's notification offset (queue_notify_off x multiplier), read at enable time.
  static constexpr size_t kMaxQueues = 512;
  uint32_t notify_offsets_[kMaxQueues] = {};
};

}  // namespace ebbrt::virtio
