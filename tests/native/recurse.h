// SPDX-License-Identifier: Apache-2.0
// Unbounded recursion for the stack overflow tests: each call takes a 256-byte frame, so
// whatever stack it runs on reaches its guard page.
#pragma once

namespace native_test {

// Never returns (it runs until the stack's guard page faults).
int Recurse(int depth);

}  // namespace native_test
