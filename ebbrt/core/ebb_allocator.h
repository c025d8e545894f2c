// SPDX-License-Identifier: Apache-2.0
// EbbAllocator: hands out Ebb ids from the local and global ranges (see ebb_id.h).
//
// Local ids name Ebbs of this machine. Global ids name Ebbs shared by the nodes of one
// application; until a GlobalIdMap coordinates them between nodes (not written yet), the
// global range is allocated per machine like the local one (documented, not hidden).
// Static ids need no allocation: StaticEbbId("name") in ebb_id.h.
//
//   EbbId id = EBBRT_TRY(EbbAllocator::AllocateLocal());
#pragma once

#include "ebbrt/base/result.h"
#include "ebbrt/core/ebb_id.h"

namespace ebbrt {

class EbbAllocator {
 public:
  // kResourceExhausted once the range is used up; ids are not reused.
  static Result<EbbId> AllocateLocal();
  static Result<EbbId> AllocateGlobal();
};

}  // namespace ebbrt
