// SPDX-License-Identifier: Apache-2.0
// SharedEbb<T>: an Ebb with one rep for the whole machine, shared by every core.
//
// For state that is read-mostly or needs no per-core split. The rep is the root: it is
// bound in the LocalIdMap and each core caches the same pointer on first use.
//
//   class Config : public SharedEbb<Config> {
//    public:
//     int port() const { return port_; }
//    private:
//     int port_ = 11211;
//   };
//   EbbRef<Config> config = EBBRT_TRY(Config::Create());       // fresh local id
//   EbbRef<Config> named = Config::Static<StaticEbbId("config")>();  // built on first use
//
// A rep is built lazily on first use only for ids nobody bound explicitly and only if T
// is default-constructible; two cores faulting at once both build one, one wins the
// LocalIdMap binding and the other's is destroyed, so every core sees the same rep.
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/base/result.h"
#include "ebbrt/core/ebb_allocator.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/core/local_id_map.h"

namespace ebbrt {

template <typename T>
class SharedEbb {
 public:
  // Builds the rep from `args` and binds it to a fresh local id.
  template <typename... Args>
  static Result<EbbRef<T>> Create(Args&&... args) {
    EbbId id = EBBRT_TRY(EbbAllocator::AllocateLocal());
    T* rep = new T(std::forward<Args>(args)...);
    Status bound = Bind(id, rep);
    if (!bound.ok()) {
      delete rep;
      return bound;
    }
    return EbbRef<T>(id);
  }

  // Binds an existing rep (owned by the caller from now on only if Bind fails).
  static Status Bind(EbbId id, T* rep) {
    if (LocalIdMap::Bind(id, rep, EbbTypeTag<T>()) != nullptr) {
      return Status(StatusCode::kAlreadyExists, "Ebb id already bound");
    }
    return Status::Ok();
  }

  // A reference to a static-id Ebb (built on first use if T is default-constructible).
  template <EbbId kId>
  static constexpr EbbRef<T> Static() {
    static_assert(kId != kNullEbbId && kId < kFirstLocalId, "not a system or static id");
    return EbbRef<T>(kId);
  }

  // Called by EbbRef<T> on a translation miss.
  static T& HandleFault(EbbId id) {
    void* root = LocalIdMap::Find(id, EbbTypeTag<T>());
    if (root == nullptr) {
      if constexpr (std::is_default_constructible_v<T>) {
        T* fresh = new T();
        root = LocalIdMap::Bind(id, fresh, EbbTypeTag<T>());
        if (root == nullptr) {
          root = fresh;
        } else {
          delete fresh;  // Lost the race: use the winner's rep.
        }
      } else {
        EBBRT_UNREACHABLE("SharedEbb used before a rep was bound to its id");
      }
    }
    CacheRef(id, root);
    return *static_cast<T*>(root);
  }
};

}  // namespace ebbrt
