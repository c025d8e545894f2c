// SPDX-License-Identifier: Apache-2.0
// The MC146818's register formats (cmos_rtc_registers.h): BCD and binary, 24- and 12-hour
// (12 AM, 12 PM, PM hours), with and without a century register, and malformed readings.
// Unix times from GNU date -u -d '<date>' +%s.
#include "ebbrt/native/arch/x86_64/cmos_rtc_registers.h"

#include "gtest/gtest.h"

namespace ebbrt::x86_64 {
namespace {

constexpr uint8_t kBcd24 = kRtcStatusB24Hour;  // QEMU 7.2's power-on format.
constexpr uint8_t kBinary24 = kRtcStatusBBinary | kRtcStatusB24Hour;
constexpr uint8_t kBcd12 = 0;
constexpr uint8_t kBinary12 = kRtcStatusBBinary;

CmosRtcRegisters Bcd(uint8_t century, uint8_t year, uint8_t month, uint8_t day, uint8_t hours, uint8_t minutes,
                     uint8_t seconds, uint8_t status_b = kBcd24) {
  return {seconds, minutes, hours, day, month, year, century, /*has_century=*/true, status_b};
}

// The Unix time the registers decode to, or -1 when they do not decode.
int64_t UnixSeconds(const CmosRtcRegisters& r) {
  Result<CivilTime> t = DecodeCmosRtc(r);
  if (!t.ok()) return -1;
  Result<int64_t> seconds = UnixSecondsFromCivil(t.value());
  return seconds.ok() ? seconds.value() : -1;
}

TEST(CmosRtcTest, BcdTwentyFourHour) {
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x11, 0x28, 0x20, 0x58, 0x07)), 1795899487);  // 2026-11-28 20:58:07
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x00, 0x02, 0x29, 0x00, 0x00, 0x00)), 951782400);   // 2000-02-29
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59)), 4102444799);  // 2099-12-31 23:59:59
  EXPECT_EQ(UnixSeconds(Bcd(0x21, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00)), 4107542400);  // 2100-03-01
}

TEST(CmosRtcTest, BinaryTwentyFourHour) {
  EXPECT_EQ(UnixSeconds(Bcd(20, 26, 11, 28, 20, 58, 7, kBinary24)), 1795899487);
  EXPECT_EQ(UnixSeconds(Bcd(21, 0, 3, 1, 0, 0, 0, kBinary24)), 4107542400);
}

TEST(CmosRtcTest, TwelveHour) {
  // 12 AM is midnight, 12 PM is noon, 8 PM is 20:00; the PM flag is bit 7 in BCD and binary.
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x01, 0x01, 0x12, 0x00, 0x00, kBcd12)), 1767225600);
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x01, 0x01, 0x92, 0x00, 0x00, kBcd12)), 1767225600 + 12 * 3600);
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x01, 0x01, 0x01, 0x00, 0x00, kBcd12)), 1767225600 + 1 * 3600);
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x11, 0x28, 0x88, 0x58, 0x07, kBcd12)), 1795899487);
  EXPECT_EQ(UnixSeconds(Bcd(20, 26, 11, 28, 0x80 | 8, 58, 7, kBinary12)), 1795899487);
  EXPECT_EQ(UnixSeconds(Bcd(20, 99, 12, 31, 0x80 | 11, 59, 59, kBinary12)), 4102444799);
}

TEST(CmosRtcTest, NoCenturyRegisterMeansTwentyXX) {
  CmosRtcRegisters r = Bcd(0x19, 0x26, 0x11, 0x28, 0x20, 0x58, 0x07);
  r.has_century = false;  // The 0x19 in the century byte is then ignored.
  EXPECT_EQ(UnixSeconds(r), 1795899487);
}

TEST(CmosRtcTest, MalformedReadingsDoNotDecode) {
  EXPECT_FALSE(BcdToBinary(0x1a).ok());
  EXPECT_FALSE(BcdToBinary(0xa1).ok());
  EXPECT_EQ(BcdToBinary(0x59).value(), 59u);
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x11, 0x28, 0x20, 0x5a, 0x07)), -1);           // Bad BCD digit.
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x11, 0x28, 0x00, 0x00, 0x00, kBcd12)), -1);   // Hour 0, 12-hour.
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x11, 0x28, 0x13, 0x00, 0x00, kBcd12)), -1);   // Hour 13, 12-hour.
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x11, 0x28, 0x88, 0x00, 0x00)), -1);           // PM bit, 24-hour.
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x02, 0x29, 0x00, 0x00, 0x00)), -1);           // 2026-02-29.
  EXPECT_EQ(UnixSeconds(Bcd(0x20, 0x26, 0x11, 0x28, 0x24, 0x00, 0x00)), -1);           // Hour 24.
  EXPECT_EQ(UnixSeconds(Bcd(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)), -1);     // A floating bus.
}

}  // namespace
}  // namespace ebbrt::x86_64
