// SPDX-License-Identifier: Apache-2.0
// The MC146818 real-time clock's registers (the PC's "CMOS clock") and their decoding
// into a civil UTC time, free of port I/O so it builds and is tested on hosted too; the
// reads are in cmos_rtc.h. Motorola MC146818A data sheet, "Address Map" and "Register B".
//
//   CmosRtcRegisters r = ...;  // read twice, the same both times (cmos_rtc.cc)
//   Result<CivilTime> t = DecodeCmosRtc(r);
//   Result<int64_t> unix_seconds = UnixSecondsFromCivil(EBBRT_TRY(t));
#pragma once

#include <stdint.h>

#include "ebbrt/base/civil_time.h"
#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"

namespace ebbrt::x86_64 {

// The index port (bit 7 of what is written there masks NMIs on PCs; EbbRT writes it 0,
// as Linux does) and the data port.
inline constexpr uint16_t kCmosIndexPort = 0x70;
inline constexpr uint16_t kCmosDataPort = 0x71;

inline constexpr uint8_t kRtcSeconds = 0x00;
inline constexpr uint8_t kRtcMinutes = 0x02;
inline constexpr uint8_t kRtcHours = 0x04;
inline constexpr uint8_t kRtcDayOfMonth = 0x07;
inline constexpr uint8_t kRtcMonth = 0x08;
inline constexpr uint8_t kRtcYear = 0x09;  // 0..99: the year within the century.
inline constexpr uint8_t kRtcStatusA = 0x0a;
inline constexpr uint8_t kRtcStatusB = 0x0b;

// Register A bit 7: an update cycle is in progress (or starts within 244 us); the time
// registers may be mid-change and must not be read.
inline constexpr uint8_t kRtcStatusAUpdateInProgress = 0x80;
// Register B bit 2 (DM): 1 = binary, 0 = BCD. Bit 1: 1 = 24-hour, 0 = 12-hour with the
// hours register's bit 7 meaning PM.
inline constexpr uint8_t kRtcStatusBBinary = 0x04;
inline constexpr uint8_t kRtcStatusB24Hour = 0x02;
inline constexpr uint8_t kRtcHourPm = 0x80;

// The century has no register of the MC146818's own; PC firmware keeps it in CMOS RAM
// and names that byte in the FADT's CENTURY field (0: none). ACPI 6.4 §5.2.9, Table 5.9.
// Without one, the year is taken to be 20xx: EbbRT cannot run on a machine from the
// 1900s, and in 2100 every PC firmware will name its century register.
inline constexpr int64_t kAssumedCentury = 20;

// One reading of the time registers, raw, as the chip presents them.
struct CmosRtcRegisters {
  uint8_t seconds;
  uint8_t minutes;
  uint8_t hours;
  uint8_t day_of_month;
  uint8_t month;
  uint8_t year;
  uint8_t century;  // Meaningful only when has_century.
  bool has_century;
  uint8_t status_b;

  bool operator==(const CmosRtcRegisters&) const = default;
};

// A BCD byte's value; kInvalidArgument when a digit is above 9.
inline Result<unsigned> BcdToBinary(uint8_t bcd) {
  if ((bcd & 0x0f) > 9 || (bcd >> 4) > 9) return Status(StatusCode::kInvalidArgument, "RTC: digit above 9 in BCD");
  return unsigned{(bcd >> 4) * 10u + (bcd & 0x0fu)};
}

// The time the registers hold, in the format register B declares. Ranges are checked by
// UnixSecondsFromCivil; here only the encoding (BCD digits, 12-hour hours 1..12).
inline Result<CivilTime> DecodeCmosRtc(const CmosRtcRegisters& r) {
  const bool binary = (r.status_b & kRtcStatusBBinary) != 0;
  auto field = [binary](uint8_t raw) -> Result<unsigned> {
    if (binary) return unsigned{raw};
    return BcdToBinary(raw);
  };
  unsigned hour = EBBRT_TRY(field(static_cast<uint8_t>(r.hours & ~kRtcHourPm)));
  if ((r.status_b & kRtcStatusB24Hour) == 0) {
    // 12-hour mode: 12 AM is midnight, 12 PM noon.
    if (hour < 1 || hour > 12) return Status(StatusCode::kInvalidArgument, "RTC: 12-hour clock outside 1..12");
    hour %= 12;
    if ((r.hours & kRtcHourPm) != 0) hour += 12;
  } else if ((r.hours & kRtcHourPm) != 0) {
    return Status(StatusCode::kInvalidArgument, "RTC: PM bit set in 24-hour mode");
  }
  int64_t century = kAssumedCentury;
  if (r.has_century) century = EBBRT_TRY(field(r.century));
  CivilTime t{};
  t.year = century * 100 + EBBRT_TRY(field(r.year));
  t.month = EBBRT_TRY(field(r.month));
  t.day = EBBRT_TRY(field(r.day_of_month));
  t.hour = hour;
  t.minute = EBBRT_TRY(field(r.minutes));
  t.second = EBBRT_TRY(field(r.seconds));
  return t;
}

}  // namespace ebbrt::x86_64
