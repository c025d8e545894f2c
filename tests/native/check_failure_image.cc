// SPDX-License-Identifier: Apache-2.0
// A failed EBBRT_CHECK natively: the report names the file, line and condition, prints a
// symbolized backtrace, and the machine stops with the fatal status.
#include "ebbrt/app/app_main.h"
#include "ebbrt/base/check.h"
#include "ebbrt/base/console.h"

namespace {

[[gnu::noinline]] void CheckTheImpossible(int value) {
  EBBRT_CHECK_MSG(value == 42, "the answer was not 42");
}

}  // namespace

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("check_failure_image: checking something false\n");
  CheckTheImpossible(7);
  return 0;
}
