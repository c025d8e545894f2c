// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the IOBuf cursors: builds a chain from the input (link boundaries chosen
// by the input too), then runs input-chosen reads and checks each against a flat copy of
// the same bytes. A successful read must return exactly the flat bytes at that offset; a
// failed one must be kOutOfRange, must only happen past the end, and must not move the
// cursor.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <memory>
#include <vector>

#include "ebbrt/base/check.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/iobuf/iobuf_cursor.h"

namespace {

using ebbrt::DataPointer;
using ebbrt::IOBuf;
using ebbrt::StatusCode;
using ebbrt::UniqueIOBuf;

struct Input {
  const uint8_t* data;
  size_t size;
  uint8_t Take() {
    if (size == 0) return 0;
    --size;
    return *data++;
  }
};

// Checks a read of `n` bytes at the cursor against the flat copy.
template <typename ReadFn>
void CheckRead(DataPointer& p, const std::vector<uint8_t>& flat, size_t n, ReadFn read) {
  size_t offset = p.Offset();
  EBBRT_CHECK(offset + p.Remaining() == flat.size());
  uint8_t got[16] = {};
  bool ok = read(got);
  if (offset + n <= flat.size()) {
    EBBRT_CHECK_MSG(ok, "in-bounds read failed");
    EBBRT_CHECK_MSG(n == 0 || memcmp(got, flat.data() + offset, n) == 0, "read returned wrong bytes");
    EBBRT_CHECK(p.Offset() == offset + n);
  } else {
    EBBRT_CHECK_MSG(!ok, "out-of-bounds read succeeded");
    EBBRT_CHECK_MSG(p.Offset() == offset, "failed read moved the cursor");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  // Layout: number of links, then each link's length (mod 64) and headroom; then the
  // payload bytes; then operations.
  size_t links = 1 + in.Take() % 8;
  std::unique_ptr<IOBuf> head;
  std::vector<uint8_t> flat;
  for (size_t i = 0; i < links; ++i) {
    size_t length = in.Take() % 64;
    size_t headroom = in.Take() % 4;
    auto link = UniqueIOBuf::Create(length + headroom, headroom);
    link->Append(length);
    for (size_t b = 0; b < length; ++b) {
      uint8_t byte = in.Take();
      link->MutableData()[b] = byte;
      flat.push_back(byte);
    }
    if (head == nullptr) {
      head = std::move(link);
    } else {
      head->AppendChain(std::move(link));
    }
  }
  EBBRT_CHECK(head->ComputeChainDataLength() == flat.size());
  EBBRT_CHECK(head->CountChainElements() == links);

  DataPointer p(head.get());
  while (in.size > 0) {
    switch (in.Take() % 7) {
      case 0:
        CheckRead(p, flat, 1, [&](uint8_t* out) {
          auto r = p.GetU8();
          if (r.ok()) out[0] = r.value();
          return r.ok();
        });
        break;
      case 1:
        CheckRead(p, flat, 2, [&](uint8_t* out) {
          auto r = p.GetBe16();
          if (!r.ok()) return false;
          uint16_t be = __builtin_bswap16(r.value());
          memcpy(out, &be, 2);
          return true;
        });
        break;
      case 2:
        CheckRead(p, flat, 4, [&](uint8_t* out) {
          auto r = p.GetBe32();
          if (!r.ok()) return false;
          uint32_t be = __builtin_bswap32(r.value());
          memcpy(out, &be, 4);
          return true;
        });
        break;
      case 3:
        CheckRead(p, flat, 8, [&](uint8_t* out) {
          auto r = p.GetBe64();
          if (!r.ok()) return false;
          uint64_t be = __builtin_bswap64(r.value());
          memcpy(out, &be, 8);
          return true;
        });
        break;
      case 4: {
        size_t n = in.Take() % 17;
        if (n > 16) n = 16;
        CheckRead(p, flat, n, [&](uint8_t* out) { return p.CopyOut(out, n).ok(); });
        break;
      }
      case 5: {
        size_t n = in.Take() % 40;
        size_t offset = p.Offset();
        auto status = p.Advance(n);
        if (offset + n <= flat.size()) {
          EBBRT_CHECK(status.ok() && p.Offset() == offset + n);
        } else {
          EBBRT_CHECK(status.code() == StatusCode::kOutOfRange && p.Offset() == offset);
        }
        break;
      }
      case 6: {
        size_t n = in.Take() % 17;
        uint8_t scratch[16];
        size_t offset = p.Offset();
        auto r = p.Peek(n, scratch);
        if (offset + n <= flat.size()) {
          EBBRT_CHECK(r.ok() && (n == 0 || memcmp(r.value(), flat.data() + offset, n) == 0));
        } else {
          EBBRT_CHECK(!r.ok());
        }
        EBBRT_CHECK(p.Offset() == offset);  // Peek never moves.
        break;
      }
    }
  }
  return 0;
}
