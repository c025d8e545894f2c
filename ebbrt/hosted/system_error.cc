// SPDX-License-Identifier: Apache-2.0
#include "ebbrt/hosted/system_error.h"

#include <errno.h>

namespace ebbrt::hosted {

StatusCode StatusCodeForErrno(int error_number) {
  switch (error_number) {
    case EADDRINUSE:
    case EEXIST:
    case EISCONN:
      return StatusCode::kAlreadyExists;
    case EACCES:
    case EPERM:
      return StatusCode::kPermissionDenied;
    case ENOMEM:
      return StatusCode::kOutOfMemory;
    case EMFILE:
    case ENFILE:
    case ENOBUFS:
    case ENOSPC:
    case EAGAIN:
      return StatusCode::kResourceExhausted;
    case ECONNREFUSED:
    case ECONNRESET:
    case ECONNABORTED:
    case ENETUNREACH:
    case ENETDOWN:
    case EHOSTUNREACH:
    case EPIPE:
    case ENOTCONN:
      return StatusCode::kUnavailable;
    case ETIMEDOUT:
      return StatusCode::kTimeout;
    case EINVAL:
    case EBADF:
    case EADDRNOTAVAIL:
    case EAFNOSUPPORT:
    case ENOTSOCK:
      return StatusCode::kInvalidArgument;
    case ENOENT:
      return StatusCode::kNotFound;
    case ENOSYS:
    case EOPNOTSUPP:
      return StatusCode::kUnimplemented;
    case EINTR:
      return StatusCode::kCancelled;
    default:
      return StatusCode::kIoError;
  }
}

}  // namespace ebbrt::hosted
