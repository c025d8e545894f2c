// The smallest EbbRT application: prints a greeting and exits successfully.
// Portable: the same source builds for every platform.
#include "ebbrt/app/app_main.h"
#include "ebbrt/base/console.h"

int ebbrt::AppMain() {
  ebbrt::ConsolePrint("Hello from EbbRT!\n");
  return 0;
}
