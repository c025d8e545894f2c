// SPDX-License-Identifier: Apache-2.0
#include "bench/memcached/workload.h"

#include <math.h>

#include <set>
#include <string>

#include "bench/memcached/rng.h"
#include "gtest/gtest.h"

namespace mcbench {
namespace {

TEST(EtcTest, SmallValueTableMatchesThePaperHead) {
  double total = 0;
  for (const auto& s : kEtcSmallValues) total += s.probability;
  EXPECT_NEAR(total, 0.44155, 1e-9);
}

TEST(EtcTest, InverseCdfsInvertTheCdfs) {
  for (double u : {0.01, 0.25, 0.5, 0.9, 0.999}) {
    double x = GpdInverseCdf(u, 0, kEtcValueGpdSigma, kEtcValueGpdK);
    EXPECT_NEAR(GpdCdf(x, 0, kEtcValueGpdSigma, kEtcValueGpdK), u, 1e-9);
    double k = GevInverseCdf(u, kEtcKeyGevMu, kEtcKeyGevSigma, kEtcKeyGevK);
    double gev_cdf =
        exp(-pow(1 + kEtcKeyGevK * (k - kEtcKeyGevMu) / kEtcKeyGevSigma, -1 / kEtcKeyGevK));
    EXPECT_NEAR(gev_cdf, u, 1e-9);
  }
}

TEST(EtcTest, SampleStatistics) {
  Rng rng(42);
  constexpr int kN = 200000;
  int small = 0;
  double tail_sum = 0;
  int tail_n = 0;
  uint32_t max_seen = 0;
  double key_sum = 0;
  for (int i = 0; i < kN; ++i) {
    uint32_t v = EtcValueSize(rng.Uniform(), rng.Uniform(), 65536);
    ASSERT_LE(v, 65536u);
    if (v < kEtcValueTailStart) {
      ++small;
    } else {
      tail_sum += v - kEtcValueTailStart;
      ++tail_n;
    }
    if (v > max_seen) max_seen = v;
    uint32_t k = EtcKeySize(rng.Uniform(), 5);
    ASSERT_GE(k, 5u);
    ASSERT_LE(k, kMaxKeySize);
    key_sum += k;
  }
  EXPECT_NEAR(static_cast<double>(small) / kN, 0.44155, 0.01);
  // GPD mean sigma / (1 - k) = 329.1; the tail is heavy, so allow a few percent.
  EXPECT_NEAR(tail_sum / tail_n, kEtcValueGpdSigma / (1 - kEtcValueGpdK), 20);
  // GEV mean mu + sigma (Gamma(1 - k) - 1) / k = 35.9 bytes.
  double gev_mean = kEtcKeyGevMu + kEtcKeyGevSigma * (tgamma(1 - kEtcKeyGevK) - 1) / kEtcKeyGevK;
  EXPECT_NEAR(key_sum / kN, gev_mean, 0.5);
  EXPECT_GT(max_seen, 5000u);  // the long tail shows up
}

TEST(EtcTest, TruncationIsRespected) {
  Rng rng(7);
  for (int i = 0; i < 100000; ++i) {
    ASSERT_LE(EtcValueSize(rng.Uniform(), rng.Uniform(), 100), 100u);
    ASSERT_LE(EtcValueSize(rng.Uniform(), rng.Uniform(), 10), 10u);
  }
  EXPECT_EQ(EtcValueSize(0.999, 0.999999999, 1000), 1000u);
}

TEST(WorkloadTest, FixedSizes) {
  WorkloadOptions o;
  o.keys = 1000;
  o.key_size = 10;
  o.value_size = 100;
  Workload w;
  std::string error;
  ASSERT_TRUE(Workload::Create(o, &w, &error)) << error;
  std::set<std::string> keys;
  for (uint32_t i = 0; i < w.num_keys(); ++i) {
    ASSERT_EQ(w.key(i).size(), 10u);
    ASSERT_EQ(w.value(i).size(), 100u);
    keys.insert(std::string(w.key(i)));
  }
  EXPECT_EQ(keys.size(), 1000u);
  EXPECT_EQ(w.key(42), "0000000042");
  EXPECT_NE(w.value(1), w.value(2));
  for (char c : w.value(3)) ASSERT_TRUE(isalnum(static_cast<unsigned char>(c)));
}

TEST(WorkloadTest, EtcSizesAreDeterministicAndUnique) {
  WorkloadOptions o;
  o.keys = 20000;
  o.key_dist = SizeDist::kEtc;
  o.value_dist = SizeDist::kEtc;
  o.value_max = 4096;
  Workload a;
  Workload b;
  std::string error;
  ASSERT_TRUE(Workload::Create(o, &a, &error)) << error;
  ASSERT_TRUE(Workload::Create(o, &b, &error)) << error;
  std::set<std::string> keys;
  for (uint32_t i = 0; i < a.num_keys(); ++i) {
    ASSERT_EQ(a.key(i), b.key(i));
    ASSERT_EQ(a.value_size(i), b.value_size(i));
    ASSERT_LE(a.value_size(i), 4096u);
    keys.insert(std::string(a.key(i)));
  }
  EXPECT_EQ(keys.size(), 20000u);
  EXPECT_NEAR(a.mean_key_size(), 35.9, 1.0);
}

TEST(WorkloadTest, RejectsKeysTooShortForTheirNumbers) {
  WorkloadOptions o;
  o.keys = 100000;
  o.key_size = 4;
  Workload w;
  std::string error;
  EXPECT_FALSE(Workload::Create(o, &w, &error));
  EXPECT_NE(error.find("--key-size"), std::string::npos);
}

}  // namespace
}  // namespace mcbench
