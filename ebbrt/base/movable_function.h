// SPDX-License-Identifier: Apache-2.0
// MovableFunction<R(Args...)>: a move-only, type-erased callable.
//
// Events, continuations and timer callbacks are closures that are moved into a queue and
// called once (or a few times) later. std::function needs copyable targets and, on
// native, is outside the C++ subset; this is the small move-only version. Targets up to
// kInlineSize bytes (and no stricter alignment than a pointer pair) live inside the
// object, so queuing a typical closure does not allocate.
//
//   MovableFunction<void()> f = [buf = std::move(buffer)]() mutable { Use(buf); };
//   f();
#pragma once

#include <stddef.h>

#include <new>
#include <type_traits>
#include <utility>

#include "ebbrt/base/check.h"

namespace ebbrt {

template <typename Signature>
class MovableFunction;

template <typename R, typename... Args>
class MovableFunction<R(Args...)> {
 public:
  static constexpr size_t kInlineSize = 48;

  MovableFunction() = default;
  MovableFunction(decltype(nullptr)) {}  // NOLINT: implicit, like std::function

  template <typename F, typename = std::enable_if_t<
                            !std::is_same_v<std::decay_t<F>, MovableFunction> &&
                            std::is_invocable_r_v<R, std::decay_t<F>&, Args...>>>
  MovableFunction(F&& f) {  // NOLINT: implicit, like std::function
    using Target = std::decay_t<F>;
    if constexpr (std::is_pointer_v<Target> || std::is_member_pointer_v<Target>) {
      if (f == nullptr) return;  // A null function pointer makes an empty function.
    }
    if constexpr (kFitsInline<Target>) {
      new (storage_) Target(std::forward<F>(f));
      ops_ = &kInlineOps<Target>;
    } else {
      heap_ = new Target(std::forward<F>(f));
      ops_ = &kHeapOps<Target>;
    }
  }

  MovableFunction(MovableFunction&& other) noexcept { MoveFrom(other); }
  MovableFunction& operator=(MovableFunction&& other) noexcept {
    if (this != &other) {
      Reset();
      MoveFrom(other);
    }
    return *this;
  }
  MovableFunction(const MovableFunction&) = delete;
  MovableFunction& operator=(const MovableFunction&) = delete;
  ~MovableFunction() { Reset(); }

  explicit operator bool() const { return ops_ != nullptr; }

  R operator()(Args... args) {
    EBBRT_CHECK_MSG(ops_ != nullptr, "call of an empty MovableFunction");
    return ops_->invoke(Target(), std::forward<Args>(args)...);
  }

  void Reset() {
    if (ops_ != nullptr) {
      ops_->destroy(this);
      ops_ = nullptr;
    }
  }

 private:
  struct Ops {
    R (*invoke)(void* target, Args&&... args);
    // Move-constructs `to`'s target from `from`'s and destroys `from`'s.
    void (*relocate)(MovableFunction* from, MovableFunction* to);
    void (*destroy)(MovableFunction* self);
    bool inline_storage;
  };

  template <typename T>
  static constexpr bool kFitsInline = sizeof(T) <= kInlineSize &&
                                      alignof(T) <= alignof(max_align_t) &&
                                      std::is_nothrow_move_constructible_v<T>;

  template <typename T>
  static constexpr Ops kInlineOps = {
      [](void* target, Args&&... args) -> R {
        return (*static_cast<T*>(target))(std::forward<Args>(args)...);
      },
      [](MovableFunction* from, MovableFunction* to) {
        T* source = reinterpret_cast<T*>(from->storage_);
        new (to->storage_) T(std::move(*source));
        source->~T();
      },
      [](MovableFunction* self) { reinterpret_cast<T*>(self->storage_)->~T(); },
      true,
  };

  template <typename T>
  static constexpr Ops kHeapOps = {
      [](void* target, Args&&... args) -> R {
        return (*static_cast<T*>(target))(std::forward<Args>(args)...);
      },
      [](MovableFunction* from, MovableFunction* to) { to->heap_ = from->heap_; },
      [](MovableFunction* self) { delete static_cast<T*>(self->heap_); },
      false,
  };

  void* Target() { return ops_->inline_storage ? static_cast<void*>(storage_) : heap_; }

  void MoveFrom(MovableFunction& other) {
    ops_ = other.ops_;
    if (ops_ != nullptr) {
      ops_->relocate(&other, this);
      other.ops_ = nullptr;
    }
  }

  const Ops* ops_ = nullptr;
  union {
    alignas(max_align_t) unsigned char storage_[kInlineSize];
    void* heap_;
  };
};

}  // namespace ebbrt
