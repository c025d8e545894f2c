// SPDX-License-Identifier: Apache-2.0
// The C library checked from C (libc_checks.c): one TEST per LibcCheck* function, each
// failing when that function's LIBC_EXPECT_* checks counted a failure (they print which,
// with the values, just above the test's failure).
#include "tests/native_libc/libc_checks.h"

#include "gtest/gtest.h"

namespace {

void ExpectNoFailedCheck(void (*checks)(void)) {
  const int before = libc_expect_failures;
  checks();
  EXPECT_EQ(libc_expect_failures - before, 0) << "failed LIBC_EXPECT checks, printed above";
}

TEST(LibcTest, Snprintf) { ExpectNoFailedCheck(LibcCheckSnprintf); }
TEST(LibcTest, Strtol) { ExpectNoFailedCheck(LibcCheckStrtol); }
TEST(LibcTest, QsortBsearch) { ExpectNoFailedCheck(LibcCheckQsortBsearch); }
TEST(LibcTest, MemoryAndStrings) { ExpectNoFailedCheck(LibcCheckMemoryAndStrings); }
TEST(LibcTest, Ctype) { ExpectNoFailedCheck(LibcCheckCtype); }
TEST(LibcTest, Syscalls) { ExpectNoFailedCheck(LibcCheckSyscalls); }
TEST(LibcTest, Malloc) { ExpectNoFailedCheck(LibcCheckMalloc); }
TEST(LibcTest, Time) { ExpectNoFailedCheck(LibcCheckTime); }

}  // namespace
