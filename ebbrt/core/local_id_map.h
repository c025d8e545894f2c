// SPDX-License-Identifier: Apache-2.0
// LocalIdMap: machine-wide map from EbbId to the Ebb's root data (a SharedEbb's only
// rep, a MulticoreEbb's root). Read on every translation miss, written rarely.
//
// Readers take no lock: acquire loads through a two-level table (chunks of 4096 ids,
// allocated the first time an id in them is bound). Binding is a compare-and-swap, so of
// two cores racing to bind the same id exactly one wins and the other gets the winner's
// root. Each binding records the Ebb's type (EbbTypeTag<T>(), no RTTI needed), so two
// Ebb types that land on the same id (say a static-id name collision) are reported
// instead of one being cast to the other. Unbind returns the old root; free it only after
// an RCU grace period (CallRcu), since another core may still be using it.
//
//   LocalIdMap::Bind(id, root, EbbTypeTag<Foo>())  -> nullptr if bound now, else the root
//                                                     already there
//   LocalIdMap::Find(id, EbbTypeTag<Foo>())        -> the root, or nullptr
#pragma once

#include "ebbrt/core/ebb_id.h"

namespace ebbrt {

namespace core_internal {
template <typename T>
inline constexpr char kTypeTag = 0;
}  // namespace core_internal

// A unique address per type: identifies what kind of root an id is bound to.
template <typename T>
constexpr const void* EbbTypeTag() {
  return &core_internal::kTypeTag<T>;
}

class LocalIdMap {
 public:
  static constexpr EbbId kChunkSize = 4096;

  // The root bound to `id`, or nullptr. A root of another type is a fatal error.
  static void* Find(EbbId id, const void* type_tag);
  // Binds `root` (non-null) to `id` if unbound. Returns nullptr on success, otherwise
  // the root already bound (which stays). A root of another type is a fatal error.
  static void* Bind(EbbId id, void* root, const void* type_tag);
  // Unbinds `id`; returns the root that was bound (nullptr if none).
  static void* Unbind(EbbId id);
};

}  // namespace ebbrt
