// SPDX-License-Identifier: Apache-2.0
// SystemError: the Status for a failed Linux call, carrying its errno and a StatusCode
// chosen from it, so a caller can tell "port in use" (kAlreadyExists) from "privileged
// port" (kPermissionDenied) and a person reading StatusText sees the system's reason.
//
//   if (bind(fd, ...) != 0) return hosted::SystemError("bind (TCP)", errno);
#pragma once

#include "ebbrt/base/status.h"

namespace ebbrt::hosted {

// The StatusCode that best describes `error_number` (kIoError when none fits better).
StatusCode StatusCodeForErrno(int error_number);

// `what` names the call that failed; it must be static text, as every Status message.
inline Status SystemError(const char* what, int error_number) {
  return Status(StatusCodeForErrno(error_number), what, error_number);
}

}  // namespace ebbrt::hosted
