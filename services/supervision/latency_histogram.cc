#include "services/supervision/latency_histogram.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace infobus::supervision {
namespace {

constexpr int kSubBits = 4;  // 16 sub-buckets per doubling
constexpr int64_t kExact = int64_t{1} << kSubBits;

}  // namespace

int32_t LatencyBucket(absl::Duration latency) {
  const int64_t ms = std::max<int64_t>(0, absl::ToInt64Milliseconds(latency));
  if (ms < kExact) return static_cast<int32_t>(ms);
  const int exponent = 63 - __builtin_clzll(static_cast<uint64_t>(ms));  // >= kSubBits
  const int64_t sub = (ms >> (exponent - kSubBits)) & (kExact - 1);
  return static_cast<int32_t>(kExact + (exponent - kSubBits) * kExact + sub);
}

absl::Duration BucketMidpoint(int32_t bucket) {
  if (bucket < kExact) return absl::Milliseconds(std::max(bucket, 0));
  const int shift = (bucket - kExact) / kExact;
  const int64_t sub = (bucket - kExact) % kExact;
  const int64_t lower = (kExact + sub) << shift;
  const int64_t width = int64_t{1} << shift;
  // Integer milliseconds would bias the narrow buckets; the midpoint is exact in microseconds.
  return absl::Microseconds(lower * 1000 + width * 500);
}

absl::Duration Quantile(const google::protobuf::Map<int32_t, int64_t>& histogram, double q) {
  const std::map<int32_t, int64_t> ordered(histogram.begin(), histogram.end());
  int64_t total = 0;
  for (const auto& [bucket, count] : ordered) total += count;
  if (total <= 0) return absl::ZeroDuration();
  const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * total)));
  int64_t seen = 0;
  for (const auto& [bucket, count] : ordered) {
    seen += count;
    if (seen >= rank) return BucketMidpoint(bucket);
  }
  return BucketMidpoint(ordered.rbegin()->first);
}

}  // namespace infobus::supervision
