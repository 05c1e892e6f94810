#include "services/supervision/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace infobus::supervision {
namespace {

TEST(LatencyHistogramTest, EveryValueIsWithinOneThirtySecondOfItsBucketsMidpoint) {
  for (int64_t ms : {0L, 1L, 15L, 16L, 31L, 32L, 33L, 100L, 999L, 1000L, 65'432L, 3'600'000L,
                     86'400'000L * 30}) {
    const absl::Duration value = absl::Milliseconds(ms);
    const absl::Duration mid = BucketMidpoint(LatencyBucket(value));
    if (ms < 16) {
      EXPECT_EQ(mid, value) << ms;
    } else {
      EXPECT_LE(std::abs(absl::FDivDuration(mid - value, value)), 1.0 / 32) << ms;
    }
  }
  // Buckets keep the order of values.
  EXPECT_LT(LatencyBucket(absl::Milliseconds(999)), LatencyBucket(absl::Milliseconds(1100)));
  EXPECT_EQ(LatencyBucket(-absl::Seconds(3)), 0);
}

TEST(LatencyHistogramTest, QuantilesAreWithinFourPercentOfTheExactOnes) {
  std::mt19937 random(7);
  std::lognormal_distribution<double> seconds(4.0, 1.5);
  std::vector<absl::Duration> values;
  google::protobuf::Map<int32_t, int64_t> histogram;
  for (int i = 0; i < 5000; ++i) {
    const absl::Duration value = absl::Milliseconds(static_cast<int64_t>(seconds(random) * 1000));
    values.push_back(value);
    ++histogram[LatencyBucket(value)];
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99}) {
    const absl::Duration exact =
        values[static_cast<size_t>(std::ceil(q * values.size())) - 1];
    const absl::Duration estimate = Quantile(histogram, q);
    EXPECT_LE(std::abs(absl::FDivDuration(estimate - exact, exact)), 0.04) << q;
  }
  EXPECT_EQ(Quantile({}, 0.5), absl::ZeroDuration());
}

}  // namespace
}  // namespace infobus::supervision
