#include "common/kafka/watermarks.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace infobus::kafka {
namespace {

// One ListOffsets for `partition` at `timestamp` (RD_KAFKA_OFFSET_BEGINNING or _END ask for
// the first offset and the end), answered by `deadline`.
absl::StatusOr<int64_t> OffsetAt(rd_kafka_t* client, const std::string& topic, int32_t partition,
                                 int64_t timestamp, absl::Time deadline) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = timestamp;
  const int timeout_ms =
      static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(deadline - absl::Now())));
  rd_kafka_resp_err_t code = rd_kafka_offsets_for_times(client, list, timeout_ms);
  const int64_t offset = list->elems[0].offset;
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) code = list->elems[0].err;
  rd_kafka_topic_partition_list_destroy(list);
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("offsets of ", topic, "/", partition, ": ", rd_kafka_err2str(code)));
  }
  // A reply that left the partition out leaves the timestamp asked for in its place.
  if (offset < 0) {
    return absl::UnavailableError(
        absl::StrCat("offsets of ", topic, "/", partition, ": not in the broker's answer"));
  }
  return offset;
}

}  // namespace

absl::StatusOr<int64_t> QueryEndOffset(rd_kafka_t* client, const std::string& topic,
                                       int32_t partition, absl::Duration timeout) {
  return OffsetAt(client, topic, partition, RD_KAFKA_OFFSET_END, absl::Now() + timeout);
}

absl::StatusOr<std::pair<int64_t, int64_t>> QueryWatermarks(rd_kafka_t* client,
                                                            const std::string& topic,
                                                            int32_t partition,
                                                            absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  auto low = OffsetAt(client, topic, partition, RD_KAFKA_OFFSET_BEGINNING, deadline);
  if (!low.ok()) return low.status();
  auto end = OffsetAt(client, topic, partition, RD_KAFKA_OFFSET_END, deadline);
  if (!end.ok()) return end.status();
  return std::make_pair(*low, *end);
}

}  // namespace infobus::kafka
