// SPDX-License-Identifier: Apache-2.0
// The entry point every EbbRT application provides.
//
// The platform (native boot code, or the hosted runtime) calls AppMain() once
// the runtime is up, and reports its return value as the application's exit
// status. Zero means success.
//
//   int ebbrt::AppMain() {
//     ebbrt::ConsolePrint("Hello from EbbRT!\n");
//     return 0;
//   }
#pragma once

namespace ebbrt {

int AppMain();

}  // namespace ebbrt
