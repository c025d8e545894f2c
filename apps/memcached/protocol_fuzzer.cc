// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the memcached protocols: arbitrary bytes, arbitrarily chunked, into two
// sessions over one small real store (so eviction, expiry and too-large paths run), with
// an injected clock the input moves. After every Receive it checks:
//   * the store's structure and accounting (ItemStore::CheckConsistency: every item in
//     its bucket and CLOCK ring, no duplicate keys, counts and bytes agreeing, bytes <=
//     the memory limit);
//   * the session's output framing: an ASCII reply ends with "\r\n"; a binary reply is a
//     sequence of whole responses (magic 0x81, body lengths adding up);
//   * nothing is sent after Close, Close comes once.
// Sanitizers (--config=fuzz: ASan + UBSan) catch the rest.
//
// Input: byte 0 picks the memory limit and item size limit; then chunks of
// [length][control][length bytes]: control picks the session, how far the clock moves
// before the chunk, and where the chunk is split into a two-link chain.
//
// The store frees items through ebbrt::CallRcu, which needs an EbbRT core: the process
// starts one runtime with one core on a background thread the first time it is needed,
// and every input runs as an event there. The input is done (and every item it unlinked
// freed) when an RCU callback queued after it has run. Starting a runtime per input
// would cost a thread start and join per execution.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "apps/memcached/session.h"
#include "apps/memcached/store.h"
#include "ebbrt/base/check.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/iobuf/iobuf.h"

namespace {

using ebbrt::IOBuf;
using ebbrt::UniqueIOBuf;

std::atomic<int64_t> g_now{1'700'000'000};
int64_t FuzzClock() { return g_now.load(std::memory_order_relaxed); }

class CheckingSink : public memcached::ReplySink {
 public:
  void Send(std::unique_ptr<IOBuf> reply) override {
    EBBRT_CHECK_MSG(!closed_, "Send after Close");
    EBBRT_CHECK(reply != nullptr);
    size_t length = reply->ComputeChainDataLength();
    EBBRT_CHECK_MSG(length > 0, "empty reply");
    flat_.reset(new uint8_t[length]);
    size_t at = 0;
    for (const IOBuf& link : *reply) {
      if (link.length() > 0) memcpy(flat_.get() + at, link.data(), link.length());
      at += link.length();
    }
    if (binary_) {
      CheckBinaryFraming(flat_.get(), length);
    } else {
      EBBRT_CHECK_MSG(length >= 2 && flat_[length - 2] == '\r' && flat_[length - 1] == '\n',
                      "ASCII reply not ending in CRLF");
    }
  }
  void Close() override {
    EBBRT_CHECK_MSG(!closed_, "Close twice");
    closed_ = true;
  }
  void set_binary(bool binary) { binary_ = binary; }

 private:
  static void CheckBinaryFraming(const uint8_t* p, size_t length) {
    size_t at = 0;
    while (at < length) {
      EBBRT_CHECK_MSG(length - at >= 24, "truncated binary response header");
      EBBRT_CHECK_MSG(p[at] == 0x81, "bad response magic");
      uint32_t body = (uint32_t{p[at + 8]} << 24) | (uint32_t{p[at + 9]} << 16) |
                      (uint32_t{p[at + 10]} << 8) | p[at + 11];
      uint16_t key = static_cast<uint16_t>((p[at + 2] << 8) | p[at + 3]);
      EBBRT_CHECK_MSG(uint32_t{key} + p[at + 4] <= body, "response key/extras past its body");
      EBBRT_CHECK_MSG(length - at - 24 >= body, "truncated binary response body");
      at += 24 + body;
    }
  }

  std::unique_ptr<uint8_t[]> flat_;
  bool closed_ = false;
  bool binary_ = false;
};

struct Input {
  const uint8_t* data;
  size_t size;
  uint8_t Take() {
    if (size == 0) return 0;
    --size;
    return *data++;
  }
};

void RunInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  uint8_t config_byte = in.Take();
  static constexpr size_t kMemory[] = {8 * 1024, 32 * 1024, 256 * 1024, 4 << 20};
  static constexpr size_t kItemSize[] = {128, 1024, 4096, 1 << 20};
  memcached::StoreConfig config;
  config.memory_limit_bytes = kMemory[config_byte & 3];
  config.item_size_limit = kItemSize[(config_byte >> 2) & 3];
  config.clock = &FuzzClock;
  config.hash_buckets = 1024;
  g_now = 1'700'000'000;

  auto store = std::make_unique<memcached::ItemStore>(config);
  CheckingSink sinks[2];
  std::unique_ptr<memcached::Session> sessions[2];
  bool started[2] = {false, false};
  for (int i = 0; i < 2; ++i) {
    sessions[i] = std::make_unique<memcached::Session>(*store, sinks[i]);
  }

  static constexpr int64_t kClockSteps[] = {0, 1, 13, 3'000'000};
  while (in.size > 0) {
    size_t length = in.Take();
    uint8_t control = in.Take();
    if (length > in.size) length = in.size;
    int which = (control >> 2) & 1;
    g_now += kClockSteps[control & 3];
    if (length == 0) continue;
    if (!started[which]) {
      started[which] = true;
      sinks[which].set_binary(in.data[0] == 0x80);
    }
    size_t split = (static_cast<size_t>(control >> 3) * length) / 32;
    std::unique_ptr<IOBuf> chain = UniqueIOBuf::CopyOf(in.data, split == 0 ? length : split);
    if (split != 0) chain->AppendChain(UniqueIOBuf::CopyOf(in.data + split, length - split));
    in.data += length;
    in.size -= length;
    sessions[which]->Receive(std::move(chain));

    ebbrt::Status status = store->CheckConsistency();
    EBBRT_CHECK_MSG(status.ok(), status.message());
  }
  memcached::StoreStats stats = store->Stats();
  EBBRT_CHECK(stats.bytes <= config.memory_limit_bytes);
  EBBRT_CHECK(stats.get_hits + stats.get_misses == stats.cmd_get);
  EBBRT_CHECK(stats.touch_hits + stats.touch_misses == stats.cmd_touch);
  sessions[0].reset();
  sessions[1].reset();
}

// --- The persistent runtime ----------------------------------------------------------------

std::once_flag g_runtime_once;
std::atomic<bool> g_runtime_up{false};

void EnsureRuntime() {
  std::call_once(g_runtime_once, [] {
    std::thread([] {
      ebbrt::Run(1, [] { g_runtime_up = true; });  // the core then idles, forever
    }).detach();
    while (!g_runtime_up.load()) std::this_thread::yield();
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  EnsureRuntime();
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  ebbrt::EventManager::SpawnOnCore(
      [&] {
        RunInput(data, size);
        // Queued after every item this input unlinked: when it runs, they are freed.
        ebbrt::CallRcu([&] {
          std::lock_guard<std::mutex> lock(mutex);
          done = true;
          cv.notify_one();
        });
        // Keep the loop busy for one more turn: the grace period (one core) is over at
        // the next RcuPoll, but an idle loop would first sleep its 1 ms RCU poll interval.
        ebbrt::SpawnLocal([] {});
      },
      0);
  std::unique_lock<std::mutex> lock(mutex);
  cv.wait(lock, [&] { return done; });
  return 0;
}
