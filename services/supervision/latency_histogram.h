#pragma once

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/map.h"

namespace infobus::supervision {

// Sign-off latencies as log-linear buckets of milliseconds, after HdrHistogram: exact below
// 16 ms, then 16 buckets per doubling, so the midpoint of a bucket is within 1/32 (3.1%) of any
// value in it and a percentile read from the buckets is within 4% of the exact one. Buckets add
// up across hours and units (a report sums them). Pure.
int32_t LatencyBucket(absl::Duration latency);
// The middle of `bucket` (its value, for 0-15 ms).
absl::Duration BucketMidpoint(int32_t bucket);

// The `q` quantile (0 < q <= 1) of `histogram` (bucket -> count): the midpoint of the bucket
// holding the ceil(q * total)-th smallest value. Zero for an empty histogram.
absl::Duration Quantile(const google::protobuf::Map<int32_t, int64_t>& histogram, double q);

}  // namespace infobus::supervision
