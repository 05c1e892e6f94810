#pragma once

#include <map>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/stream/topic_reader.h"

namespace infobus::testing {

// A topic in memory behind the TopicReader interface: Append records, Fail the next polls.
// Thread-safe (a table's reader thread polls while the test appends).
class FakeTopicReader final : public stream::TopicReader {
 public:
  // `position`: the next offset to read per partition (the partitions it reads).
  explicit FakeTopicReader(stream::Offsets position) : position_(std::move(position)) {}

  // Adds a record at the end of its partition (its offset is set here).
  void Append(kafka::Record record) {
    absl::MutexLock lock(&mutex_);
    auto& log = logs_[record.partition];
    record.offset = static_cast<int64_t>(log.size());
    log.push_back(std::move(record));
  }
  // Records below `offset` of `partition` are gone (compaction or retention).
  void DeleteBefore(int32_t partition, int64_t offset) {
    absl::MutexLock lock(&mutex_);
    first_[partition] = offset;
  }
  void FailPolls(int count) {
    absl::MutexLock lock(&mutex_);
    failing_polls_ = count;
  }
  // While unreachable, Watermarks waits out its timeout and fails, as librdkafka does with the
  // broker gone.
  void SetUnreachable(bool unreachable) {
    absl::MutexLock lock(&mutex_);
    unreachable_ = unreachable;
  }
  // The next `count` watermark questions fail at once, as librdkafka's do for a partition
  // with no leader yet.
  void FailWatermarksAtOnce(int count) {
    absl::MutexLock lock(&mutex_);
    failing_watermarks_ = count;
  }
  int watermark_requests() const {
    absl::MutexLock lock(&mutex_);
    return watermark_requests_;
  }
  void AwaitWatermarkRequest() const {
    absl::MutexLock lock(&mutex_);
    auto asked = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return watermark_requests_ > 0; };
    mutex_.Await(absl::Condition(&asked));
  }
  int seeks() const {
    absl::MutexLock lock(&mutex_);
    return seeks_;
  }

  absl::StatusOr<Polled> Poll(size_t max, absl::Duration wait) override {
    absl::MutexLock lock(&mutex_);
    auto has_news = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
      if (failing_polls_ > 0) return true;
      for (const auto& [partition, next] : position_) {
        if (Start(partition, next) < End(partition)) return true;
      }
      return false;
    };
    mutex_.AwaitWithTimeout(absl::Condition(&has_news), wait);
    if (failing_polls_ > 0) {
      --failing_polls_;
      return absl::UnavailableError("fake broker error");
    }
    Polled polled;
    for (auto& [partition, next] : position_) {
      next = Start(partition, next);
      while (next < End(partition) && polled.records.size() < max) {
        polled.records.push_back(logs_[partition][static_cast<size_t>(next)]);
        ++next;
      }
      if (next >= End(partition)) polled.reached_end.insert(partition);
    }
    return polled;
  }

  absl::Status Seek(int32_t partition, int64_t offset) override {
    absl::MutexLock lock(&mutex_);
    ++seeks_;
    position_[partition] = offset;
    return absl::OkStatus();
  }

  absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(int32_t partition,
                                                         absl::Duration timeout) override {
    absl::MutexLock lock(&mutex_);
    ++watermark_requests_;
    if (failing_watermarks_ > 0) {
      --failing_watermarks_;
      return absl::UnavailableError("fake: no leader");
    }
    auto reachable = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return !unreachable_; };
    if (!mutex_.AwaitWithTimeout(absl::Condition(&reachable), timeout)) {
      return absl::UnavailableError("fake broker unreachable");
    }
    return std::make_pair(first_[partition], End(partition));
  }

 private:
  int64_t End(int32_t partition) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return static_cast<int64_t>(logs_[partition].size());
  }
  // kFromBeginning, or an offset deleted since, reads from the first record kept.
  int64_t Start(int32_t partition, int64_t next) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) {
    return next < first_[partition] ? first_[partition] : next;
  }

  mutable absl::Mutex mutex_;
  stream::Offsets position_ ABSL_GUARDED_BY(mutex_);
  std::map<int32_t, std::vector<kafka::Record>> logs_ ABSL_GUARDED_BY(mutex_);
  std::map<int32_t, int64_t> first_ ABSL_GUARDED_BY(mutex_);
  int failing_polls_ ABSL_GUARDED_BY(mutex_) = 0;
  int seeks_ ABSL_GUARDED_BY(mutex_) = 0;
  bool unreachable_ ABSL_GUARDED_BY(mutex_) = false;
  int watermark_requests_ ABSL_GUARDED_BY(mutex_) = 0;
  int failing_watermarks_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace infobus::testing
