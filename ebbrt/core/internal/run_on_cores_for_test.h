// Test helpers: run a function as events on chosen cores of a fresh ebbrt::Run, either
// all at once or one core after another.
#pragma once

#include <stddef.h>

#include <atomic>
#include <functional>
#include <vector>

#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"

namespace ebbrt {

// Runs fn(core) as one event on each of `cores`, all at once; returns when all are done.
inline void RunOnCoresAtOnce(size_t num_cores, const std::vector<size_t>& cores,
                             const std::function<void(size_t)>& fn) {
  std::atomic<size_t> remaining{cores.size()};
  ebbrt::Run(num_cores, [&] {
    for (size_t core : cores) {
      SpawnRemote(
          [&, core] {
            fn(core);
            if (remaining.fetch_sub(1) == 1) Stop();
          },
          core);
    }
  });
}

// Runs fn(core) as one event on each of `cores`, one after another in the given order.
inline void RunOnCoresInTurn(size_t num_cores, const std::vector<size_t>& cores,
                             const std::function<void(size_t)>& fn) {
  std::function<void(size_t)> step = [&](size_t i) {
    if (i == cores.size()) {
      Stop();
      return;
    }
    SpawnRemote(
        [&, i] {
          fn(cores[i]);
          step(i + 1);
        },
        cores[i]);
  };
  ebbrt::Run(num_cores, [&] { step(0); });
}

}  // namespace ebbrt
