// SPDX-License-Identifier: Apache-2.0
// RCU: a callback runs only after every core finished the events running when it was
// queued.
#include <atomic>

#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/testing/require_cores.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

TEST(RcuTest, CallbackWaitsForAnEventRunningOnAnotherCore) {
  EBBRT_REQUIRE_CORES(2);
  std::atomic<bool> reader_inside{false};
  std::atomic<bool> reader_done{false};
  std::atomic<bool> callback_saw_reader_done{false};
  std::atomic<bool> release_reader{false};
  ebbrt::Run(2, [&] {
    // Core 1 runs a long "read-side" event: it spins until released.
    SpawnRemote(
        [&] {
          reader_inside = true;
          while (!release_reader.load()) __builtin_ia32_pause();
          reader_done = true;
        },
        1);
    while (!reader_inside.load()) __builtin_ia32_pause();
    // Core 0: the reader is mid-event, so the grace period cannot end before it does.
    SpawnLocal([&] {
      CallRcu([&] {
        callback_saw_reader_done = reader_done.load();
        Stop();
      });
      // Release the reader a little later, from a timer on this core.
      timer->Start(5'000'000, [&] { release_reader = true; });
    });
  });
  EXPECT_TRUE(callback_saw_reader_done.load());
}

TEST(RcuTest, CallbacksRunOnTheCallingCoreEvenWithIdleCores) {
  EBBRT_REQUIRE_CORES(4);
  // Idle (sleeping) cores are quiescent: the grace period must end without waking them.
  std::atomic<size_t> ran_on{99};
  ebbrt::Run(4, [&] {
    SpawnRemote([&] { CallRcu([&] {
                        ran_on = MyCore();
                        Stop();
                      }); },
                2);
  });
  EXPECT_EQ(ran_on.load(), 2u);
}

TEST(RcuTest, ManyCallbacksAllRunExactlyOnce) {
  EBBRT_REQUIRE_CORES(3);
  constexpr int kCallbacks = 1000;
  std::atomic<int> ran{0};
  ebbrt::Run(3, [&] {
    for (size_t core = 0; core < 3; ++core) {
      SpawnRemote(
          [&] {
            for (int i = 0; i < kCallbacks; ++i) {
              CallRcu([&] {
                if (ran.fetch_add(1) + 1 == 3 * kCallbacks) Stop();
              });
            }
          },
          core);
    }
  });
  EXPECT_EQ(ran.load(), 3 * kCallbacks);
}

TEST(RcuTest, RemovedObjectIsFreedOnlyAfterReadersMovedOn) {
  EBBRT_REQUIRE_CORES(2);
  // The classic use: unpublish a pointer, CallRcu the delete. A reader on another core
  // that loaded the old pointer keeps using it until its event ends.
  struct Node {
    std::atomic<int> value{1};
  };
  std::atomic<Node*> published{new Node()};
  std::atomic<bool> reader_has_pointer{false};
  std::atomic<bool> reader_finished{false};
  std::atomic<bool> freed_too_early{false};
  std::atomic<bool> go{false};
  ebbrt::Run(2, [&] {
    SpawnRemote(
        [&] {
          Node* n = published.load();
          reader_has_pointer = true;
          while (!go.load()) __builtin_ia32_pause();
          EXPECT_EQ(n->value.load(), 1);  // Still valid: the free waits for this event.
          reader_finished = true;
        },
        1);
    while (!reader_has_pointer.load()) __builtin_ia32_pause();
    Node* old = published.exchange(nullptr);
    CallRcu([&, old] {
      if (!reader_finished.load()) freed_too_early = true;
      delete old;
      Stop();
    });
    timer->Start(3'000'000, [&] { go = true; });
  });
  EXPECT_FALSE(freed_too_early.load());
}

}  // namespace
}  // namespace ebbrt
