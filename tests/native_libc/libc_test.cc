// Native image that checks the C library (libc_checks.c) and reports the number of
// failed checks as its exit status.
#include <stdio.h>

#include "ebbrt/app/app_main.h"

extern "C" int RunLibcChecks();

int ebbrt::AppMain() {
  const int failures = RunLibcChecks();
  printf("libc_test: %d failed check(s)\n", failures);
  return failures;
}
