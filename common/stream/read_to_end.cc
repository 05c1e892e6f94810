#include "common/stream/read_to_end.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace infobus::stream {

absl::Status ReadToEnd(TopicReader& reader, int32_t partition, absl::Duration timeout,
                       const std::function<void(const kafka::Record&)>& apply) {
  const absl::Time deadline = absl::Now() + timeout;
  auto watermarks = reader.Watermarks(partition, timeout);
  if (!watermarks.ok()) return watermarks.status();
  const auto [low, end] = *watermarks;
  if (end <= low) return absl::OkStatus();  // empty, or everything in it deleted
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::UnavailableError(
          absl::StrCat("reading partition ", partition, ": timed out before its end (", end, ")"));
    }
    auto polled = reader.Poll(1000, std::min(left, absl::Milliseconds(500)));
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
                                const std::function<void(const kafka::Record&)>& apply) {
  auto reader = OpenKafkaTopicReader(bootstrap_servers, topic, topic + "-restore",
                                     {{partition, kFromBeginning}});
  if (!reader.ok()) return reader.status();
  absl::Status status = ReadToEnd(**reader, partition, timeout, apply);
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("reading ", topic, "/", partition, ": ", status.message()));
  }
  return status;
}

}  // namespace infobus::stream
