// SPDX-License-Identifier: Apache-2.0
// Result<T>: a T or the Status saying why there is none. No allocation of its own.
//
//   Result<int> ParsePort(const char* s);
//
//   Result<Socket> Open(const char* port_text) {
//     int port = EBBRT_TRY(ParsePort(port_text));   // returns the error to our caller
//     EBBRT_TRY(CheckPermitted(port));              // works for Status too
//     return Socket(port);
//   }
//
//   Result<int> r = ParsePort("80");
//   if (!r.ok()) Log(r.status().message());
//   else Use(r.value());
//
// EBBRT_TRY uses a GNU statement expression (clang and gcc both support it).
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "ebbrt/base/check.h"
#include "ebbrt/base/status.h"

namespace ebbrt {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported; use a pointer");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, Status>, "use Status directly");

 public:
  // Success, holding `value`.
  Result(const T& value) : status_() { new (&value_) T(value); }  // NOLINT: implicit
  Result(T&& value) : status_() { new (&value_) T(std::move(value)); }  // NOLINT: implicit
  template <typename U, typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                    !std::is_same_v<std::decay_t<U>, T> &&
                                                    !std::is_same_v<std::decay_t<U>, Status> &&
                                                    !std::is_same_v<std::decay_t<U>, Result>>>
  Result(U&& value) : status_() {  // NOLINT: implicit, like T itself
    new (&value_) T(std::forward<U>(value));
  }

  // Failure. `status` must not be ok: a Result without a value must say why.
  Result(const Status& status) : status_(status) {  // NOLINT: implicit
    EBBRT_CHECK_MSG(!status.ok(), "Result constructed from an ok Status without a value");
  }

  Result(const Result& other) : status_(other.status_) {
    if (ok()) new (&value_) T(other.value_);
  }
  Result(Result&& other) noexcept : status_(other.status_) {
    if (ok()) new (&value_) T(std::move(other.value_));
  }
  Result& operator=(const Result& other) {
    if (this != &other) {
      Reset();
      status_ = other.status_;
      if (ok()) new (&value_) T(other.value_);
    }
    return *this;
  }
  Result& operator=(Result&& other) noexcept {
    if (this != &other) {
      Reset();
      status_ = other.status_;
      if (ok()) new (&value_) T(std::move(other.value_));
    }
    return *this;
  }
  ~Result() { Reset(); }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // The value; calling these on an error is a bug (checked).
  T& value() & {
    CheckHasValue();
    return value_;
  }
  const T& value() const& {
    CheckHasValue();
    return value_;
  }
  T&& value() && {
    CheckHasValue();
    return std::move(value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The value, or `fallback` on error.
  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? value_ : static_cast<T>(std::forward<U>(fallback));
  }
  template <typename U>
  T value_or(U&& fallback) && {
    return ok() ? std::move(value_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void CheckHasValue() const {
    EBBRT_CHECK_MSG(ok(), "Result::value() called on an error; check ok() first");
  }
  void Reset() {
    if (ok()) value_.~T();
  }

  Status status_;
  union {
    T value_;
  };
};

namespace base_internal {

inline void TryValue(const Status&) {}
inline void TryValue(Status&&) {}
template <typename T>
T TryValue(Result<T>&& result) {
  return std::move(result).value();
}
template <typename T>
T TryValue(Result<T>& result) {
  return std::move(result).value();
}

}  // namespace base_internal
}  // namespace ebbrt

// Evaluates `expr` (a Status or Result<T>); on error returns its Status from the enclosing
// function, otherwise yields the value (void for Status). The value is moved out of the
// Result, also when `expr` names a variable: `auto v = EBBRT_TRY(r);` leaves `r`'s value
// moved-from.
#define EBBRT_TRY(expr)                                                  \
  ({                                                                     \
    auto&& ebbrt_try_result_ = (expr);                                   \
    if (!ebbrt_try_result_.ok()) [[unlikely]] {                          \
      return ebbrt_try_result_.status();                                 \
    }                                                                    \
    ::ebbrt::base_internal::TryValue(                                    \
        std::forward<decltype(ebbrt_try_result_)>(ebbrt_try_result_));   \
  })
