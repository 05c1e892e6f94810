#pragma once

#include <cstdint>
#include <vector>

namespace infobus::bench {

// A log-linear latency histogram in the manner of HdrHistogram: values below 2^(kSubBucketBits)
// are counted exactly; above, each power-of-two range is split into 2^(kSubBucketBits-1) equal
// buckets, so every recorded value is known to within 1/2^(kSubBucketBits-1) (about 0.1%) of
// itself. Values are non-negative integers in any unit (the benchmark records nanoseconds);
// values above kMaxValue are clamped to it. Memory is fixed (~250 KiB) and Record is O(1).
// Not thread-safe: give each thread its own and Merge them.
class Histogram {
 public:
  static constexpr int kSubBucketBits = 11;  // 2048 exact values, then 1024 buckets per octave
  static constexpr int64_t kMaxValue = (int64_t{1} << 40) - 1;  // ~18 minutes in ns

  Histogram();

  void Record(int64_t value);
  void Merge(const Histogram& other);
  void Reset();

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }

  // The value at `percentile` (0-100]: the smallest v such that at least percentile% of the
  // recorded values are <= v, reported as the highest value of v's bucket (never above max()).
  // 0 when nothing was recorded; percentile <= 0 gives min(), >= 100 gives max().
  int64_t Percentile(double percentile) const;

  // Bucket arithmetic, exposed for tests.
  static int BucketIndex(int64_t value);
  static int64_t BucketLowest(int index);
  static int64_t BucketHighest(int index);
  static int BucketCount();

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  // Exact sum of values (128 bits, so it cannot overflow), for the mean.
  __int128 sum_ = 0;
};

}  // namespace infobus::bench
