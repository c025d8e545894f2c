// SPDX-License-Identifier: Apache-2.0
// std::to_string for portable tests: it lives in the libc++ library, which native images
// do not link (docs/build.md#portable-unit-tests-in-qemu), so tests that build names or
// values from numbers use this instead.
//
//   std::string name = "ebb" + ebbrt::testing_internal::IntToString(7);  // "ebb7"
#pragma once

#include <stdio.h>

#include <string>

namespace ebbrt::testing_internal {

inline std::string IntToString(int value) {
  char text[16];
  snprintf(text, sizeof(text), "%d", value);
  return text;
}

}  // namespace ebbrt::testing_internal
