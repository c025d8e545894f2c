// SPDX-License-Identifier: Apache-2.0
// The bottom of the layering check's demonstration (see BUILD).
#pragma once

namespace layering_check {

inline int Lower() { return 1; }

}  // namespace layering_check
