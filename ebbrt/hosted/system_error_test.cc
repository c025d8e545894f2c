// SPDX-License-Identifier: Apache-2.0
// SystemError: errno values map to the codes callers branch on, and the errno travels.
#include "ebbrt/hosted/system_error.h"

#include <errno.h>

#include "gtest/gtest.h"

namespace ebbrt::hosted {
namespace {

TEST(SystemErrorTest, PortInUseAndPrivilegedPortAreToldApart) {
  EXPECT_EQ(SystemError("bind", EADDRINUSE).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(SystemError("bind", EACCES).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(SystemError("bind", EADDRNOTAVAIL).code(), StatusCode::kInvalidArgument);
}

TEST(SystemErrorTest, CommonNetworkErrorsMapToTheirKinds) {
  EXPECT_EQ(StatusCodeForErrno(EMFILE), StatusCode::kResourceExhausted);
  EXPECT_EQ(StatusCodeForErrno(ENOMEM), StatusCode::kOutOfMemory);
  EXPECT_EQ(StatusCodeForErrno(ECONNREFUSED), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForErrno(ETIMEDOUT), StatusCode::kTimeout);
  EXPECT_EQ(StatusCodeForErrno(ENOSYS), StatusCode::kUnimplemented);
  EXPECT_EQ(StatusCodeForErrno(EIO), StatusCode::kIoError);
}

TEST(SystemErrorTest, KeepsTheCallNameAndErrno) {
  Status s = SystemError("listen", EADDRINUSE);
  EXPECT_STREQ(s.message(), "listen");
  EXPECT_EQ(s.system_error(), EADDRINUSE);
}

}  // namespace
}  // namespace ebbrt::hosted
