// SPDX-License-Identifier: Apache-2.0
// exit() flushes stdout when only a secondary core wrote to it (run with -smp 4): core 2
// makes stdout fully buffered and writes one line, which then sits in the buffer; core 0
// never touches stdio and returns from AppMain. The line must reach the console before
// the exit banner (expect_log in BUILD). exit() flushes the streams of newlib's global
// struct _reent, which a secondary core's own struct never sets up
// (ebbrt/native/libc/reent.h).
#include <stdio.h>

#include "ebbrt/app/app_main.h"
#include "ebbrt/testing/on_cores.h"

int ebbrt::AppMain() {
  ebbrt::testing_internal::OnAllCoresAtOnce(4, [](size_t core) {
    if (core != 2) return;
    setvbuf(stdout, nullptr, _IOFBF, BUFSIZ);
    fputs("exit_flush_smp: written on core 2, flushed by exit()\n", stdout);
  });
  return 0;
}
