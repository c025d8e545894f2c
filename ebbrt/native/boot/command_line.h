// SPDX-License-Identifier: Apache-2.0
// The kernel command line (QEMU's -append), as the boot path copied it before AppMain.
//
//   // qemu ... -append "gtest_filter=TimerTest.* ebbrt.boottime"
//   std::string_view filter = ebbrt::native::CommandLineValue("gtest_filter");  // "TimerTest.*"
#pragma once

#include <string_view>

namespace ebbrt::native {

// The value of the first space-separated `key=value` word, or an empty view. Only the
// command line's first 255 bytes are kept.
std::string_view CommandLineValue(std::string_view key);

}  // namespace ebbrt::native
