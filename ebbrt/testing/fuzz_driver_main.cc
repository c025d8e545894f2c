// SPDX-License-Identifier: Apache-2.0
// main() for fuzz regression tests (tools/ebbrt_fuzz_target.bzl): runs the target's
// LLVMFuzzerTestOneInput on each corpus file named on the command line, then on a fixed
// number of deterministic pseudo-random inputs. Any crash, sanitizer report or CHECK
// failure fails the test; there is nothing else to assert (the fuzz target asserts).
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vector>

#include "ebbrt/base/xorshift.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

constexpr int kRandomInputs = 20000;
constexpr size_t kMaxRandomSize = 512;

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    FILE* f = fopen(argv[i], "rb");
    if (f == nullptr) {
      fprintf(stderr, "fuzz driver: cannot open corpus file %s\n", argv[i]);
      return 1;
    }
    std::vector<uint8_t> bytes;
    int c;
    while ((c = fgetc(f)) != EOF) bytes.push_back(static_cast<uint8_t>(c));
    fclose(f);
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  ebbrt::XorShift64Star rng(0x9e3779b97f4a7c15ull);  // deterministic: a failure reproduces
  std::vector<uint8_t> input;
  for (int i = 0; i < kRandomInputs; ++i) {
    input.resize(rng.Below(kMaxRandomSize + 1));
    for (auto& byte : input) byte = static_cast<uint8_t>(rng.Next());
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  printf("fuzz driver: %d corpus files and %d random inputs passed\n", argc - 1, kRandomInputs);
  return 0;
}
