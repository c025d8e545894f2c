// SPDX-License-Identifier: Apache-2.0
// counter: the worked example app. Every core increments a per-core Counter Ebb a fixed
// number of times, each increment an event on that core; core 0 waits for all of them
// (WhenAll + Block), sums through the Ebb's root and checks the total (run_counter.h).
//
// This is the hosted command line, which takes the core count as an argument:
//   bazel run //apps/counter -- 8      # 8 cores (default 4)
//   total=800000 expected=800000       # exit status 0 iff they match
// counter_app.cc is the same example as an ebbrt::AppMain on every available core, which
// also boots natively (tools/ebbrt run counter).
#include <stdio.h>
#include <stdlib.h>

#include "apps/counter/run_counter.h"
#include "ebbrt/core/cpu.h"

namespace {

constexpr size_t kDefaultCores = 4;

}  // namespace

int main(int argc, char** argv) {
  size_t cores = kDefaultCores;
  if (argc > 2) {
    fprintf(stderr, "usage: %s [cores]\n", argv[0]);
    return 2;
  }
  if (argc == 2) {
    char* end = nullptr;
    unsigned long parsed = strtoul(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || parsed < 1 || parsed > ebbrt::kMaxCores) {
      fprintf(stderr, "counter: cores must be 1..%zu, got '%s'\n", ebbrt::kMaxCores, argv[1]);
      return 2;
    }
    cores = parsed;
  }
  return counter::RunCounter(cores);
}
