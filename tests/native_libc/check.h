// Minimal checks for the native C library tests, usable from C and C++: a failed check
// prints its file, line and expression, and counts; the test's AppMain returns the count
// (non-zero fails the QEMU test).
//
//   EXPECT_EQ(strtol("42", NULL, 10), 42);
//   EXPECT_STREQ(buffer, "expected");
//   return ebbrt_check_failures;
#pragma once

#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

// Number of failed checks so far.
extern int ebbrt_check_failures;

// Records a failed check (called by the macros below).
void EbbrtCheckFailed(const char* file, int line, const char* what);

#ifdef __cplusplus
}  // extern "C"
#endif

#define EXPECT_TRUE(cond)                                     \
  do {                                                        \
    if (!(cond)) EbbrtCheckFailed(__FILE__, __LINE__, #cond); \
  } while (0)

// Integer comparison; both sides are printed on failure.
#define EXPECT_EQ(actual, expected)                                                     \
  do {                                                                                  \
    const long long ebbrt_actual_ = (long long)(actual);                                \
    const long long ebbrt_expected_ = (long long)(expected);                            \
    if (ebbrt_actual_ != ebbrt_expected_) {                                             \
      printf("  %s == %lld, expected %lld\n", #actual, ebbrt_actual_, ebbrt_expected_); \
      EbbrtCheckFailed(__FILE__, __LINE__, #actual " == " #expected);                   \
    }                                                                                   \
  } while (0)

// C string comparison; both sides are printed on failure.
#define EXPECT_STREQ(actual, expected)                                    \
  do {                                                                    \
    const char* ebbrt_actual_ = (actual);                                 \
    const char* ebbrt_expected_ = (expected);                             \
    if (strcmp(ebbrt_actual_, ebbrt_expected_) != 0) {                    \
      printf("  %s == \"%s\", expected \"%s\"\n", #actual, ebbrt_actual_, \
             ebbrt_expected_);                                            \
      EbbrtCheckFailed(__FILE__, __LINE__, #actual " == " #expected);     \
    }                                                                     \
  } while (0)
