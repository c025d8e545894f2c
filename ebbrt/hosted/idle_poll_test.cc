// SPDX-License-Identifier: Apache-2.0
// Idle polling (idle_poll.h) changes how a core waits, never what it wakes up for: fd
// events, remote spawns and timers all still arrive, and a core left idle still sleeps.
#include "ebbrt/hosted/idle_poll.h"

#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <atomic>

#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "ebbrt/hosted/fd_watch.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

class IdlePollTest : public ::testing::Test {
 protected:
  void SetUp() override { hosted::SetIdlePoll({.poll_ns = 200'000}); }
  void TearDown() override { hosted::SetIdlePoll({}); }
};

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

TEST_F(IdlePollTest, RemoteSpawnsPingPong) {
  std::atomic<int> rounds{0};
  ebbrt::Run(2, [&] {
    struct Ping {
      static void Hop(std::atomic<int>* rounds) {
        if (rounds->fetch_add(1) + 1 == 2000) {
          Stop();
          return;
        }
        SpawnRemote([rounds] { Hop(rounds); }, 1 - MyCore());
      }
    };
    Ping::Hop(&rounds);
  });
  EXPECT_EQ(rounds.load(), 2000);
}

TEST_F(IdlePollTest, TimersFireWhilePolling) {
  int fired = 0;
  ebbrt::Run(1, [&] {
    for (int i = 1; i <= 5; ++i) {
      timer->Start(static_cast<uint64_t>(i) * 1'000'000, [&fired, i] {
        ++fired;
        if (i == 5) Stop();
      });
    }
  });
  EXPECT_EQ(fired, 5);
}

TEST_F(IdlePollTest, FdEventsArriveWhilePolling) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  char got = 0;
  ebbrt::Run(1, [&] {
    ASSERT_TRUE(hosted::WatchFd(fds[0], EPOLLIN, [&](uint32_t) {
                  ASSERT_EQ(read(fds[0], &got, 1), 1);
                  (void)hosted::UnwatchFd(fds[0]);
                  Stop();
                }).ok());
    // Written from a timer 3 ms later, after the core has polled and gone to sleep.
    timer->Start(3'000'000, [&] { ASSERT_EQ(write(fds[1], "x", 1), 1); });
  });
  close(fds[0]);
  close(fds[1]);
  EXPECT_EQ(got, 'x');
}

TEST_F(IdlePollTest, AnIdleCoreStillSleeps) {
  // 100 ms with nothing to do but one timer: the core polls 0.2 ms and then blocks, so
  // it burns a small part of the time, not all of it. Bound generously (shared machine).
  double before = ProcessCpuSeconds();
  ebbrt::Run(1, [] { timer->Start(100'000'000, [] { Stop(); }); });
  EXPECT_LT(ProcessCpuSeconds() - before, 0.05);
}

}  // namespace
}  // namespace ebbrt
