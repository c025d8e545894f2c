// SPDX-License-Identifier: Apache-2.0
// The Internet checksum (checksum.h) beside the byte-at-a-time reference its test checks
// it against (two bytes per step, RFC 1071 §4.1's loop), on packet sizes, flat and as a
// chain whose links have odd lengths. Results: docs/performance.md.
//
//   bazel run -c opt //ebbrt/net/wire:checksum_benchmark
#include <stddef.h>
#include <stdint.h>

#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "ebbrt/iobuf/iobuf.h"
#include "ebbrt/net/wire/checksum.h"
#include "ebbrt/net/wire/wire_testing.h"

namespace {

std::vector<uint8_t> Data(size_t n) {
  std::vector<uint8_t> bytes(n);
  uint32_t x = 12345;
  for (auto& b : bytes) b = static_cast<uint8_t>(x = x * 1103515245 + 12345);
  return bytes;
}

void BM_ReferenceChecksum(benchmark::State& state) {
  auto bytes = Data(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(
        ebbrt::net::wire::testing::ReferenceChecksum(bytes.data(), bytes.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_InternetChecksum(benchmark::State& state) {
  auto bytes = Data(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(ebbrt::net::wire::InternetChecksum(bytes.data(), bytes.size()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

// A 14-byte header link, then the rest in links of 1023 bytes: every link after the
// first starts at an even offset, every second one after an odd-length link.
void BM_InternetChecksumChain(benchmark::State& state) {
  size_t n = static_cast<size_t>(state.range(0));
  auto bytes = Data(n);
  std::unique_ptr<ebbrt::IOBuf> chain;
  for (size_t at = 0; at < n;) {
    size_t len = at == 0 ? (n < 14 ? n : 14) : (n - at < 1023 ? n - at : 1023);
    auto link = ebbrt::UniqueIOBuf::CopyOf(bytes.data() + at, len);
    if (chain == nullptr) {
      chain = std::move(link);
    } else {
      chain->AppendChain(std::move(link));
    }
    at += len;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(ebbrt::net::wire::InternetChecksum(*chain, 0, n));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

BENCHMARK(BM_ReferenceChecksum)->Arg(64)->Arg(1500)->Arg(9000);
BENCHMARK(BM_InternetChecksum)->Arg(64)->Arg(1500)->Arg(9000);
BENCHMARK(BM_InternetChecksumChain)->Arg(1500)->Arg(9000);

}  // namespace

BENCHMARK_MAIN();
