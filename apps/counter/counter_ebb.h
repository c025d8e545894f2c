// SPDX-License-Identifier: Apache-2.0
// Counter: a per-core counter Ebb, the worked example of a MulticoreEbb (apps/counter).
//
// Each core increments its own rep, so the hot path touches only core-local memory: no
// lock, no atomic read-modify-write, no cache line shared between cores. The root can
// reach every rep and answers the rare global question, the total.
//
//   ebbrt::EbbRef<counter::Counter> c = EBBRT_TRY(counter::Counter::Create());
//   c->Increment();                                // on any core: that core's rep
//   uint64_t mine = c->Local();                    // this core's count
//   uint64_t total = counter::Counter::RootOf(c).Sum();  // every core's, through the root
//
// Sum() is exact once every increment it should count happened-before the call (e.g. the
// incrementing events fulfilled futures the caller waited on); while cores are still
// incrementing it returns some value between the old and the new total.
#pragma once

#include <stdint.h>

#include <atomic>

#include "ebbrt/core/multicore_ebb.h"

namespace counter {

class Counter;

// The machine-wide part: created by Counter::Create(), reaches every core's rep.
class CounterRoot : public ebbrt::MulticoreRoot<Counter> {
 public:
  // The sum of every core's count.
  uint64_t Sum() const;
};

// One rep per core, built on that core the first time it uses the Ebb.
class Counter : public ebbrt::MulticoreEbb<Counter, CounterRoot> {
 public:
  explicit Counter(CounterRoot& /*root*/) {}

  // Only this rep's core writes count_, so a relaxed load and store suffice (no locked
  // instruction); the atomic type only makes the root's concurrent reads well-defined.
  void Increment(uint64_t by = 1) {
    count_.store(count_.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }

  // This core's count.
  uint64_t Local() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> count_{0};
};

}  // namespace counter
