// SPDX-License-Identifier: Apache-2.0
// Civil (proleptic Gregorian, UTC) date and time to Unix time, without a time zone and
// without the C library: the native wall clock turns the CMOS real-time clock's reading
// into seconds since 1970 with it (ebbrt/native/wall_clock.h), where newlib's mktime
// would consult TZ and normalize out-of-range fields instead of rejecting them.
//
//   Result<int64_t> t = UnixSecondsFromCivil({2000, 2, 29, 12, 0, 0});  // 951825600
//   int64_t days = DaysFromCivil(1970, 1, 1);                           // 0
#pragma once

#include <stdint.h>

#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"

namespace ebbrt {

// A calendar date and a time of day, in UTC. No leap seconds (second < 60): neither the
// CMOS clock nor Unix time counts them.
struct CivilTime {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..DaysInMonth(year, month)
  unsigned hour;   // 0..23
  unsigned minute;
  unsigned second;
};

constexpr bool IsLeapYear(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

// `month` in 1..12.
constexpr unsigned DaysInMonth(int64_t year, unsigned month) {
  constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to year-month-day (negative before it), for a valid date.
// H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil: the year
// is shifted to start in March, so the leap day is the last day of its year and every
// month's first day is a linear function of the month; 400-year eras have 146097 days.
constexpr int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);                   // 0..399
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;  // 0..365
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;  // 719468: 0000-03-01 to 1970-01-01.
}

// Seconds since 1970-01-01 00:00:00 UTC; kInvalidArgument for a field out of range
// (February 30, hour 24, ...), which from a clock chip means a misread or a dead battery.
inline Result<int64_t> UnixSecondsFromCivil(const CivilTime& t) {
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > DaysInMonth(t.year, t.month) || t.hour > 23 ||
      t.minute > 59 || t.second > 59) {
    return Status(StatusCode::kInvalidArgument, "civil time field out of range");
  }
  return DaysFromCivil(t.year, t.month, t.day) * 86400 + int64_t{t.hour} * 3600 + int64_t{t.minute} * 60 +
         t.second;
}

}  // namespace ebbrt
