// SPDX-License-Identifier: Apache-2.0
// MulticoreEbb<T, Root>: an Ebb with one rep per core, built lazily on each core's first
// use, plus one machine-wide root that can reach every rep built so far.
//
// The shape of most EbbRT components: each core works on its own rep with no sharing
// (no locks, no cache-line ping-pong); the rare global question (a sum, a broadcast)
// goes through the root.
//
//   class Counter;
//   class CounterRoot : public MulticoreRoot<Counter> {
//    public:
//     uint64_t Sum();   // ForEachRep(...) over the reps
//   };
//   class Counter : public MulticoreEbb<Counter, CounterRoot> {
//    public:
//     explicit Counter(CounterRoot& root) {}   // or a default constructor
//     void Inc() { ++count_; }
//     uint64_t count_ = 0;
//   };
//   EbbRef<Counter> c = EBBRT_TRY(Counter::Create());
//   c->Inc();                        // this core's rep
//   uint64_t total = Counter::RootOf(c).Sum();
//
// Rep construction is per core and runs on that core, so there is no race between two
// cores for one rep. The root is created by Create(), or on first fault for static ids
// when Root is default-constructible (racing cores agree through the LocalIdMap).
#pragma once

#include <stddef.h>

#include <atomic>
#include <type_traits>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/base/result.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/core/ebb_allocator.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/core/local_id_map.h"

namespace ebbrt {

template <typename Rep>
class MulticoreRoot {
 public:
  MulticoreRoot() = default;
  MulticoreRoot(const MulticoreRoot&) = delete;
  MulticoreRoot& operator=(const MulticoreRoot&) = delete;
  ~MulticoreRoot() {
    for (auto& rep : reps_) delete rep.load(std::memory_order_relaxed);
  }

  // The rep of `core`, or nullptr if that core has not used the Ebb yet.
  Rep* RepOf(size_t core) const {
    EBBRT_CHECK(core < kMaxCores);
    return reps_[core].load(std::memory_order_acquire);
  }

  // Calls fn(core, rep) for every rep built so far, in core order. Reps are only ever
  // added, never removed while the root lives, so this needs no lock; a rep being built
  // concurrently on another core may or may not be seen.
  template <typename Fn>
  void ForEachRep(Fn&& fn) const {
    for (size_t core = 0; core < kMaxCores; ++core) {
      if (Rep* rep = reps_[core].load(std::memory_order_acquire)) fn(core, *rep);
    }
  }

 private:
  template <typename T, typename R>
  friend class MulticoreEbb;

  // Only `core` itself ever stores its slot, once.
  void SetRep(size_t core, Rep* rep) { reps_[core].store(rep, std::memory_order_release); }

  std::atomic<Rep*> reps_[kMaxCores] = {};
};

template <typename T, typename Root = MulticoreRoot<T>>
class MulticoreEbb {
 public:
  // Builds the root from `args` and binds it to a fresh local id.
  template <typename... Args>
  static Result<EbbRef<T>> Create(Args&&... args) {
    EbbId id = EBBRT_TRY(EbbAllocator::AllocateLocal());
    Root* root = new Root(std::forward<Args>(args)...);
    if (LocalIdMap::Bind(id, root, EbbTypeTag<Root>()) != nullptr) {
      delete root;
      return Status(StatusCode::kAlreadyExists, "Ebb id already bound");
    }
    return EbbRef<T>(id);
  }

  // A reference to a static-id Ebb; its root is built on first use if Root is
  // default-constructible (as SharedEbb<T>::Static).
  template <EbbId kId>
  static constexpr EbbRef<T> Static() {
    static_assert(kId != kNullEbbId && kId < kFirstLocalId, "not a system or static id");
    return EbbRef<T>(kId);
  }

  // The root behind `ref` (checked: it must exist).
  static Root& RootOf(EbbRef<T> ref) { return FindOrCreateRoot(ref.id()); }

  // Called by EbbRef<T> on a translation miss: this core's rep, built if needed.
  static T& HandleFault(EbbId id) {
    Root& root = FindOrCreateRoot(id);
    size_t core = MyCore();
    T* rep = root.RepOf(core);
    if (rep == nullptr) {
      if constexpr (std::is_constructible_v<T, Root&>) {
        rep = new T(root);
      } else {
        rep = new T();
      }
      root.SetRep(core, rep);
    }
    CacheRef(id, rep);
    return *rep;
  }

 private:
  static Root& FindOrCreateRoot(EbbId id) {
    void* found = LocalIdMap::Find(id, EbbTypeTag<Root>());
    if (found == nullptr) {
      if constexpr (std::is_default_constructible_v<Root>) {
        Root* fresh = new Root();
        found = LocalIdMap::Bind(id, fresh, EbbTypeTag<Root>());
        if (found == nullptr) {
          found = fresh;
        } else {
          delete fresh;  // Lost the race: use the winner's root.
        }
      } else {
        EBBRT_UNREACHABLE("MulticoreEbb used before its root was created");
      }
    }
    return *static_cast<Root*>(found);
  }
};

}  // namespace ebbrt
