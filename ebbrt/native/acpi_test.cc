// SPDX-License-Identifier: Apache-2.0
// The MADT, SRAT and FADT parsers against tables laid out in a buffer as firmware would:
// an RSDP (revision 2) pointing at an XSDT that lists a MADT, an SRAT and a FADT. On hosted the
// "physical addresses" are simply the buffer's addresses.
#include "ebbrt/native/acpi.h"

#include <stdint.h>
#include <string.h>

#include <vector>

#include "gtest/gtest.h"

namespace ebbrt::native {
namespace {

// Appends little-endian values to a table under construction.
class TableBuilder {
 public:
  explicit TableBuilder(const char* signature) {
    bytes_.resize(36);  // ACPI 6.4 §5.2.6: the common header.
    memcpy(bytes_.data(), signature, 4);
    bytes_[8] = 1;  // Revision.
  }
  TableBuilder& U8(uint8_t v) { return Bytes(&v, 1); }
  TableBuilder& U16(uint16_t v) { return Bytes(&v, 2); }
  TableBuilder& U32(uint32_t v) { return Bytes(&v, 4); }
  TableBuilder& U64(uint64_t v) { return Bytes(&v, 8); }
  // Sets the length and checksum; the table must not move afterwards.
  const uint8_t* Finish() {
    uint32_t length = static_cast<uint32_t>(bytes_.size());
    memcpy(&bytes_[4], &length, 4);
    bytes_[9] = 0;
    uint8_t sum = 0;
    for (uint8_t b : bytes_) sum = static_cast<uint8_t>(sum + b);
    bytes_[9] = static_cast<uint8_t>(-sum);
    return bytes_.data();
  }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  TableBuilder& Bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

// ACPI 6.4 §5.2.16.1: Processor Local APIC/SAPIC Affinity Structure.
void SratApic(TableBuilder& t, uint8_t apic_id, uint32_t domain, bool enabled) {
  t.U8(0).U8(16).U8(domain & 0xff).U8(apic_id).U32(enabled ? 1 : 0).U8(0);
  t.U8((domain >> 8) & 0xff).U8((domain >> 16) & 0xff).U8(domain >> 24).U32(0);
}

// ACPI 6.4 §5.2.16.2: Memory Affinity Structure.
void SratMemoryRange(TableBuilder& t, uint64_t base, uint64_t length, uint32_t domain, uint32_t flags) {
  t.U8(1).U8(40).U32(domain).U16(0);
  t.U32(static_cast<uint32_t>(base)).U32(static_cast<uint32_t>(base >> 32));
  t.U32(static_cast<uint32_t>(length)).U32(static_cast<uint32_t>(length >> 32));
  t.U32(0).U32(flags).U64(0);
}

// ACPI 6.4 §5.2.16.3: Processor Local x2APIC Affinity Structure.
void SratX2Apic(TableBuilder& t, uint32_t x2apic_id, uint32_t domain) {
  t.U8(2).U8(24).U16(0).U32(domain).U32(x2apic_id).U32(1).U32(0).U32(0);
}

class AcpiTest : public testing::Test {
 protected:
  AcpiTest() : madt_("APIC"), srat_("SRAT"), fadt_("FACP"), xsdt_("XSDT") {
    madt_.U32(0xfee00000).U32(1);
    // Local APIC (type 0): APIC ids 0 and 1 enabled, 7 disabled; a local x2APIC (type 9).
    madt_.U8(0).U8(8).U8(0).U8(0).U32(1);
    madt_.U8(0).U8(8).U8(1).U8(1).U32(1);
    madt_.U8(0).U8(8).U8(2).U8(7).U32(0);
    madt_.U8(9).U8(16).U16(0).U32(300).U32(1).U32(3);
    srat_.U32(1).U64(0);
    SratApic(srat_, 0, 0, true);
    SratApic(srat_, 1, 0x01020304, true);
    SratApic(srat_, 7, 1, false);
    SratX2Apic(srat_, 300, 1);
    SratMemoryRange(srat_, 0, 640 << 10, 0, 1);
    SratMemoryRange(srat_, 1 << 20, 127 << 20, 0, 1);
    SratMemoryRange(srat_, uint64_t{5} << 32, uint64_t{3} << 32, 1, 1 | 2);
    SratMemoryRange(srat_, 0, 0, 0, 0);           // QEMU's padding: disabled.
    SratMemoryRange(srat_, 1 << 30, 0, 2, 1);     // Empty: ignored.
  }

  // A FADT of `length` bytes with `century` at offset 108 (ACPI 6.4 §5.2.9, Table 5.9;
  // 0x32 is the CMOS byte PC firmware conventionally uses).
  void Fadt(size_t length, uint8_t century) {
    fadt_.bytes().resize(length);
    if (length > 108) fadt_.bytes()[108] = century;
  }

  // Lays out XSDT and RSDP for the tables; returns the RSDP's address.
  // An MCFG with the given {base, segment, start bus, end bus} allocations.
  struct Allocation {
    uint64_t base;
    uint16_t segment;
    uint8_t start_bus, end_bus;
  };
  void Mcfg(std::initializer_list<Allocation> allocations) {
    mcfg_.U64(0);  // reserved
    for (const Allocation& a : allocations) mcfg_.U64(a.base).U16(a.segment).U8(a.start_bus).U8(a.end_bus).U32(0);
  }

  uint64_t Rsdp(bool with_srat = true) {
    xsdt_.U64(reinterpret_cast<uintptr_t>(madt_.Finish()));
    if (mcfg_.bytes().size() > 36) xsdt_.U64(reinterpret_cast<uintptr_t>(mcfg_.Finish()));
    if (with_srat) xsdt_.U64(reinterpret_cast<uintptr_t>(srat_.Finish()));
    if (fadt_.bytes().size() > 36) xsdt_.U64(reinterpret_cast<uintptr_t>(fadt_.Finish()));
    uint64_t xsdt = reinterpret_cast<uintptr_t>(xsdt_.Finish());
    memset(rsdp_, 0, sizeof(rsdp_));
    memcpy(rsdp_, "RSD PTR ", 8);
    rsdp_[15] = 2;                  // Revision: XSDT present.
    memcpy(&rsdp_[24], &xsdt, 8);   // ACPI 6.4 §5.2.5.3: XsdtAddress at offset 24.
    return reinterpret_cast<uintptr_t>(rsdp_);
  }

  TableBuilder madt_;
  TableBuilder srat_;
  TableBuilder fadt_;  // Listed only when a test calls Fadt().
  TableBuilder mcfg_{"MCFG"};  // Listed only when a test calls Mcfg().
  TableBuilder xsdt_;
  uint8_t rsdp_[36];
};

TEST_F(AcpiTest, CpusFromMadt) {
  uint32_t ids[8];
  ASSERT_EQ(FindCpuApicIds(Rsdp(), ids, 8), 3u);
  EXPECT_EQ(ids[0], 0u);
  EXPECT_EQ(ids[1], 1u);
  EXPECT_EQ(ids[2], 300u);
}

TEST_F(AcpiTest, AffinityFromSrat) {
  static SratAffinity srat;
  ASSERT_TRUE(FindSratAffinity(Rsdp(), &srat));
  ASSERT_EQ(srat.cpu_count, 3u);
  EXPECT_EQ(srat.cpus[0].apic_id, 0u);
  EXPECT_EQ(srat.cpus[0].proximity_domain, 0u);
  EXPECT_EQ(srat.cpus[1].apic_id, 1u);
  EXPECT_EQ(srat.cpus[1].proximity_domain, 0x01020304u);  // Both halves of the domain.
  EXPECT_EQ(srat.cpus[2].apic_id, 300u);
  EXPECT_EQ(srat.cpus[2].proximity_domain, 1u);
  ASSERT_EQ(srat.memory_count, 3u);
  EXPECT_EQ(srat.memory[0].begin, 0u);
  EXPECT_EQ(srat.memory[0].end, 640u << 10);
  EXPECT_EQ(srat.memory[1].begin, 1u << 20);
  EXPECT_EQ(srat.memory[1].end, 128u << 20);
  EXPECT_EQ(srat.memory[2].begin, uint64_t{5} << 32);
  EXPECT_EQ(srat.memory[2].end, uint64_t{8} << 32);
  EXPECT_EQ(srat.memory[2].proximity_domain, 1u);
  EXPECT_EQ(srat.dropped, 0u);
}

TEST_F(AcpiTest, BadChecksumMeansNoSrat) {
  uint64_t rsdp = Rsdp();
  srat_.bytes()[40] ^= 1;  // After Finish: the checksum no longer adds up.
  static SratAffinity srat;
  EXPECT_FALSE(FindSratAffinity(rsdp, &srat));
  EXPECT_EQ(srat.memory_count, 0u);
  uint32_t ids[8];
  EXPECT_EQ(FindCpuApicIds(rsdp, ids, 8), 3u);  // The MADT is still fine.
}

TEST_F(AcpiTest, NoSratTable) {
  static SratAffinity srat;
  EXPECT_FALSE(FindSratAffinity(Rsdp(/*with_srat=*/false), &srat));
}

TEST_F(AcpiTest, CenturyRegisterFromFadt) {
  Fadt(244, 0x32);
  EXPECT_EQ(FindRtcCenturyRegister(Rsdp()), 0x32);
}

TEST_F(AcpiTest, NoCenturyRegister) {
  EXPECT_EQ(FindRtcCenturyRegister(Rsdp()), 0);  // No FADT at all.
}

TEST_F(AcpiTest, FadtTooShortForTheCenturyField) {
  Fadt(100, 0x32);
  EXPECT_EQ(FindRtcCenturyRegister(Rsdp()), 0);
}

TEST_F(AcpiTest, EcamRangeOfSegmentZeroFromMcfg) {
  // QEMU's q35 lists one allocation: segment 0, buses 0-255 at 0xb0000000.
  Mcfg({{0xe0000000, 1, 0, 255}, {0xb0000000, 0, 0, 255}});
  McfgRange range;
  ASSERT_TRUE(FindMcfgSegment0(Rsdp(), &range));
  EXPECT_EQ(range.base, 0xb0000000u);
  EXPECT_EQ(range.segment, 0);
  EXPECT_EQ(range.start_bus, 0);
  EXPECT_EQ(range.end_bus, 255);
}

TEST_F(AcpiTest, NoMcfgOrNoUsableRange) {
  McfgRange range;
  EXPECT_FALSE(FindMcfgSegment0(Rsdp(), &range));  // i440fx: no MCFG at all
}

TEST_F(AcpiTest, McfgWithOnlyBadRangesIsUnusable) {
  Mcfg({{0, 0, 0, 255}, {0xb0000000, 0, 8, 4}});  // no base; end below start
  McfgRange range;
  EXPECT_FALSE(FindMcfgSegment0(Rsdp(), &range));
}

}  // namespace
}  // namespace ebbrt::native
