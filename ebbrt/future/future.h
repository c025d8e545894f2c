// SPDX-License-Identifier: Apache-2.0
// Promise<T> and Future<T>: a value (or the error why there is none) that arrives later.
//
//   Promise<int> promise;
//   Future<int> future = promise.GetFuture();
//   Future<int> doubled = future.Then([](Future<int> f) -> Future<int> {
//     if (!f.ok()) return MakeFailedFuture<int>(f.status());  // pass the error on
//     return MakeReadyFuture(f.value() * 2);
//   });
//   Future<int> plus_one = doubled.Then([](Future<int> f) { return f.ok() ? f.value() + 1 : 0; });
//                                                 // plain value -> Future<int>
//   Future<Reply> reply = doubled.Then([](Future<int> f) { return Send(f.value()); });
//                                                 // returns a Future: flattened
//   promise.SetValue(21);
//
//   Result<int> r = future.Block();               // inside an event: suspend until ready
//
// Rules:
//  * A Future is move-only and is consumed by Then() or Block() (use it once).
//  * Errors are Status values (MakeFailedFuture, Promise::SetError); a continuation
//    gets the fulfilled future and asks it: ok(), value(), status().
//  * Where a continuation runs: if the future is already fulfilled, Then() runs it at once,
//    inline. Otherwise it runs when the promise is fulfilled: inline in SetValue/SetError
//    if that happens on the core that called Then(), or as an event on the core that
//    called Then() if it happens on another core (or thread). A continuation attached
//    from a thread that is not a core runs inline wherever the promise is fulfilled.
//  * A Promise destroyed without a value fulfils its future with kCancelled.
#pragma once

#include <stddef.h>

#include <atomic>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/base/movable_function.h"
#include "ebbrt/base/result.h"
#include "ebbrt/base/spin_lock.h"
#include "ebbrt/base/status.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"

namespace ebbrt {

template <typename T>
class Future;
template <typename T>
class Promise;

namespace future_internal {

// What a Future<void> holds.
struct Unit {};

template <typename T>
using Stored = std::conditional_t<std::is_void_v<T>, Unit, T>;

inline constexpr size_t kAnyCore = ~size_t{0};

inline size_t CallerCore() { return OnCore() ? MyCore() : kAnyCore; }

// Shared by one Promise and one Future; the last of the two to go frees it.
template <typename T>
class State {
 public:
  // The union member is constructed only on fulfilment.
  State() {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (has_value_) value_.~Stored<T>();
  }

  void AddRef() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Release() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

  bool Ready() const { return ready_.load(std::memory_order_acquire); }

  template <typename... Args>
  void Fulfill(Args&&... args) {
    MovableFunction<void()> continuation;
    size_t core;
    {
      SpinLockGuard guard(lock_);
      EBBRT_CHECK_MSG(!ready_.load(std::memory_order_relaxed), "promise fulfilled twice");
      new (&value_) Stored<T>(std::forward<Args>(args)...);
      has_value_ = true;
      ready_.store(true, std::memory_order_release);
      continuation = std::move(continuation_);
      core = continuation_core_;
    }
    RunContinuation(std::move(continuation), core);
  }

  void Fail(const Status& error) {
    EBBRT_CHECK_MSG(!error.ok(), "SetError with an ok Status");
    MovableFunction<void()> continuation;
    size_t core;
    {
      SpinLockGuard guard(lock_);
      EBBRT_CHECK_MSG(!ready_.load(std::memory_order_relaxed), "promise fulfilled twice");
      error_ = error;
      ready_.store(true, std::memory_order_release);
      continuation = std::move(continuation_);
      core = continuation_core_;
    }
    RunContinuation(std::move(continuation), core);
  }

  // Registers `fn` (moving it) to run on fulfilment (see the header comment for where).
  // Returns false, leaving `fn` untouched, if the state is already fulfilled.
  bool SetContinuation(MovableFunction<void()>& fn, size_t core) {
    SpinLockGuard guard(lock_);
    if (ready_.load(std::memory_order_relaxed)) return false;
    EBBRT_CHECK_MSG(!continuation_, "a future can have only one continuation");
    continuation_ = std::move(fn);
    continuation_core_ = core;
    return true;
  }

  // Valid once Ready().
  const Status& status() const { return error_; }
  Stored<T>& value() {
    EBBRT_CHECK_MSG(has_value_, "Future::value() on a failed future; check ok() first");
    return value_;
  }

 private:
  static void RunContinuation(MovableFunction<void()> fn, size_t core) {
    if (!fn) return;
    if (core == kAnyCore || (OnCore() && MyCore() == core)) {
      fn();
    } else {
      EventManager::SpawnOnCore(std::move(fn), core);
    }
  }

  std::atomic<int> refs_{2};
  std::atomic<bool> ready_{false};
  SpinLock lock_;
  bool has_value_ = false;
  Status error_;
  MovableFunction<void()> continuation_;
  size_t continuation_core_ = kAnyCore;
  union {
    Stored<T> value_;
  };
};

// IsFuture<R>::Inner is U for Future<U>, else R itself (what Then's result holds).
template <typename R>
struct IsFuture : std::false_type {
  using Inner = R;
};
template <typename U>
struct IsFuture<Future<U>> : std::true_type {
  using Inner = U;
};

template <typename T>
void MoveInto(Promise<T>& promise, Future<T>& ready);

}  // namespace future_internal

template <typename T>
class [[nodiscard]] Future {
 public:
  using ValueType = T;

  Future() = default;  // Invalid: holds nothing (valid() is false).
  Future(Future&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Future& operator=(Future&& other) noexcept {
    if (this != &other) {
      Drop();
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }
  Future(const Future&) = delete;
  Future& operator=(const Future&) = delete;
  ~Future() { Drop(); }

  // False for a default-constructed or consumed (moved, Then, Block) future.
  bool valid() const { return state_ != nullptr; }
  bool Ready() const { return ValidState().Ready(); }
  // Ready with a value.
  bool ok() const { return Ready() && ValidState().status().ok(); }
  // The error of a fulfilled future (ok for a value).
  const Status& status() const {
    CheckReady();
    return ValidState().status();
  }
  // The value of a future fulfilled with one (checked).
  template <typename U = T, typename = std::enable_if_t<!std::is_void_v<U>>>
  U& value() {
    CheckReady();
    return ValidState().value();
  }

  // Calls fn(Future<T>) once this future is fulfilled and returns a future of its result
  // (flattened if fn itself returns a future). Consumes this future.
  template <typename F>
  auto Then(F&& fn);

  // Waits for the value inside an event: the event is suspended (its core keeps running
  // other events) and resumed on the same core once the future is fulfilled. Consumes the
  // future. Returns the value, or the error (Status for Future<void>).
  auto Block();

 private:
  friend class Promise<T>;
  template <typename U>
  friend Future<U> MakeReadyFuture(U value);
  friend Future<void> MakeReadyFuture();
  template <typename U>
  friend Future<U> MakeFailedFuture(const Status& error);
  template <typename U>
  friend void future_internal::MoveInto(Promise<U>& promise, Future<U>& ready);

  explicit Future(future_internal::State<T>* state) : state_(state) {}

  future_internal::State<T>& ValidState() const {
    EBBRT_CHECK_MSG(state_ != nullptr, "use of an invalid (empty or consumed) Future");
    return *state_;
  }
  void CheckReady() const {
    EBBRT_CHECK_MSG(Ready(), "Future not fulfilled yet; use Then() or Block()");
  }
  void Drop() {
    if (state_ != nullptr) std::exchange(state_, nullptr)->Release();
  }

  future_internal::State<T>* state_ = nullptr;
};

template <typename T>
class Promise {
 public:
  Promise() : state_(new future_internal::State<T>()) {}
  Promise(Promise&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)),
        future_taken_(other.future_taken_) {}
  Promise& operator=(Promise&& other) noexcept {
    if (this != &other) {
      Abandon();
      state_ = std::exchange(other.state_, nullptr);
      future_taken_ = other.future_taken_;
    }
    return *this;
  }
  Promise(const Promise&) = delete;
  Promise& operator=(const Promise&) = delete;
  ~Promise() { Abandon(); }

  // The one future of this promise (checked: call once).
  Future<T> GetFuture() {
    EBBRT_CHECK_MSG(state_ != nullptr, "GetFuture on a moved-from Promise");
    EBBRT_CHECK_MSG(!future_taken_, "GetFuture called twice");
    future_taken_ = true;
    return Future<T>(state_);
  }

  template <typename U = T, typename = std::enable_if_t<!std::is_void_v<U>>>
  void SetValue(U value) {
    ValidState().Fulfill(std::move(value));
  }
  template <typename U = T, typename = std::enable_if_t<std::is_void_v<U>>>
  void SetValue() {
    ValidState().Fulfill();
  }
  // `error` must not be ok.
  void SetError(const Status& error) { ValidState().Fail(error); }

 private:
  future_internal::State<T>& ValidState() {
    EBBRT_CHECK_MSG(state_ != nullptr, "use of a moved-from Promise");
    return *state_;
  }
  void Abandon() {
    if (state_ == nullptr) return;
    if (!state_->Ready()) {
      state_->Fail(Status(StatusCode::kCancelled, "promise destroyed before it was fulfilled"));
    }
    // The future's reference, if it was never taken, goes with the promise.
    if (!future_taken_) state_->Release();
    std::exchange(state_, nullptr)->Release();
  }

  future_internal::State<T>* state_;
  bool future_taken_ = false;
};

template <typename T>
Future<T> MakeReadyFuture(T value) {
  auto* state = new future_internal::State<T>();
  state->Fulfill(std::move(value));
  state->Release();  // No promise holds it.
  return Future<T>(state);
}

inline Future<void> MakeReadyFuture() {
  auto* state = new future_internal::State<void>();
  state->Fulfill();
  state->Release();
  return Future<void>(state);
}

template <typename T>
Future<T> MakeFailedFuture(const Status& error) {
  auto* state = new future_internal::State<T>();
  state->Fail(error);
  state->Release();
  return Future<T>(state);
}

namespace future_internal {

// Fulfils `promise` with what the fulfilled future `ready` holds.
template <typename T>
void MoveInto(Promise<T>& promise, Future<T>& ready) {
  if (!ready.status().ok()) {
    promise.SetError(ready.status());
  } else if constexpr (std::is_void_v<T>) {
    promise.SetValue();
  } else {
    promise.SetValue(std::move(ready.value()));
  }
}

}  // namespace future_internal

template <typename T>
template <typename F>
auto Future<T>::Then(F&& fn) {
  using R = std::invoke_result_t<F, Future<T>>;
  using Traits = future_internal::IsFuture<R>;
  using U = typename Traits::Inner;
  future_internal::State<T>* state = std::exchange(state_, nullptr);
  EBBRT_CHECK_MSG(state != nullptr, "Then on an invalid (empty or consumed) Future");

  Promise<U> promise;
  Future<U> result = promise.GetFuture();
  auto run = [state, promise = std::move(promise), fn = std::forward<F>(fn)]() mutable {
    Future<T> ready(state);
    if constexpr (Traits::value) {
      Future<U> inner = fn(std::move(ready));
      (void)inner.Then([promise = std::move(promise)](Future<U> done) mutable {
        future_internal::MoveInto(promise, done);
      });
    } else if constexpr (std::is_void_v<R>) {
      fn(std::move(ready));
      promise.SetValue();
    } else {
      promise.SetValue(fn(std::move(ready)));
    }
  };
  MovableFunction<void()> continuation(std::move(run));
  if (!state->SetContinuation(continuation, future_internal::CallerCore())) {
    continuation();  // Already fulfilled: run it now, inline.
  }
  return result;
}

template <typename T>
auto Future<T>::Block() {
  future_internal::State<T>* state = std::exchange(state_, nullptr);
  EBBRT_CHECK_MSG(state != nullptr, "Block on an invalid (empty or consumed) Future");
  if (!state->Ready()) {
    EBBRT_CHECK_MSG(OnCore(), "Future::Block() outside an EbbRT core");
    EventContext context;
    // The continuation runs on this core (Then semantics), so it cannot run before
    // SaveContext has switched away from this event.
    MovableFunction<void()> resume = [&context] {
      event_manager->ActivateContext(std::move(context));
    };
    if (state->SetContinuation(resume, MyCore())) {
      event_manager->SaveContext(context);
    }
  }
  Future<T> ready(state);
  if constexpr (std::is_void_v<T>) {
    return Status(ready.status());
  } else {
    if (!ready.status().ok()) return Result<T>(ready.status());
    return Result<T>(std::move(ready.value()));
  }
}

// WhenAll(f1, f2, ...): a future of the tuple of their values once all are fulfilled, or
// of the first error (in argument order) if any failed. Future<void> arguments contribute
// an empty future_internal::Unit.
template <typename... Ts>
Future<std::tuple<future_internal::Stored<Ts>...>> WhenAll(Future<Ts>... futures) {
  using Tuple = std::tuple<future_internal::Stored<Ts>...>;
  struct Gather {
    std::atomic<size_t> remaining{sizeof...(Ts)};
    std::tuple<std::optional<future_internal::Stored<Ts>>...> values;
    Status errors[sizeof...(Ts) + 1];
    Promise<Tuple> promise;

    void Finish() {
      for (const Status& error : errors) {
        if (!error.ok()) {
          promise.SetError(error);
          return;
        }
      }
      promise.SetValue(std::apply([](auto&... v) { return Tuple(std::move(*v)...); }, values));
    }
  };
  auto* gather = new Gather();
  Future<Tuple> result = gather->promise.GetFuture();
  if constexpr (sizeof...(Ts) == 0) {
    gather->Finish();
    delete gather;
    return result;
  } else {
    auto attach = [gather](auto index, auto future) {
      using F = decltype(future);
      constexpr size_t kIndex = decltype(index)::value;
      (void)std::move(future).Then([gather](F done) {
        if (!done.status().ok()) {
          gather->errors[kIndex] = done.status();
        } else if constexpr (std::is_void_v<typename F::ValueType>) {
          std::get<kIndex>(gather->values).emplace();
        } else {
          std::get<kIndex>(gather->values).emplace(std::move(done.value()));
        }
        if (gather->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          gather->Finish();
          delete gather;
        }
      });
    };
    [&]<size_t... kIndex>(std::index_sequence<kIndex...>) {
      (attach(std::integral_constant<size_t, kIndex>{}, std::move(futures)), ...);
    }(std::index_sequence_for<Ts...>{});
    return result;
  }
}

namespace future_internal {

// WhenAll over a Vector, for both kinds: Future<Vector<T>> of the values in order, or
// Future<void> when T is void; the first error in order wins either way.
template <typename T>
auto WhenAllOfVector(Vector<Future<T>> futures) {
  using Out = std::conditional_t<std::is_void_v<T>, void, Vector<T>>;
  struct Gather {
    std::atomic<size_t> remaining{0};
    Vector<std::optional<Stored<T>>> values;
    Vector<Status> errors;
    Promise<Out> promise;

    // Fulfils the promise and frees the gather: runs once, after the last future.
    void Finish() {
      for (const Status& error : errors) {
        if (!error.ok()) {
          promise.SetError(error);
          delete this;
          return;
        }
      }
      if constexpr (std::is_void_v<T>) {
        promise.SetValue();
      } else {
        Vector<T> out;
        for (auto& v : values) out.PushBack(std::move(*v));
        promise.SetValue(std::move(out));
      }
      delete this;
    }
  };
  auto* gather = new Gather();
  Future<Out> result = gather->promise.GetFuture();
  size_t count = futures.Size();
  if (count == 0) {
    gather->Finish();
    return result;
  }
  for (size_t i = 0; i < count; ++i) {
    gather->values.EmplaceBack();
    gather->errors.EmplaceBack();
  }
  gather->remaining.store(count, std::memory_order_relaxed);
  for (size_t i = 0; i < count; ++i) {
    (void)std::move(futures[i]).Then([gather, i](Future<T> done) {
      if (!done.status().ok()) {
        gather->errors[i] = done.status();
      } else if constexpr (std::is_void_v<T>) {
        gather->values[i].emplace();
      } else {
        gather->values[i].emplace(std::move(done.value()));
      }
      if (gather->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) gather->Finish();
    });
  }
  return result;
}

}  // namespace future_internal

// WhenAll over a Vector of futures of one type: a future of their values in order, or of
// the first error (in order) if any failed.
template <typename T>
Future<Vector<T>> WhenAll(Vector<Future<T>> futures) {
  return future_internal::WhenAllOfVector(std::move(futures));
}

// WhenAll over a Vector of Future<void>: fulfilled once all are, with the first error (in
// order) if any failed.
inline Future<void> WhenAll(Vector<Future<void>> futures) {
  return future_internal::WhenAllOfVector(std::move(futures));
}

}  // namespace ebbrt
