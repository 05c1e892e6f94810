#include "common/stream/read_to_end.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace infobus::stream {

namespace {

bool IsCancelled(const std::atomic<bool>* cancelled) {
  return cancelled != nullptr && cancelled->load();
}

absl::Status Cancelled(int32_t partition) {
  return absl::CancelledError(absl::StrCat("reading partition ", partition, ": cancelled"));
}

}  // namespace

absl::Status ReadToEnd(TopicReader& reader, int32_t partition, absl::Duration timeout,
                       const std::function<void(const kafka::Record&)>& apply,
                       const std::atomic<bool>* cancelled) {
  const absl::Time deadline = absl::Now() + timeout;
  // Asked in slices: one request of the whole timeout could not be cancelled. A slice grows
  // (to kMaxWatermarkSlice) for a broker slower than the first; one that failed at once (no
  // leader yet, during a failover) is waited out before the next try, so that is no busy loop.
  absl::StatusOr<std::pair<int64_t, int64_t>> watermarks;
  for (absl::Duration slice = kReadSlice;; slice = std::min(slice * 2, kMaxWatermarkSlice)) {
    if (IsCancelled(cancelled)) return Cancelled(partition);
    const absl::Time slice_end = std::min(absl::Now() + slice, deadline);
    watermarks =
        reader.Watermarks(partition, std::max(slice_end - absl::Now(), absl::ZeroDuration()));
    if (watermarks.ok() || absl::Now() >= deadline) break;
    while (absl::Now() < slice_end && !IsCancelled(cancelled)) {
      absl::SleepFor(std::min(absl::Milliseconds(20), slice_end - absl::Now()));
    }
  }
  if (!watermarks.ok()) return watermarks.status();
  const auto [low, end] = *watermarks;
  if (end <= low) return absl::OkStatus();  // empty, or everything in it deleted
  while (true) {
    if (IsCancelled(cancelled)) return Cancelled(partition);
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::UnavailableError(
          absl::StrCat("reading partition ", partition, ": timed out before its end (", end, ")"));
    }
    auto polled = reader.Poll(1000, std::min(left, kReadSlice));
    if (!polled.ok()) return polled.status();
    for (const kafka::Record& record : polled->records) {
      if (record.partition != partition || record.offset >= end) continue;
      apply(record);
      if (record.offset >= end - 1) return absl::OkStatus();
    }
    // The end as of now, without a record at end - 1 (e.g. a transaction marker there).
    if (polled->reached_end.count(partition) > 0) return absl::OkStatus();
  }
}

absl::Status ReadPartitionToEnd(const std::string& bootstrap_servers, const std::string& topic,
                                int32_t partition, absl::Duration timeout,
                                const std::function<void(const kafka::Record&)>& apply,
                                const std::atomic<bool>* cancelled) {
  auto reader = OpenKafkaTopicReader(bootstrap_servers, topic, topic + "-restore",
                                     {{partition, kFromBeginning}});
  if (!reader.ok()) return reader.status();
  absl::Status status = ReadToEnd(**reader, partition, timeout, apply, cancelled);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("reading ", topic, "/", partition, ": ", status.message()));
  }
  return status;
}

}  // namespace infobus::stream
