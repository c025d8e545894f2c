// SPDX-License-Identifier: Apache-2.0
// Native image whose application reports failure (status 3): the QEMU test
// runner must see the nonzero status (QEMU exit code 7) and fail the test.
#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("fail_image: returning status 3\n");
  return 3;
}
