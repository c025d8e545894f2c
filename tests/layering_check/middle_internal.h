// SPDX-License-Identifier: Apache-2.0
// A header :middle keeps in its srcs, i.e. private to it (see BUILD).
#pragma once

namespace layering_check {

inline int MiddleInternal() { return 3; }

}  // namespace layering_check
