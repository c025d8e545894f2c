// SPDX-License-Identifier: Apache-2.0
// Deliberately broken (see BUILD): middle_internal.h is in :middle's srcs, private to it.
// The layering check must reject the #include.
#include "tests/layering_check/middle.h"
#include "tests/layering_check/middle_internal.h"

int PrivateHeaderInclude() {
  return layering_check::Middle() + layering_check::MiddleInternal();
}
