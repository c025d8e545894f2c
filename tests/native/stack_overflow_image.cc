// SPDX-License-Identifier: Apache-2.0
// Recurses without bound on the boot stack: the recursion reaches the stack's guard page,
// and the page fault report must say it was a stack overflow.
#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"
#include "tests/native/recurse.h"

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("stack_overflow_image: recursing forever\n");
  return native_test::Recurse(0);
}
