#include "tools/bench/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace infobus::bench {
namespace {

// The exact percentile of sorted values, same definition as Histogram::Percentile.
int64_t ExactPercentile(const std::vector<int64_t>& sorted, double percentile) {
  const auto rank = static_cast<size_t>(
      std::max(1.0, std::ceil(percentile / 100.0 * static_cast<double>(sorted.size()) - 1e-9)));
  return sorted[rank - 1];
}

TEST(Histogram, EmptyReportsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.Percentile(50), 0);
  EXPECT_EQ(h.Percentile(99.9), 0);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int64_t v = 1; v <= 1000; ++v) h.Record(v);
  EXPECT_EQ(h.Percentile(50), 500);
  EXPECT_EQ(h.Percentile(99), 990);
  EXPECT_EQ(h.Percentile(99.9), 999);
  EXPECT_EQ(h.Percentile(100), 1000);
  EXPECT_EQ(h.Percentile(0), 1);
  EXPECT_DOUBLE_EQ(h.mean(), 500.5);
}

TEST(Histogram, SingleValueIsEveryPercentile) {
  Histogram h;
  h.Record(123456789);
  for (double p : {1.0, 50.0, 99.0, 99.9, 100.0}) EXPECT_EQ(h.Percentile(p), 123456789) << p;
}

TEST(Histogram, BucketsAreContiguousAndTight) {
  for (int i = 1; i < Histogram::BucketCount(); ++i) {
    ASSERT_EQ(Histogram::BucketLowest(i), Histogram::BucketHighest(i - 1) + 1) << i;
    const int64_t lowest = Histogram::BucketLowest(i);
    const int64_t width = Histogram::BucketHighest(i) - lowest + 1;
    // Relative width never above 1/1024: three significant digits.
    ASSERT_LE(width * 1024, std::max<int64_t>(lowest, 1024)) << i;
  }
  for (int64_t v : {int64_t{0}, int64_t{2047}, int64_t{2048}, int64_t{4095}, int64_t{4096},
                    int64_t{1000003}, Histogram::kMaxValue}) {
    const int i = Histogram::BucketIndex(v);
    EXPECT_LE(Histogram::BucketLowest(i), v);
    EXPECT_GE(Histogram::BucketHighest(i), v);
  }
}

TEST(Histogram, PercentilesOfARandomLatencyMixWithinPrecision) {
  // Log-normal-ish latencies from 10 us to seconds, the shape a benchmark sees.
  std::mt19937_64 random(42);
  std::lognormal_distribution<double> dist(std::log(2e6), 1.0);
  std::vector<int64_t> values;
  Histogram h;
  for (int i = 0; i < 200000; ++i) {
    const auto v = static_cast<int64_t>(dist(random)) + 10000;
    values.push_back(v);
    h.Record(v);
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    const int64_t exact = ExactPercentile(values, p);
    const int64_t got = h.Percentile(p);
    EXPECT_GE(got, exact) << p;  // the bucket's highest value: never under-reports
    EXPECT_LE(static_cast<double>(got - exact), exact / 1000.0) << p;
  }
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.Percentile(100), values.back());
}

TEST(Histogram, TailPercentilesSeeTheOutliers) {
  // 1% of values 1000x slower: p99 must be fast, p99.9 slow. This is what coordinated omission
  // would hide, so the histogram must not.
  Histogram h;
  for (int i = 0; i < 9900; ++i) h.Record(1000000);
  for (int i = 0; i < 100; ++i) h.Record(1000000000);
  EXPECT_LE(h.Percentile(99), 1001000);
  EXPECT_GE(h.Percentile(99.9), 999000000);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (int64_t v = 0; v < 50000; v += 7) {
    (v % 2 ? a : b).Record(v * 1000);
    all.Record(v * 1000);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double p : {50.0, 99.0, 99.9}) EXPECT_EQ(a.Percentile(p), all.Percentile(p));
}

TEST(Histogram, ClampsOutOfRangeValues) {
  Histogram h;
  h.Record(-5);
  h.Record(Histogram::kMaxValue * 4);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), Histogram::kMaxValue);
  h.Reset();
  EXPECT_EQ(h.count(), 0);
  EXPECT_EQ(h.Percentile(50), 0);
}

}  // namespace
}  // namespace infobus::bench
