// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/base/status.h"

#include <stdio.h>
#include <string.h>

namespace ebbrt {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kCancelled:
      return "CANCELLED";
    case StatusCode::kInvalidArgument:
      return "INVALID_ARGUMENT";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
      return "ALREADY_EXISTS";
    case StatusCode::kOutOfMemory:
      return "OUT_OF_MEMORY";
    case StatusCode::kResourceExhausted:
      return "RESOURCE_EXHAUSTED";
    case StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case StatusCode::kUnimplemented:
      return "UNIMPLEMENTED";
    case StatusCode::kUnavailable:
      return "UNAVAILABLE";
    case StatusCode::kTimeout:
      return "TIMEOUT";
    case StatusCode::kIoError:
      return "IO_ERROR";
    case StatusCode::kInternal:
      return "INTERNAL";
    case StatusCode::kPermissionDenied:
      return "PERMISSION_DENIED";
  }
  return "UNKNOWN";
}

StatusText::StatusText(const Status& status) {
  int written;
  if (status.ok()) {
    written = snprintf(text_, sizeof(text_), "OK");
  } else if (status.system_error() != 0) {
    written = snprintf(text_, sizeof(text_), "%s: %s (errno %d, %s)", status.message(),
                       strerror(status.system_error()), status.system_error(),
                       StatusCodeName(status.code()));
  } else {
    written = snprintf(text_, sizeof(text_), "%s (%s)", status.message(),
                       StatusCodeName(status.code()));
  }
  if (written >= static_cast<int>(sizeof(text_))) memcpy(text_ + sizeof(text_) - 4, "...", 4);
}

}  // namespace ebbrt
