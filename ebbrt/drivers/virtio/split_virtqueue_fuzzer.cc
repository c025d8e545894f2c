// SPDX-License-Identifier: Apache-2.0
// A device that writes anything into the used ring: whatever ids, lengths and indexes it
// returns, the driver side hands back only chains it gave out, with lengths within what
// the device may write, keeps every descriptor accounted for, and never crashes.
//
// Input: a stream of operations. 0: add a chain (next byte: 1-4 segments); 1: publish;
// 2: the device writes a used entry (next 8 bytes: id, length) and bumps its index; 3: the
// device sets its used index (next 2 bytes); 4: pop everything; 5/6: interrupts off/on.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <map>

#include "ebbrt/base/check.h"
#include "ebbrt/drivers/virtio/fake_virtio_device.h"
#include "ebbrt/drivers/virtio/split_virtqueue.h"

namespace {

constexpr uint16_t kSize = 16;
alignas(ebbrt::virtio::SplitVirtqueue::kAlignment) uint8_t g_ring[ebbrt::virtio::SplitVirtqueue::RingBytes(kSize)];
uint8_t g_buffer[256];

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ebbrt::virtio::BufferSegment;
  ebbrt::virtio::SplitVirtqueue queue(g_ring, kSize, size > 0 && (data[0] & 1) != 0);
  ebbrt::virtio::FakeVirtqueueDevice device(g_ring, kSize, size > 0 && (data[0] & 1) != 0);
  std::map<uintptr_t, size_t> out;  // token of each chain given out -> its descriptors
  size_t out_descriptors = 0;
  uintptr_t next_token = 1;
  size_t i = 1;
  auto take = [&](size_t n, void* to) {
    uint8_t bytes[8] = {};
    memcpy(bytes, data + i, i + n <= size ? n : size - i);
    memcpy(to, bytes, n);
    i = i + n <= size ? i + n : size;
  };
  auto pop_all = [&] {
    while (std::optional<ebbrt::virtio::UsedBuffer> used = queue.PopUsed()) {
      auto it = out.find(reinterpret_cast<uintptr_t>(used->token));
      EBBRT_CHECK_MSG(it != out.end(), "a token that was not out came back");
      out_descriptors -= it->second;
      out.erase(it);
      EBBRT_CHECK_MSG(used->length <= 4 * sizeof(g_buffer), "length beyond the chain");
    }
  };
  while (i < size) {
    const uint8_t op = data[i++] % 7;
    switch (op) {
      case 0: {
        uint8_t n = 0;
        take(1, &n);
        BufferSegment segments[4];
        const size_t count = 1 + n % 4;
        for (size_t s = 0; s < count; ++s) {
          segments[s] = {.address = reinterpret_cast<uintptr_t>(g_buffer), .length = sizeof(g_buffer),
                         .device_writes = s + 1 == count};
        }
        if (queue.Add(std::span<const BufferSegment>(segments, count), reinterpret_cast<void*>(next_token)).ok()) {
          out[next_token] = count;
          out_descriptors += count;
        }
        ++next_token;
        break;
      }
      case 1:
        (void)queue.Publish();
        break;
      case 2: {
        uint32_t id = 0, length = 0;
        take(4, &id);
        take(4, &length);
        (void)device.PutUsed(static_cast<uint16_t>(id % 64), length);  // ids past the table too
        break;
      }
      case 3: {
        uint16_t index = 0;
        take(2, &index);
        device.SetUsedIndex(index);
        break;
      }
      case 4:
        pop_all();
        break;
      case 5:
        queue.DisableInterrupts();
        break;
      case 6:
        (void)queue.EnableInterrupts();
        break;
    }
    EBBRT_CHECK_MSG(queue.outstanding() + queue.free_descriptors() == kSize, "descriptors lost");
    EBBRT_CHECK_MSG(queue.outstanding() == out_descriptors, "outstanding count wrong");
  }
  pop_all();
  return 0;
}
