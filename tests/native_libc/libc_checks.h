// SPDX-License-Identifier: Apache-2.0
// The C library checks written in C (libc_checks.c), callable from C++: each LibcCheck*
// function runs one group of checks; a failed check prints its file, line, expression and
// values and adds one to libc_expect_failures. libc_test.cc makes each group a TEST.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

// Failed checks so far, all groups together.
extern int libc_expect_failures;

void LibcCheckSnprintf(void);
void LibcCheckStrtol(void);
void LibcCheckQsortBsearch(void);
void LibcCheckMemoryAndStrings(void);
void LibcCheckCtype(void);
void LibcCheckSyscalls(void);
void LibcCheckMalloc(void);
void LibcCheckTime(void);

#ifdef __cplusplus
}  // extern "C"
#endif
