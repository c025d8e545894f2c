// SPDX-License-Identifier: Apache-2.0
// The EbbRef hit path against the two usual ways of reaching an object indirectly.
//
//   bazel run -c opt //bench/runtime:ebb_ref_benchmark
//
// All three call the same method body (Work(): increment a member and clobber memory so
// nothing is folded or hoisted) on an object reached through a handle kept in a global:
//
//   BM_EbbRefMulticore     ref->Inc() on a MulticoreEbb whose rep is cached on this core
//   BM_EbbRefShared        ref->Inc() on a SharedEbb (local id), rep cached
//   BM_EbbRefSharedStatic  the same through a compile-time (static) id
//   BM_VirtualCall         base->Inc() through a base-class pointer (never devirtualized)
//   BM_SharedPtr           shared->Inc() through a std::shared_ptr
//
// Non-virtual calls inline the body; a virtual call cannot. The *OutOfLine variants call
// a [[gnu::noinline]] method instead, so the three paths differ only in how the object
// is found, not in whether the call is inlined.
//
//   BM_EbbRefMulticoreColdFault  diagnostic: the same MulticoreEbb, but its HandleFault is
//                                wrapped [[gnu::noinline, gnu::cold]] so the compiler
//                                inlines EbbRef's hit path (see docs/performance.md: at
//                                -O2 clang inlines MulticoreEbb::HandleFault into
//                                EbbRef::GetRep and then refuses to inline GetRep)
#include <stdint.h>

#include <memory>

#include "bench/runtime/bench_config.h"
#include "benchmark/benchmark.h"
#include "ebbrt/base/check.h"
#include "ebbrt/core/ebb_id.h"
#include "ebbrt/core/ebb_ref.h"
#include "ebbrt/core/multicore_ebb.h"
#include "ebbrt/core/shared_ebb.h"

namespace {

// The method body all variants share.
#define EBBRT_BENCH_WORK() \
  do {                     \
    ++count_;              \
    benchmark::ClobberMemory(); \
  } while (0)

class MulticoreCounter : public ebbrt::MulticoreEbb<MulticoreCounter> {
 public:
  void Inc() { EBBRT_BENCH_WORK(); }
  [[gnu::noinline]] void IncOutOfLine() { EBBRT_BENCH_WORK(); }

 private:
  uint64_t count_ = 0;
};

// The same, with the miss path kept out of line (what the fix in EbbRef would do).
class MulticoreCounterColdFault : public ebbrt::MulticoreEbb<MulticoreCounterColdFault> {
 public:
  [[gnu::noinline, gnu::cold]] static MulticoreCounterColdFault& HandleFault(ebbrt::EbbId id) {
    return MulticoreEbb::HandleFault(id);
  }
  void Inc() { EBBRT_BENCH_WORK(); }

 private:
  uint64_t count_ = 0;
};

class SharedCounter : public ebbrt::SharedEbb<SharedCounter> {
 public:
  void Inc() { EBBRT_BENCH_WORK(); }
  [[gnu::noinline]] void IncOutOfLine() { EBBRT_BENCH_WORK(); }

 private:
  uint64_t count_ = 0;
};

class Base {
 public:
  virtual ~Base() = default;
  virtual void Inc() = 0;
};

class Derived : public Base {
 public:
  void Inc() override { EBBRT_BENCH_WORK(); }

 private:
  uint64_t count_ = 0;
};

class Plain {
 public:
  void Inc() { EBBRT_BENCH_WORK(); }
  [[gnu::noinline]] void IncOutOfLine() { EBBRT_BENCH_WORK(); }

 private:
  uint64_t count_ = 0;
};

// Handles live in globals so every iteration loads them from memory, as a handle held in
// an object would be (ClobberMemory() in the body forces the reload).
ebbrt::EbbRef<MulticoreCounter> g_multicore;
ebbrt::EbbRef<MulticoreCounterColdFault> g_multicore_cold_fault;
ebbrt::EbbRef<SharedCounter> g_shared;
Base* g_base = nullptr;
std::shared_ptr<Plain> g_shared_ptr;

inline constexpr ebbrt::EbbId kStaticCounterId = ebbrt::StaticEbbId("bench_static_counter");
inline constexpr ebbrt::EbbRef<SharedCounter> kStaticCounter =
    SharedCounter::Static<kStaticCounterId>();

void SetUpHandles() {
  if (!g_multicore) {
    auto multicore = MulticoreCounter::Create();
    EBBRT_CHECK_OK(multicore);
    g_multicore = multicore.value();
    auto cold_fault = MulticoreCounterColdFault::Create();
    EBBRT_CHECK_OK(cold_fault);
    g_multicore_cold_fault = cold_fault.value();
    auto shared = SharedCounter::Create();
    EBBRT_CHECK_OK(shared);
    g_shared = shared.value();
    g_base = new Derived();
    g_shared_ptr = std::make_shared<Plain>();
  }
  // Fault the reps in on this core now, so the timed loop sees only the hit path.
  g_multicore->Inc();
  g_multicore_cold_fault->Inc();
  g_shared->Inc();
  kStaticCounter->Inc();
}

void BM_EbbRefMulticore(benchmark::State& state) {
  SetUpHandles();
  for (auto _ : state) g_multicore->Inc();
}
BENCHMARK(BM_EbbRefMulticore)->Apply(ebbrt_bench::Configure);

void BM_EbbRefMulticoreColdFault(benchmark::State& state) {
  SetUpHandles();
  for (auto _ : state) g_multicore_cold_fault->Inc();
}
BENCHMARK(BM_EbbRefMulticoreColdFault)->Apply(ebbrt_bench::Configure);

void BM_EbbRefShared(benchmark::State& state) {
  SetUpHandles();
  for (auto _ : state) g_shared->Inc();
}
BENCHMARK(BM_EbbRefShared)->Apply(ebbrt_bench::Configure);

void BM_EbbRefSharedStatic(benchmark::State& state) {
  SetUpHandles();
  for (auto _ : state) kStaticCounter->Inc();
}
BENCHMARK(BM_EbbRefSharedStatic)->Apply(ebbrt_bench::Configure);

void BM_VirtualCall(benchmark::State& state) {
  SetUpHandles();
  for (auto _ : state) g_base->Inc();
}
BENCHMARK(BM_VirtualCall)->Apply(ebbrt_bench::Configure);

void BM_SharedPtr(benchmark::State& state) {
  SetUpHandles();
  for (auto _ : state) g_shared_ptr->Inc();
}
BENCHMARK(BM_SharedPtr)->Apply(ebbrt_bench::Configure);

void BM_EbbRefMulticoreOutOfLine(benchmark::State& state) {
  SetUpHandles();
  for (auto _ : state) g_multicore->IncOutOfLine();
}
BENCHMARK(BM_EbbRefMulticoreOutOfLine)->Apply(ebbrt_bench::Configure);

void BM_EbbRefSharedOutOfLine(benchmark::State& state) {
  SetUpHandles();
  for (auto _ : state) g_shared->IncOutOfLine();
}
BENCHMARK(BM_EbbRefSharedOutOfLine)->Apply(ebbrt_bench::Configure);

void BM_SharedPtrOutOfLine(benchmark::State& state) {
  SetUpHandles();
  for (auto _ : state) g_shared_ptr->IncOutOfLine();
}
BENCHMARK(BM_SharedPtrOutOfLine)->Apply(ebbrt_bench::Configure);

}  // namespace
