// SPDX-License-Identifier: Apache-2.0
// Hosted only: death tests fork a child process, which the native harness cannot do.
// Misuse of LocalIdMap is fatal (the portable tests: local_id_map_test.cc).
#include "ebbrt/core/local_id_map.h"

#include "ebbrt/core/ebb_id.h"
#include "ebbrt/core/internal/test_ebbs_for_test.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

using core_test_internal::FreshId;
using core_test_internal::kTagA;
using core_test_internal::kTagB;
using core_test_internal::RootA;
using core_test_internal::RootB;

// ---- Misuse is fatal --------------------------------------------------------------------

class LocalIdMapDeathTest : public testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(LocalIdMapDeathTest, FindWithAnotherTypesTagIsFatal) {
  static RootA root;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &root, kTagA), nullptr);
  EXPECT_DEATH((void)LocalIdMap::Find(id, kTagB),
               "local_id_map\\.cc:[0-9]+: .*bound to a root of another type.*backtrace");
}

TEST_F(LocalIdMapDeathTest, BindWithAnotherTypesTagIsFatal) {
  static RootA root;
  static RootB other;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &root, kTagA), nullptr);
  EXPECT_DEATH((void)LocalIdMap::Bind(id, &other, kTagB),
               "bound to a root of another type.*backtrace");
  // The failed attempt (in the child) changed nothing here.
  EXPECT_EQ(LocalIdMap::Find(id, kTagA), &root);
}

TEST_F(LocalIdMapDeathTest, BadArgumentsAreFatal) {
  static RootA root;
  EXPECT_DEATH((void)LocalIdMap::Bind(kNullEbbId, &root, kTagA), "CHECK\\(id != kNullEbbId");
  EXPECT_DEATH((void)LocalIdMap::Bind(kMaxEbbIds, &root, kTagA), "CHECK\\(id != kNullEbbId");
  EXPECT_DEATH((void)LocalIdMap::Bind(FreshId(), nullptr, kTagA), "CHECK\\(root != nullptr");
  EXPECT_DEATH((void)LocalIdMap::Bind(FreshId(), &root, nullptr), "CHECK\\(root != nullptr");
  EXPECT_DEATH((void)LocalIdMap::Find(kMaxEbbIds, kTagA), "CHECK\\(id < kMaxEbbIds\\)");
  EXPECT_DEATH((void)LocalIdMap::Unbind(kMaxEbbIds), "CHECK\\(id < kMaxEbbIds\\)");
}

}  // namespace
}  // namespace ebbrt
