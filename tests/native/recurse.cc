// SPDX-License-Identifier: Apache-2.0
#include "tests/native/recurse.h"

namespace native_test {
namespace {

// Never true at run time; keeps the compiler from proving the recursion infinite.
volatile bool g_stop = false;

}  // namespace

[[gnu::noinline]] int Recurse(int depth) {
  volatile char frame[256];
  frame[0] = static_cast<char>(depth);
  if (g_stop) return frame[0];
  return Recurse(depth + 1) + frame[0];
}

}  // namespace native_test
