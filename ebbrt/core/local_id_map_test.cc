// SPDX-License-Identifier: Apache-2.0
// LocalIdMap: bind, find, unbind and type tags (races between threads:
// local_id_map_thread_test.cc).
#include "ebbrt/core/local_id_map.h"

#include "ebbrt/core/ebb_id.h"
#include "ebbrt/core/internal/test_ebbs_for_test.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

using core_test_internal::FreshId;
using core_test_internal::IdInAnUntouchedChunk;
using core_test_internal::kTagA;
using core_test_internal::kTagB;
using core_test_internal::RootA;
using core_test_internal::RootB;

static_assert(EbbTypeTag<RootA>() == EbbTypeTag<RootA>());
static_assert(EbbTypeTag<RootA>() != EbbTypeTag<RootB>());
static_assert(EbbTypeTag<RootA>() != nullptr);

TEST(LocalIdMapTest, FindOfAnUnboundIdIsNull) {
  // In a chunk that exists (the allocator's ids are bound by other tests) and in one
  // that was never created.
  EXPECT_EQ(LocalIdMap::Find(FreshId(), kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Find(IdInAnUntouchedChunk(100), kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Find(kNullEbbId, kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Find(kMaxEbbIds - 1, kTagA), nullptr);
}

TEST(LocalIdMapTest, BindThenFind) {
  static RootA root;
  EbbId id = FreshId();
  EXPECT_EQ(LocalIdMap::Bind(id, &root, kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Find(id, kTagA), &root);
  // Binding one id leaves its neighbours alone.
  EXPECT_EQ(LocalIdMap::Find(id + 1, kTagA), nullptr);
}

TEST(LocalIdMapTest, SecondBindReturnsTheExistingRootAndKeepsIt) {
  static RootA first;
  static RootA second;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &first, kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Bind(id, &second, kTagA), &first);
  EXPECT_EQ(LocalIdMap::Find(id, kTagA), &first);
  // Binding the same root again is also "already bound".
  EXPECT_EQ(LocalIdMap::Bind(id, &first, kTagA), &first);
}

TEST(LocalIdMapTest, UnbindReturnsTheRootAndFindBecomesNull) {
  static RootA root;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &root, kTagA), nullptr);
  EXPECT_EQ(LocalIdMap::Unbind(id), &root);
  EXPECT_EQ(LocalIdMap::Find(id, kTagA), nullptr);
  // A second Unbind finds nothing.
  EXPECT_EQ(LocalIdMap::Unbind(id), nullptr);
  // Unbind of an id in a chunk that never existed.
  EXPECT_EQ(LocalIdMap::Unbind(IdInAnUntouchedChunk(101)), nullptr);
}

TEST(LocalIdMapTest, UnboundIdCanBeBoundAgainEvenToAnotherType) {
  static RootA a;
  static RootB b;
  EbbId id = FreshId();
  ASSERT_EQ(LocalIdMap::Bind(id, &a, kTagA), nullptr);
  ASSERT_EQ(LocalIdMap::Unbind(id), &a);
  // Unbind cleared the type too.
  EXPECT_EQ(LocalIdMap::Bind(id, &b, kTagB), nullptr);
  EXPECT_EQ(LocalIdMap::Find(id, kTagB), &b);
  EXPECT_EQ(LocalIdMap::Unbind(id), &b);
}

TEST(LocalIdMapTest, IdsAcrossChunkBoundariesAreIndependent) {
  static RootA roots[4];
  const EbbId top = IdInAnUntouchedChunk(102);  // The last id of its chunk.
  const EbbId base = top - (LocalIdMap::kChunkSize - 1);
  const EbbId ids[] = {base - 1, base, base + LocalIdMap::kChunkSize - 1,
                       base + LocalIdMap::kChunkSize};
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(LocalIdMap::Bind(ids[i], &roots[i], kTagA), nullptr) << i;
  }
  for (int i = 0; i < 4; ++i) EXPECT_EQ(LocalIdMap::Find(ids[i], kTagA), &roots[i]) << i;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(LocalIdMap::Unbind(ids[i]), &roots[i]) << i;
}

}  // namespace
}  // namespace ebbrt
