// SPDX-License-Identifier: Apache-2.0
// Hosted only: SIGTERM and SIGINT as an event, so a server shuts down from its event loop
// (ebbrt::Stop, after which the runtime closes every core's sockets) instead of dying
// wherever the signal caught it.
//
//   ebbrt::Run(cores, [] {
//     ebbrt::Status installed =
//         ebbrt::hosted::OnTerminationSignal([](int signo) { ebbrt::Stop(0); });
//     ...
//   });
//
// The process's handler for both signals only writes the signal's number to a pipe (the
// self-pipe trick: write() is async-signal-safe, whichever thread the kernel picks); the
// pipe's read end is an fd watch (fd_watch.h) of the core that called
// OnTerminationSignal, so `handler(signo)` runs there as an ordinary event, once per
// signal. When that core's loop stops, the signals' previous dispositions come back (a
// signal during teardown then does what it did before: by default, end the process).
#pragma once

#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/status.h"

namespace ebbrt::hosted {

// Must be called on a core. kAlreadyExists while another handler is installed (one per
// process); the pipe2 error (SystemError) when the pipe cannot be made.
Status OnTerminationSignal(MovableFunction<void(int)> handler);

}  // namespace ebbrt::hosted
