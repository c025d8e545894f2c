// SPDX-License-Identifier: Apache-2.0
// The middle of the layering check's demonstration (see BUILD): uses lower.h.
#pragma once

#include "tests/layering_check/lower.h"

namespace layering_check {

inline int Middle() { return Lower() + 1; }

}  // namespace layering_check
