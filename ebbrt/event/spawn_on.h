// SPDX-License-Identifier: Apache-2.0
// Running work on chosen cores and learning when it is done: SpawnRemote plus a future.
//
//   // One core's answer:
//   Future<size_t> node = ebbrt::SpawnOn(3, [] { return NodeOfCore(ebbrt::MyCore()); });
//
//   // Every core of the running runtime, e.g. to set up per-core state; the future fails
//   // with the first error (lowest core first) if any core's fn returned one:
//   Future<void> all = ebbrt::ForEachCore([port](size_t core) -> Status {
//     return ListenOnThisCore(port);
//   });
//   Status listening = all.Block();   // inside an event; or all.Then(...)
//
// fn runs as an ordinary event on its core (queued like SpawnRemote, never inline, even
// for the caller's own core), so it may block. What fn returns becomes the future:
// void -> Future<void>; Status -> Future<void> failed with a non-ok Status; Result<T> ->
// Future<T>; any other T -> Future<T>. Call these on an EbbRT core (inside an event).
#pragma once

#include <stddef.h>

#include <type_traits>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/base/result.h"
#include "ebbrt/base/status.h"
#include "ebbrt/base/vector.h"
#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/future/future.h"

namespace ebbrt {
namespace spawn_on_internal {

// What a future of fn's result R holds, and how R fulfils its promise.
template <typename R>
struct Outcome {
  using Value = R;
  static void Fulfil(Promise<R>& promise, R&& value) { promise.SetValue(std::move(value)); }
};

template <>
struct Outcome<void> {
  using Value = void;
};

template <>
struct Outcome<Status> {
  using Value = void;
  static void Fulfil(Promise<void>& promise, Status&& status) {
    if (status.ok()) {
      promise.SetValue();
    } else {
      promise.SetError(status);
    }
  }
};

template <typename T>
struct Outcome<Result<T>> {
  using Value = T;
  static void Fulfil(Promise<T>& promise, Result<T>&& result) {
    if (result.ok()) {
      promise.SetValue(std::move(result).value());
    } else {
      promise.SetError(result.status());
    }
  }
};

// fn's result as a value (a function returning a reference gives a copy).
template <typename F, typename... Args>
using ResultOf = std::remove_cvref_t<std::invoke_result_t<F&, Args...>>;

template <typename F, typename... Args>
using ValueOf = typename Outcome<ResultOf<F, Args...>>::Value;

// Calls fn(args...) and fulfils `promise` with what it returned.
template <typename F, typename... Args>
void CallAndFulfil(Promise<ValueOf<F, Args...>>& promise, F& fn, Args... args) {
  using R = ResultOf<F, Args...>;
  if constexpr (std::is_void_v<R>) {
    fn(args...);
    promise.SetValue();
  } else {
    Outcome<R>::Fulfil(promise, R(fn(args...)));
  }
}

}  // namespace spawn_on_internal

// Runs fn() as an event on `core` (< RunCores()); the future holds its result.
template <typename F>
Future<spawn_on_internal::ValueOf<F>> SpawnOn(size_t core, F fn) {
  EBBRT_CHECK_MSG(OnCore(), "SpawnOn must be called on an EbbRT core");
  EBBRT_CHECK_MSG(core < RunCores(), "SpawnOn: no such core in this run");
  Promise<spawn_on_internal::ValueOf<F>> promise;
  auto future = promise.GetFuture();
  SpawnRemote(
      [promise = std::move(promise), fn = std::move(fn)]() mutable {
        spawn_on_internal::CallAndFulfil(promise, fn);
      },
      core);
  return future;
}

// Runs fn(core) as an event on every core of the running Run (RunCores()), all spawned
// at once; the future is fulfilled once every one has returned. fn returns void or
// Status; it is copied, one copy per core.
template <typename F>
Future<void> ForEachCore(F fn) {
  static_assert(std::is_same_v<spawn_on_internal::ValueOf<F, size_t>, void>,
                "ForEachCore: fn(size_t core) returns void or Status");
  EBBRT_CHECK_MSG(OnCore(), "ForEachCore must be called on an EbbRT core");
  Vector<Future<void>> done;
  const size_t cores = RunCores();
  for (size_t core = 0; core < cores; ++core) {
    Promise<void> promise;
    done.PushBack(promise.GetFuture());
    SpawnRemote(
        [promise = std::move(promise), fn, core]() mutable {
          spawn_on_internal::CallAndFulfil(promise, fn, core);
        },
        core);
  }
  return WhenAll(std::move(done));
}

}  // namespace ebbrt
