// SPDX-License-Identifier: Apache-2.0
// Status: the outcome of a fallible operation, as a value (the core has no exceptions).
//
// A Status is an error code, a message that points at static text and, for failures that
// come from the system (a Linux call on hosted), the error number (errno) that says why.
// It is 16 bytes and trivially copyable: creating, copying and returning one never
// allocates, on the success path or any other. StatusText formats one for people.
//
//   Status Frob(int x) {
//     if (x < 0) return Status(StatusCode::kInvalidArgument, "Frob: negative x");
//     return Status::Ok();
//   }
//   EBBRT_TRY(Frob(3));  // in a function returning Status or Result<T>
//
//   if (bind(fd, ...) != 0) return Status(StatusCode::kAlreadyExists, "bind", errno);
//   ...
//   printf("listen failed: %s\n", StatusText(status).c_str());
//   // "listen failed: bind: Address already in use (errno 98, ALREADY_EXISTS)"
#pragma once

#include <stddef.h>
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
  kPermissionDenied,
};

// A stable, human-readable name for `code` ("kNotFound" -> "NOT_FOUND").
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // Success.
  constexpr Status() = default;
  // `message` must outlive every copy of the Status: pass a string literal.
  constexpr Status(StatusCode code, const char* message) : code_(code), message_(message) {}
  // A failure the system reported: `system_error` is its errno (0: none).
  constexpr Status(StatusCode code, const char* message, int system_error)
      : code_(code), system_error_(system_error), message_(message) {}

  static constexpr Status Ok() { return Status(); }

  constexpr bool ok() const { return code_ == StatusCode::kOk; }
  constexpr StatusCode code() const { return code_; }
  // "" for success.
  constexpr const char* message() const { return message_; }
  // The errno behind a system failure; 0 when the Status did not come from one.
  constexpr int system_error() const { return system_error_; }

  // Lets EBBRT_TRY treat Status and Result<T> alike.
  constexpr const Status& status() const { return *this; }

  // Statuses are equal when their codes are: messages (and error numbers) are for people,
  // not for control flow.
  friend constexpr bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  int32_t system_error_ = 0;
  const char* message_ = "";
};

static_assert(sizeof(Status) == 16, "a Status stays two words: it is returned everywhere");

// A Status formatted for a log line or an error message, in an inline buffer (no
// allocation): "message (CODE)", or "message: strerror text (errno N, CODE)" when the
// Status carries a system error; "OK" for success. Longer text is cut at kCapacity - 1
// bytes and ends in "...", so a truncated line is visibly truncated.
class StatusText {
 public:
  static constexpr size_t kCapacity = 160;

  explicit StatusText(const Status& status);

  const char* c_str() const { return text_; }

 private:
  char text_[kCapacity];
};

}  // namespace ebbrt
