// SPDX-License-Identifier: Apache-2.0
// EbbRef<T>: the handle through which code calls an Ebb.
//
// An EbbRef is just the id (trivially copyable, 4 bytes). `ref->Method()` loads the
// calling core's rep from the translation table; on the first use on a core the slot is
// empty and T::HandleFault(id) finds or builds this core's rep and caches it, so every
// later call on that core is the load plus one predictable branch.
//
//   class Counter : public MulticoreEbb<Counter> { public: void Inc() { ++n_; } ... };
//   EbbRef<Counter> counter = EBBRT_TRY(Counter::Create());
//   counter->Inc();   // this core's rep
#pragma once

#include <type_traits>

#include "ebbrt/core/ebb_id.h"
#include "ebbrt/core/translation.h"

namespace ebbrt {

template <typename T>
class EbbRef {
 public:
  constexpr EbbRef() = default;
  constexpr explicit EbbRef(EbbId id) : id_(id) {}

  constexpr EbbId id() const { return id_; }
  constexpr explicit operator bool() const { return id_ != kNullEbbId; }

  // This core's rep. The hit path is inlined: load, test, done. The miss path is kept
  // out of line (and cold), or the compiler inlines the whole fault handler here and
  // then declines to inline GetRep itself.
  [[gnu::always_inline]] T& GetRep() const {
    void* rep = LookupRep(id_);
    if (rep == nullptr) [[unlikely]] {
      return Fault(id_);
    }
    return *static_cast<T*>(rep);
  }

  T* operator->() const { return &GetRep(); }
  T& operator*() const { return GetRep(); }

  friend constexpr bool operator==(EbbRef a, EbbRef b) { return a.id_ == b.id_; }

 private:
  [[gnu::noinline, gnu::cold]] static T& Fault(EbbId id) { return T::HandleFault(id); }

  EbbId id_ = kNullEbbId;
};

static_assert(std::is_trivially_copyable_v<EbbRef<int>>);
static_assert(sizeof(EbbRef<int>) == sizeof(EbbId));

}  // namespace ebbrt
