// SPDX-License-Identifier: Apache-2.0
#include "apps/counter/counter_ebb.h"

namespace counter {

uint64_t CounterRoot::Sum() const {
  uint64_t total = 0;
  ForEachRep([&total](size_t /*core*/, const Counter& rep) { total += rep.Local(); });
  return total;
}

}  // namespace counter
