// SPDX-License-Identifier: Apache-2.0
// civil_time.h against dates whose Unix time is known independently (GNU date -u -d
// '<date>' +%s) and against a naive day-by-day count over four centuries.
#include "ebbrt/base/civil_time.h"

#include "gtest/gtest.h"

namespace ebbrt {
namespace {

int64_t Seconds(CivilTime t) {
  Result<int64_t> seconds = UnixSecondsFromCivil(t);
  EXPECT_TRUE(seconds.ok());
  return seconds.ok() ? seconds.value() : -1;
}

TEST(CivilTimeTest, KnownDates) {
  EXPECT_EQ(Seconds({1970, 1, 1, 0, 0, 0}), 0);
  EXPECT_EQ(Seconds({1969, 12, 31, 23, 59, 59}), -1);
  EXPECT_EQ(Seconds({2000, 2, 29, 0, 0, 0}), 951782400);   // A leap day of a 400-year.
  EXPECT_EQ(Seconds({2000, 3, 1, 0, 0, 0}), 951868800);
  EXPECT_EQ(Seconds({2001, 9, 9, 1, 46, 40}), 1000000000);
  EXPECT_EQ(Seconds({2024, 2, 29, 12, 34, 56}), 1709210096);
  EXPECT_EQ(Seconds({2026, 1, 1, 0, 0, 0}), 1767225600);
  EXPECT_EQ(Seconds({2038, 1, 19, 3, 14, 8}), int64_t{1} << 31);  // Past 32-bit time_t.
  EXPECT_EQ(Seconds({2099, 12, 31, 23, 59, 59}), 4102444799);  // The end of a day...
  EXPECT_EQ(Seconds({2100, 1, 1, 0, 0, 0}), 4102444800);       // ... is the next one's start.
  EXPECT_EQ(Seconds({2100, 2, 28, 23, 59, 59}), 4107542399);
  EXPECT_EQ(Seconds({2100, 3, 1, 0, 0, 0}), 4107542400);  // 2100 is not leap: no Feb 29.
}

TEST(CivilTimeTest, LeapYears) {
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_FALSE(IsLeapYear(2026));
  EXPECT_EQ(DaysInMonth(2000, 2), 29u);
  EXPECT_EQ(DaysInMonth(2100, 2), 28u);
  EXPECT_EQ(DaysInMonth(2026, 12), 31u);
}

TEST(CivilTimeTest, OutOfRangeFieldsAreRejected) {
  EXPECT_FALSE(UnixSecondsFromCivil({2100, 2, 29, 0, 0, 0}).ok());
  EXPECT_FALSE(UnixSecondsFromCivil({2026, 4, 31, 0, 0, 0}).ok());
  EXPECT_FALSE(UnixSecondsFromCivil({2026, 0, 1, 0, 0, 0}).ok());
  EXPECT_FALSE(UnixSecondsFromCivil({2026, 13, 1, 0, 0, 0}).ok());
  EXPECT_FALSE(UnixSecondsFromCivil({2026, 1, 0, 0, 0, 0}).ok());
  EXPECT_FALSE(UnixSecondsFromCivil({2026, 1, 1, 24, 0, 0}).ok());
  EXPECT_FALSE(UnixSecondsFromCivil({2026, 1, 1, 0, 60, 0}).ok());
  EXPECT_FALSE(UnixSecondsFromCivil({2026, 1, 1, 0, 0, 60}).ok());
}

// Every day from 1970 to 2400 is one more than the day before it.
TEST(CivilTimeTest, AgreesWithCountingDays) {
  int64_t days = 0;
  for (int64_t year = 1970; year <= 2400; ++year) {
    for (unsigned month = 1; month <= 12; ++month) {
      for (unsigned day = 1; day <= DaysInMonth(year, month); ++day) {
        ASSERT_EQ(DaysFromCivil(year, month, day), days) << year << "-" << month << "-" << day;
        ++days;
      }
    }
  }
  EXPECT_EQ(days, DaysFromCivil(2401, 1, 1));
}

}  // namespace
}  // namespace ebbrt
