#include "tests/native_libc/check.h"

int ebbrt_check_failures = 0;

void EbbrtCheckFailed(const char* file, int line, const char* what) {
  ++ebbrt_check_failures;
  printf("CHECK FAILED %s:%d: %s\n", file, line, what);
}
