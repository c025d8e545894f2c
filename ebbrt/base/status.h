// Status: the outcome of a fallible operation, as a value (the core has no exceptions).
//
// A Status is an error code plus a message that points at static text, so creating,
// copying and returning one never allocates, on the success path or any other.
//
//   Status Frob(int x) {
//     if (x < 0) return Status(StatusCode::kInvalidArgument, "Frob: negative x");
//     return Status::Ok();
//   }
//   EBBRT_TRY(Frob(3));  // in a function returning Status or Result<T>
#pragma once

#include <stdint.h>

namespace ebbrt {

// The kinds of failure callers can tell apart. Keep in step with StatusCodeName().
enum class StatusCode : uint8_t {
  kOk = 0,
  kCancelled,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kOutOfMemory,
  kResourceExhausted,
  kFailedPrecondition,
  kOutOfRange,
  kUnimplemented,
  kUnavailable,
  kTimeout,
  kIoError,
  kInternal,
};

// A stable, human-readable name for `code` ("kNotFound" -> "NOT_FOUND").
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // Success.
  constexpr Status() = default;
  // `message` must outlive every copy of the Status: pass a string literal.
  constexpr Status(StatusCode code, const char* message) : code_(code), message_(message) {}

  static constexpr Status Ok() { return Status(); }

  constexpr bool ok() const { return code_ == StatusCode::kOk; }
  constexpr StatusCode code() const { return code_; }
  // "" for success.
  constexpr const char* message() const { return message_; }

  // Lets EBBRT_TRY treat Status and Result<T> alike.
  constexpr const Status& status() const { return *this; }

  // Statuses are equal when their codes are: messages are for people, not for control flow.
  friend constexpr bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  const char* message_ = "";
};

}  // namespace ebbrt
