#include "tools/bench/histogram.h"

#include <algorithm>
#include <cmath>

namespace infobus::bench {
namespace {

constexpr int64_t kSubBucketCount = int64_t{1} << Histogram::kSubBucketBits;
constexpr int64_t kHalf = kSubBucketCount / 2;

int Log2Floor(uint64_t value) { return 63 - __builtin_clzll(value); }

}  // namespace

Histogram::Histogram() : counts_(BucketCount(), 0) {}

int Histogram::BucketCount() { return BucketIndex(kMaxValue) + 1; }

int Histogram::BucketIndex(int64_t value) {
  if (value < kSubBucketCount) return static_cast<int>(std::max<int64_t>(value, 0));
  // value >> shift lies in [kHalf, kSubBucketCount).
  const int shift = Log2Floor(static_cast<uint64_t>(value)) - (kSubBucketBits - 1);
  return static_cast<int>(kSubBucketCount + (shift - 1) * kHalf + ((value >> shift) - kHalf));
}

int64_t Histogram::BucketLowest(int index) {
  if (index < kSubBucketCount) return index;
  const int64_t k = index - kSubBucketCount;
  const int shift = static_cast<int>(k / kHalf) + 1;
  return (kHalf + k % kHalf) << shift;
}

int64_t Histogram::BucketHighest(int index) {
  if (index < kSubBucketCount) return index;
  const int shift = static_cast<int>((index - kSubBucketCount) / kHalf) + 1;
  return BucketLowest(index) + (int64_t{1} << shift) - 1;
}

void Histogram::Record(int64_t value) {
  value = std::clamp<int64_t>(value, 0, kMaxValue);
  ++counts_[BucketIndex(value)];
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = min_ = max_ = 0;
  sum_ = 0;
}

int64_t Histogram::Percentile(double percentile) const {
  if (count_ == 0) return 0;
  if (percentile <= 0) return min_;
  if (percentile >= 100) return max_;
  // The rank of the value asked for, 1-based; the small epsilon keeps 99.9% of 1000 at 999.
  const int64_t rank = std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_) - 1e-9)));
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::clamp(BucketHighest(static_cast<int>(i)), min_, max_);
    }
  }
  return max_;
}

}  // namespace infobus::bench
