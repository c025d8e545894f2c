// SPDX-License-Identifier: Apache-2.0
// Native image that ends through the C library's exit() rather than by returning from
// AppMain. exit(4) must run the atexit handler first, and the handler ends the run with
// _exit(0): the test passes only if atexit handlers run, since otherwise the image would
// report status 4.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ebbrt/app/app_main.h"

namespace {

void EndWithSuccess() {
  printf("exit_image: atexit handler ran\n");
  _exit(0);
}

}  // namespace

int ebbrt::AppMain() {
  if (atexit(EndWithSuccess) != 0) return 5;
  exit(4);
}
