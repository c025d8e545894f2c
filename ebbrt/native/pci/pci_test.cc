// SPDX-License-Identifier: Apache-2.0
// PCI parsing against a fake configuration space laid out as firmware leaves a machine:
// enumeration across bridges (and refusing bad bridges), BAR decoding and sizing of every
// kind, capability lists (and malformed ones), MSI-X, MSI messages and the MSI-X table.
#include "ebbrt/native/pci/pci.h"

#include <stdint.h>

#include <vector>

#include "ebbrt/native/pci/fake_config_space.h"
#include "gtest/gtest.h"

namespace ebbrt::pci {
namespace {

std::vector<Function> EnumerateAll(FakeConfigSpace& config, size_t* skipped = nullptr) {
  std::vector<Function> found;
  size_t count = Enumerate(
      config,
      [&](const Function& f) {
        found.push_back(f);
        return true;
      },
      skipped);
  EXPECT_EQ(count, found.size());
  return found;
}

TEST(PciEnumerateTest, FindsFunctionsBehindBridgesInOrder) {
  FakeConfigSpace config;
  config.AddFunction({0, 0, 0}, 0x8086, 0x29c0, 0x06);  // host bridge
  config.AddFunction({0, 3, 0}, 0x1af4, 0x1000, 0x02);
  config.SetMultifunction({0, 3, 0});
  config.AddFunction({0, 3, 2}, 0x1af4, 0x1005, 0xff);
  config.AddFunction({0, 3, 5}, 0x1234, 0x0001, 0x01);
  config.AddFunction({0, 5, 0}, 0x1b36, 0x0001, 0x06, /*header_type=*/1);
  config.SetSecondaryBus({0, 5, 0}, 1);
  config.AddFunction({1, 2, 0}, 0x1af4, 0x1041, 0x02);
  config.AddFunction({0, 7, 0}, 0x1b36, 0x0002, 0x06, /*header_type=*/1);
  config.SetSecondaryBus({0, 7, 0}, 2);
  config.AddFunction({2, 0, 0}, 0x1af4, 0x1044, 0xff);
  // A function > 0 on a device that is not multi-function is not looked for.
  config.AddFunction({0, 9, 1}, 0xdead, 0xbeef, 0x00);

  size_t skipped = 99;
  std::vector<Function> found = EnumerateAll(config, &skipped);
  ASSERT_EQ(found.size(), 8u);
  const Address expected[] = {{0, 0, 0}, {0, 3, 0}, {0, 3, 2}, {0, 3, 5},
                              {0, 5, 0}, {1, 2, 0}, {0, 7, 0}, {2, 0, 0}};
  for (size_t i = 0; i < found.size(); ++i) {
    EXPECT_TRUE(found[i].address == expected[i]) << "entry " << i;
  }
  EXPECT_EQ(skipped, 0u);
  EXPECT_EQ(found[1].vendor_id, 0x1af4);
  EXPECT_EQ(found[1].device_id, 0x1000);
  EXPECT_EQ(found[1].class_code, 0x02);
  EXPECT_TRUE(found[1].multifunction);
  EXPECT_EQ(found[1].header_type, 0);
  EXPECT_EQ(found[4].header_type, 1);
  EXPECT_FALSE(found[4].multifunction);
}

TEST(PciEnumerateTest, BridgesThatWouldLoopAreSkippedAndCounted) {
  FakeConfigSpace config;
  config.AddFunction({0, 1, 0}, 0x1b36, 0x0001, 0x06, 1);
  config.SetSecondaryBus({0, 1, 0}, 1);
  config.AddFunction({1, 0, 0}, 0x1b36, 0x0001, 0x06, 1);
  config.SetSecondaryBus({1, 0, 0}, 1);  // points at its own bus
  config.AddFunction({1, 1, 0}, 0x1b36, 0x0001, 0x06, 1);
  config.SetSecondaryBus({1, 1, 0}, 0);  // unassigned
  config.AddFunction({0, 2, 0}, 0x1b36, 0x0001, 0x06, 1);
  config.SetSecondaryBus({0, 2, 0}, 1);  // bus 1 again
  size_t skipped = 0;
  std::vector<Function> found = EnumerateAll(config, &skipped);
  EXPECT_EQ(found.size(), 4u);
  EXPECT_EQ(skipped, 3u);
}

TEST(PciEnumerateTest, VisitorCanStop) {
  FakeConfigSpace config;
  for (uint8_t d = 0; d < 5; ++d) config.AddFunction({0, d, 0}, 0x1af4, d, 0);
  int seen = 0;
  size_t count = Enumerate(config, [&](const Function&) { return ++seen < 2; });
  EXPECT_EQ(seen, 2);
  EXPECT_EQ(count, 2u);
}

TEST(PciFunctionTest, AbsentFunctionIsNotFound) {
  FakeConfigSpace config;
  EXPECT_EQ(ReadFunction(config, {0, 4, 0}).status().code(), StatusCode::kNotFound);
}

class PciBarTest : public testing::Test {
 protected:
  PciBarTest() {
    config_.AddFunction(nic_, 0x1af4, 0x1000, 0x02);
    config_.SetIoBar(nic_, 0, 0xc040, 0x20);
    config_.SetMemoryBar(nic_, 1, 0xfebf1000, 0x1000, false, false);
    config_.SetMemoryBar(nic_, 4, 0x8'0000'4000ull, 0x4000, true, true);
    command_ = kCommandIoSpace | kCommandMemorySpace | kCommandBusMaster;
    config_.Write16(nic_, kCommand, command_);
  }
  FakeConfigSpace config_;
  Address nic_{0, 3, 0};
  uint16_t command_;
};

TEST_F(PciBarTest, DecodesAndSizesEveryKind) {
  Bar bars[kMaxBars];
  Result<size_t> used = ReadBars(config_, nic_, bars);
  ASSERT_TRUE(used.ok()) << used.status().message();
  EXPECT_EQ(used.value(), 3u);
  EXPECT_EQ(bars[0].kind, Bar::Kind::kIo);
  EXPECT_EQ(bars[0].address, 0xc040u);
  EXPECT_EQ(bars[0].size, 0x20u);
  EXPECT_EQ(bars[1].kind, Bar::Kind::kMemory32);
  EXPECT_EQ(bars[1].address, 0xfebf1000u);
  EXPECT_EQ(bars[1].size, 0x1000u);
  EXPECT_FALSE(bars[1].prefetchable);
  EXPECT_EQ(bars[2].kind, Bar::Kind::kUnused);
  EXPECT_EQ(bars[3].kind, Bar::Kind::kUnused);
  EXPECT_EQ(bars[4].kind, Bar::Kind::kMemory64);
  EXPECT_EQ(bars[4].address, 0x8'0000'4000ull);
  EXPECT_EQ(bars[4].size, 0x4000u);
  EXPECT_TRUE(bars[4].prefetchable);
  EXPECT_EQ(bars[5].kind, Bar::Kind::kUnused);  // the upper half of BAR 4
  EXPECT_STREQ(BarKindName(bars[4].kind), "mem64");
}

TEST_F(PciBarTest, SizingRestoresBarsAndCommand) {
  Bar bars[kMaxBars];
  ASSERT_TRUE(ReadBars(config_, nic_, bars).ok());
  EXPECT_EQ(config_.Read32(nic_, kBar0), 0xc041u);
  EXPECT_EQ(config_.Read32(nic_, kBar0 + 4), 0xfebf1000u);
  EXPECT_EQ(config_.Read32(nic_, kBar0 + 16), 0x0000400cu);
  EXPECT_EQ(config_.Read32(nic_, kBar0 + 20), 0x8u);
  EXPECT_EQ(config_.Read16(nic_, kCommand), command_);
}

TEST_F(PciBarTest, DecodingIsOffWhileSizing) {
  // A config space that records the command register at each BAR write.
  class Recording : public FakeConfigSpace {
   public:
    void Write32(Address a, uint16_t offset, uint32_t value) override {
      if (offset >= kBar0 && offset < kBar0 + 24) commands.push_back(Read16(a, kCommand));
      FakeConfigSpace::Write32(a, offset, value);
    }
    std::vector<uint16_t> commands;
  } config;
  config.AddFunction(nic_, 0x1af4, 0x1000, 0x02);
  config.SetMemoryBar(nic_, 0, 0xfe000000, 0x1000, false, false);
  config.Write16(nic_, kCommand, kCommandMemorySpace | kCommandBusMaster);
  Bar bars[kMaxBars];
  ASSERT_TRUE(ReadBars(config, nic_, bars).ok());
  ASSERT_FALSE(config.commands.empty());
  for (uint16_t c : config.commands) EXPECT_EQ(c & (kCommandIoSpace | kCommandMemorySpace), 0);
  EXPECT_EQ(config.Read16(nic_, kCommand), kCommandMemorySpace | kCommandBusMaster);
}

TEST_F(PciBarTest, SixtyFourBitBarInLastSlotIsAnError) {
  const Address odd{0, 6, 0};
  config_.AddFunction(odd, 0x1234, 0x5678, 0x02);
  config_.SetMemoryBar(odd, 5, 0xfd000000, 0x1000, false, false);
  // Mark BAR 5 as 64-bit by hand: its upper half would be past the BARs.
  config_.function(odd).bytes[kBar0 + 20] |= 4;
  config_.Write16(odd, kCommand, kCommandMemorySpace);
  Bar bars[kMaxBars];
  EXPECT_EQ(ReadBars(config_, odd, bars).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config_.Read16(odd, kCommand), kCommandMemorySpace);
}

TEST_F(PciBarTest, BridgeIsRefused) {
  config_.AddFunction({0, 5, 0}, 0x1b36, 0x0001, 0x06, 1);
  Bar bars[kMaxBars];
  EXPECT_EQ(ReadBars(config_, {0, 5, 0}, bars).status().code(), StatusCode::kInvalidArgument);
}

class PciCapabilityTest : public testing::Test {
 protected:
  PciCapabilityTest() { config_.AddFunction(dev_, 0x1af4, 0x1041, 0x02); }
  std::vector<std::pair<uint8_t, uint8_t>> Walk(Status* status) {
    std::vector<std::pair<uint8_t, uint8_t>> seen;
    *status = ForEachCapability(config_, dev_, [&](uint8_t id, uint8_t offset) {
      seen.push_back({id, offset});
      return true;
    });
    return seen;
  }
  FakeConfigSpace config_;
  Address dev_{0, 4, 0};
};

TEST_F(PciCapabilityTest, WalksTheListAndFindsById) {
  uint8_t v1 = config_.AddCapability(dev_, kCapabilityVendorSpecific, {16, 1, 0, 0});
  uint8_t msix = config_.AddCapability(dev_, kCapabilityMsix, {2, 0, 1, 0, 0, 0, 0x01, 0x08, 0, 0});
  uint8_t v2 = config_.AddCapability(dev_, kCapabilityVendorSpecific, {16, 2, 0, 0});
  Status status;
  auto seen = Walk(&status);
  EXPECT_TRUE(status.ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_pair(kCapabilityVendorSpecific, v1));
  EXPECT_EQ(seen[1], std::make_pair(kCapabilityMsix, msix));
  EXPECT_EQ(seen[2], std::make_pair(kCapabilityVendorSpecific, v2));
  Result<uint8_t> found = FindCapability(config_, dev_, kCapabilityMsix);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found.value(), msix);
  EXPECT_EQ(FindCapability(config_, dev_, kCapabilityMsi).status().code(), StatusCode::kNotFound);
}

TEST_F(PciCapabilityTest, NoListVisitsNothing) {
  Status status;
  EXPECT_TRUE(Walk(&status).empty());
  EXPECT_TRUE(status.ok());
}

TEST_F(PciCapabilityTest, CycleIsMalformed) {
  uint8_t first = config_.AddCapability(dev_, kCapabilityVendorSpecific, {4, 0});
  uint8_t second = config_.AddCapability(dev_, kCapabilityVendorSpecific, {4, 0});
  config_.function(dev_).bytes[second + 1] = first;  // back to the start
  Status status;
  auto seen = Walk(&status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_GE(seen.size(), 2u);
  EXPECT_LE(seen.size(), 48u);
}

TEST_F(PciCapabilityTest, PointerIntoTheHeaderIsMalformed) {
  uint8_t cap = config_.AddCapability(dev_, kCapabilityVendorSpecific, {4, 0});
  config_.function(dev_).bytes[cap + 1] = 0x10;  // into the BARs
  Status status;
  auto seen = Walk(&status);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(seen.size(), 1u);
  EXPECT_EQ(FindCapability(config_, dev_, kCapabilityMsix).status().code(), StatusCode::kNotFound);
}

TEST_F(PciCapabilityTest, ReservedLowBitsOfPointersAreIgnored) {
  uint8_t first = config_.AddCapability(dev_, kCapabilityVendorSpecific, {4, 0});
  uint8_t second = config_.AddCapability(dev_, kCapabilityMsix, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  config_.function(dev_).bytes[kCapabilitiesPointer] = static_cast<uint8_t>(first | 3);
  config_.function(dev_).bytes[first + 1] = static_cast<uint8_t>(second | 1);
  Result<uint8_t> found = FindCapability(config_, dev_, kCapabilityMsix);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found.value(), second);
}

TEST_F(PciCapabilityTest, MsixCapabilityFields) {
  // Message control: table size 3 (encoded N-1 = 2); table in BAR 1 at 0x0; PBA in BAR 1
  // at 0x800.
  config_.AddCapability(dev_, kCapabilityMsix, {0x02, 0x00, 0x01, 0, 0, 0, 0x01, 0x08, 0, 0});
  Result<MsixCapability> msix = ReadMsixCapability(config_, dev_);
  ASSERT_TRUE(msix.ok()) << msix.status().message();
  EXPECT_EQ(msix.value().table_size, 3);
  EXPECT_EQ(msix.value().table_bar, 1);
  EXPECT_EQ(msix.value().table_offset, 0u);
  EXPECT_EQ(msix.value().pba_bar, 1);
  EXPECT_EQ(msix.value().pba_offset, 0x800u);
}

TEST_F(PciCapabilityTest, MsixInReservedBarIsAnError) {
  config_.AddCapability(dev_, kCapabilityMsix, {0x00, 0x00, 0x06, 0, 0, 0, 0x01, 0, 0, 0});
  EXPECT_EQ(ReadMsixCapability(config_, dev_).status().code(), StatusCode::kInvalidArgument);
  FakeConfigSpace empty;
  empty.AddFunction(dev_, 1, 2, 3);
  EXPECT_EQ(ReadMsixCapability(empty, dev_).status().code(), StatusCode::kNotFound);
}

TEST_F(PciCapabilityTest, MsixControlEnablesMasksAndQuietsIntx) {
  uint8_t cap = config_.AddCapability(dev_, kCapabilityMsix, {0x02, 0x00, 0x01, 0, 0, 0, 0x01, 0x08, 0, 0});
  config_.MarkWritable16(dev_, static_cast<uint16_t>(cap + 2), 0xc000);
  MsixCapability msix = ReadMsixCapability(config_, dev_).value();
  SetMsixControl(config_, dev_, msix, /*enabled=*/true, /*function_masked=*/true);
  EXPECT_EQ(config_.Read16(dev_, cap + 2), 0xc002);
  EXPECT_NE(config_.Read16(dev_, kCommand) & kCommandInterruptDisable, 0);
  SetMsixControl(config_, dev_, msix, true, false);
  EXPECT_EQ(config_.Read16(dev_, cap + 2), 0x8002);
  SetMsixControl(config_, dev_, msix, false, false);
  EXPECT_EQ(config_.Read16(dev_, cap + 2), 0x0002);
}

TEST(MsiMessageTest, AddressNamesTheApicAndDataTheVector) {
  Result<MsiMessage> m = MsiMessageFor(3, 0x31);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m.value().address, 0xfee03000u);
  EXPECT_EQ(m.value().data, 0x31u);
  EXPECT_EQ(MsiMessageFor(255, 0xef).value().address, 0xfeeff000u);
  EXPECT_EQ(MsiMessageFor(256, 0x30).status().code(), StatusCode::kInvalidArgument);
}

TEST(MsixTableTest, ProgramWritesTheEntryAndKeepsReservedBits) {
  uint32_t words[3 * 4] = {};
  // Entries start masked after reset (§6.8.2.9); a reserved bit is set in entry 1.
  for (int e = 0; e < 3; ++e) words[e * 4 + 3] = 1;
  words[1 * 4 + 3] |= 0x100;
  MsixTable table(words, 3);
  ASSERT_TRUE(table.Program(1, MsiMessageFor(2, 0x40).value()).ok());
  EXPECT_EQ(words[4], 0xfee02000u);
  EXPECT_EQ(words[5], 0u);
  EXPECT_EQ(words[6], 0x40u);
  EXPECT_EQ(words[7], 0x100u);  // unmasked, reserved bit kept
  EXPECT_FALSE(table.IsMasked(1));
  EXPECT_TRUE(table.IsMasked(0));
  ASSERT_TRUE(table.Mask(1, true).ok());
  EXPECT_TRUE(table.IsMasked(1));
  EXPECT_EQ(table.Program(3, MsiMessage{}).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(table.Mask(7, false).code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace ebbrt::pci
