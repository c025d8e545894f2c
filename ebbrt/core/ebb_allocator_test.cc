// SPDX-License-Identifier: Apache-2.0
// EbbAllocator and the id space: local and global ids, and compile-time static ids.
#include "ebbrt/core/ebb_allocator.h"

#include <set>
#include <string>

#include "ebbrt/core/ebb_id.h"
#include "ebbrt/testing/int_to_string.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

// ---- The id ranges ----------------------------------------------------------------------

static_assert(kNullEbbId == 0);
static_assert(kFirstSystemId < kFirstStaticId && kFirstStaticId < kFirstLocalId &&
              kFirstLocalId < kFirstGlobalId && kFirstGlobalId < kMaxEbbIds);
static_assert(!IsStaticId(kFirstStaticId - 1) && IsStaticId(kFirstStaticId));
static_assert(IsStaticId(kFirstLocalId - 1) && !IsStaticId(kFirstLocalId));
static_assert(IsLocalId(kFirstLocalId) && IsLocalId(kFirstGlobalId - 1));
static_assert(!IsLocalId(kFirstGlobalId) && IsGlobalId(kFirstGlobalId));
static_assert(IsGlobalId(kMaxEbbIds - 1) && !IsGlobalId(kMaxEbbIds));
// The runtime's own ids are system ids: in none of the other ranges.
static_assert(!IsStaticId(kEventManagerId) && !IsLocalId(kTimerId) &&
              !IsGlobalId(kRcuManagerId));

// ---- StaticEbbId ------------------------------------------------------------------------

// A compile-time constant, usable as a template argument and in static_assert.
inline constexpr EbbId kStaticA = StaticEbbId("ebb_allocator_test.a");
static_assert(IsStaticId(kStaticA));
static_assert(StaticEbbId("ebb_allocator_test.a") == kStaticA);
static_assert(StaticEbbId("x") != StaticEbbId("y"));
template <EbbId kId>
struct NeedsAConstant {
  static constexpr EbbId value = kId;
};
static_assert(NeedsAConstant<StaticEbbId("memcached")>::value == StaticEbbId("memcached"));

// The documented function, written out independently: 32-bit FNV-1a folded into the
// static range.
EbbId ReferenceStaticId(const std::string& name) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 16777619u;
  }
  return kFirstStaticId + hash % (kFirstLocalId - kFirstStaticId);
}

TEST(StaticEbbIdTest, IsDeterministicAndMatchesFnv1a) {
  const char* names[] = {"", "a", "config", "memcached", "event_manager", "net.tcp",
                         "a much longer name with spaces and 123 digits"};
  for (const char* name : names) {
    // Computed at run time from a string built at run time: same answer.
    std::string copy = std::string(name);
    EXPECT_EQ(StaticEbbId(copy.c_str()), StaticEbbId(name)) << name;
    EXPECT_EQ(StaticEbbId(name), ReferenceStaticId(name)) << name;
    EXPECT_TRUE(IsStaticId(StaticEbbId(name))) << name;
  }
}

using testing_internal::IntToString;

TEST(StaticEbbIdTest, DifferentNamesUsuallyDiffer) {
  // Not a guarantee (collisions are possible and reported at registration), but a good
  // hash spreads these near-identical names over distinct ids.
  std::set<EbbId> ids;
  int names = 0;
  for (const char* base : {"service", "Service", "servic", "service_", "ecivres"}) {
    for (int i = 0; i < 6; ++i) {
      std::string name = std::string(base) + IntToString(i);
      ids.insert(StaticEbbId(name.c_str()));
      ++names;
    }
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(names));
  EXPECT_NE(StaticEbbId("ab"), StaticEbbId("ba"));
  EXPECT_NE(StaticEbbId("config"), StaticEbbId("config2"));
}

TEST(StaticEbbIdTest, StaysInTheStaticRangeForManyNames) {
  for (int i = 0; i < 10000; ++i) {
    std::string name = "n" + IntToString(i);
    EbbId id = StaticEbbId(name.c_str());
    ASSERT_GE(id, kFirstStaticId) << name;
    ASSERT_LT(id, kFirstLocalId) << name;
  }
}

// ---- Run-time allocation ------------------------------------------------------------------

TEST(EbbAllocatorTest, LocalIdsAreDistinctInRangeAndIncreasing) {
  EbbId previous = kNullEbbId;
  std::set<EbbId> seen;
  for (int i = 0; i < 1000; ++i) {
    Result<EbbId> id = EbbAllocator::AllocateLocal();
    ASSERT_TRUE(id.ok()) << StatusCodeName(id.status().code());
    EXPECT_TRUE(IsLocalId(*id)) << *id;
    EXPECT_GT(*id, previous);
    EXPECT_TRUE(seen.insert(*id).second) << "duplicate " << *id;
    previous = *id;
  }
}

TEST(EbbAllocatorTest, GlobalIdsAreDistinctInRangeAndIncreasing) {
  EbbId previous = kNullEbbId;
  for (int i = 0; i < 1000; ++i) {
    Result<EbbId> id = EbbAllocator::AllocateGlobal();
    ASSERT_TRUE(id.ok());
    EXPECT_TRUE(IsGlobalId(*id)) << *id;
    EXPECT_GT(*id, previous);
    previous = *id;
  }
}

TEST(EbbAllocatorTest, LocalAndGlobalRangesAreIndependent) {
  EbbId local = *EbbAllocator::AllocateLocal();
  EbbId global = *EbbAllocator::AllocateGlobal();
  EbbId local_after = *EbbAllocator::AllocateLocal();
  EXPECT_TRUE(IsLocalId(local));
  EXPECT_TRUE(IsGlobalId(global));
  // Allocating a global id did not consume a local one.
  EXPECT_EQ(local_after, local + 1);
}

}  // namespace
}  // namespace ebbrt
