// SPDX-License-Identifier: Apache-2.0
// Roots and Ebbs that core's portable tests and its hosted-only tests (death tests, tests
// from std::threads) both use, so the two kinds can live in separate binaries.
//
//   using core_test_internal::Named;
//   EbbRef<Named> ref = *Named::Create("x");
//   EXPECT_EQ(Named::faults.off_core.load(), 0);
#pragma once

#include <stddef.h>

#include <atomic>

#include "ebbrt/core/cpu.h"
#include "ebbrt/core/ebb_allocator.h"
#include "ebbrt/core/ebb_id.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/core/local_id_map.h"
#include "ebbrt/core/multicore_ebb.h"
#include "ebbrt/core/shared_ebb.h"

namespace ebbrt::core_test_internal {

// The most cores any core test runs (the per-core counters below have this many slots).
inline constexpr size_t kTestCores = 8;

// ---- LocalIdMap -------------------------------------------------------------------------

struct RootA {
  int value = 0;
};
struct RootB {
  int value = 0;
};

inline const void* const kTagA = EbbTypeTag<RootA>();
inline const void* const kTagB = EbbTypeTag<RootB>();

inline EbbId FreshId() { return *EbbAllocator::AllocateLocal(); }

// Ids in chunks nothing else in this test binary touches (the top of the global range,
// one per chunk), so the first Bind there also creates the chunk.
inline EbbId IdInAnUntouchedChunk(int n) {
  return kMaxEbbIds - 1 - static_cast<EbbId>(n) * LocalIdMap::kChunkSize;
}

// ---- SharedEbb ----------------------------------------------------------------------------

// Counts translation misses (calls of T::HandleFault) per core and off-core.
struct FaultCounts {
  std::atomic<int> on_core[kTestCores] = {};
  std::atomic<int> off_core{0};
  void Record() {
    if (OnCore()) {
      on_core[MyCore()].fetch_add(1);
    } else {
      off_core.fetch_add(1);
    }
  }
};

// A SharedEbb whose HandleFault counts before delegating to SharedEbb's (EbbRef calls
// T::HandleFault, so this one hides the base's).
template <typename T>
class CountedSharedEbb : public SharedEbb<T> {
 public:
  static inline FaultCounts faults;
  static T& HandleFault(EbbId id) {
    faults.Record();
    return SharedEbb<T>::HandleFault(id);
  }
};

class Named : public CountedSharedEbb<Named> {
 public:
  explicit Named(const char* name) : name_(name) {}
  const char* name() const { return name_; }

 private:
  const char* name_;
};

// ---- MulticoreEbb -------------------------------------------------------------------------

// Unbinds `ref`'s root and deletes it (and with it every rep), so a test can check
// destruction and leave nothing behind.
template <typename T, typename Root>
void DestroyRoot(EbbRef<T> ref) {
  delete static_cast<Root*>(LocalIdMap::Unbind(ref.id()));
}

class PerCore : public MulticoreEbb<PerCore> {
 public:
  PerCore() : built_on_(MyCore()) { constructed.fetch_add(1); }
  ~PerCore() { destroyed.fetch_add(1); }
  size_t built_on() const { return built_on_; }
  int uses = 0;

  static inline std::atomic<int> constructed{0};
  static inline std::atomic<int> destroyed{0};
  static inline std::atomic<int> faults[kTestCores] = {};

  // Counts misses, then lets MulticoreEbb handle them.
  static PerCore& HandleFault(EbbId id) {
    faults[MyCore()].fetch_add(1);
    return MulticoreEbb<PerCore>::HandleFault(id);
  }

  static void ResetCounts() {
    constructed = 0;
    destroyed = 0;
    for (auto& f : faults) f = 0;
  }

 private:
  size_t built_on_;
};

// A root with its own state (so not default constructible), built by Create(args...).
class Shard;

class ShardRoot : public MulticoreRoot<Shard> {
 public:
  ShardRoot(int base, const char* name) : base_(base), name_(name) {}
  int base() const { return base_; }
  const char* name() const { return name_; }
  std::atomic<int> reps_built{0};

 private:
  const int base_;
  const char* const name_;
};

class Shard : public MulticoreEbb<Shard, ShardRoot> {
 public:
  explicit Shard(ShardRoot& root) : root_(root), value_(root.base() + static_cast<int>(MyCore())) {
    root.reps_built.fetch_add(1);
  }
  int value() const { return value_; }
  ShardRoot& root() const { return root_; }

 private:
  ShardRoot& root_;
  int value_;
};

}  // namespace ebbrt::core_test_internal
