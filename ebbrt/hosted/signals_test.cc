// SPDX-License-Identifier: Apache-2.0
// SIGTERM/SIGINT become an event on the core that asked (signals.h), whichever thread
// the kernel delivers them to, and the old dispositions are back once the run is over.
#include "ebbrt/hosted/signals.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

#include "ebbrt/core/cpu.h"
#include "ebbrt/event/event_manager.h"
#include "ebbrt/event/run.h"
#include "ebbrt/event/timer.h"
#include "gtest/gtest.h"

namespace ebbrt {
namespace {

// A signal that never arrives fails the test instead of hanging it.
constexpr uint64_t kGiveUpNs = 5'000'000'000;
constexpr int kGaveUp = 99;

bool HasDefaultDisposition(int signo) {
  struct sigaction current = {};
  sigaction(signo, nullptr, &current);
  return current.sa_handler == SIG_DFL;
}

TEST(SignalsTest, SigtermFromAnotherCoreRunsTheHandlerOnTheInstallingCore) {
  std::atomic<size_t> handled_on{kMaxCores};
  std::atomic<int> handled_signal{0};
  int status = ebbrt::Run(2, [&] {
    Status installed = hosted::OnTerminationSignal([&](int signo) {
      handled_on = MyCore();
      handled_signal = signo;
      Stop(0);
    });
    if (!installed.ok()) {
      ADD_FAILURE() << StatusText(installed).c_str();
      Stop(1);
      return;
    }
    timer->Start(kGiveUpNs, [] { Stop(kGaveUp); });
    // Sent from core 1's thread; delivered to whichever thread the kernel picks.
    SpawnRemote([] { kill(getpid(), SIGTERM); }, 1);
  });
  EXPECT_EQ(status, 0);
  EXPECT_EQ(handled_signal.load(), SIGTERM);
  EXPECT_EQ(handled_on.load(), 0u);
  EXPECT_TRUE(HasDefaultDisposition(SIGTERM));
  EXPECT_TRUE(HasDefaultDisposition(SIGINT));
}

TEST(SignalsTest, SigintTooAndEachSignalOnce) {
  std::atomic<int> sigints{0};
  int status = ebbrt::Run(1, [&] {
    Status installed = hosted::OnTerminationSignal([&](int signo) {
      if (signo == SIGINT && sigints.fetch_add(1) + 1 == 2) Stop(0);
    });
    if (!installed.ok()) {
      ADD_FAILURE() << StatusText(installed).c_str();
      Stop(1);
      return;
    }
    timer->Start(kGiveUpNs, [] { Stop(kGaveUp); });
    kill(getpid(), SIGINT);
    // The second one after the first was handled (two pending ones may merge).
    timer->Start(50'000'000, [] { kill(getpid(), SIGINT); });
  });
  EXPECT_EQ(status, 0);
  EXPECT_EQ(sigints.load(), 2);
}

TEST(SignalsTest, OneHandlerAtATimeAndAgainInTheNextRun) {
  for (int run = 0; run < 2; ++run) {
    int status = ebbrt::Run(1, [] {
      EXPECT_TRUE(hosted::OnTerminationSignal([](int) { Stop(0); }).ok());
      Status second = hosted::OnTerminationSignal([](int) {});
      EXPECT_EQ(second.code(), StatusCode::kAlreadyExists);
      timer->Start(kGiveUpNs, [] { Stop(kGaveUp); });
      kill(getpid(), SIGTERM);
    });
    EXPECT_EQ(status, 0) << "run " << run;
  }
}

}  // namespace
}  // namespace ebbrt
