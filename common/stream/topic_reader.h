#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/kafka/message.h"

namespace infobus::stream {

// The next offset to read (or applied up to) per partition of one topic.
using Offsets = std::map<int32_t, int64_t>;

// Reads chosen partitions of one topic from chosen offsets, outside any consumer group: it
// commits nothing and never takes part in a rebalance. What global tables and restores stand on
// (global_table.h, read_to_end.h); the Kafka one is OpenKafkaTopicReader, tests use a fake.
// Poll and Seek come from one thread; Watermarks may be called from any thread meanwhile.
class TopicReader {
 public:
  virtual ~TopicReader() = default;

  struct Polled {
    std::vector<kafka::Record> records;  // in offset order within each partition
    std::set<int32_t> reached_end;       // partitions read to their end during this poll
  };
  // Up to `max` records, waiting up to `wait` for the first; none is not an error.
  // UNAVAILABLE when the broker reports one (the next poll may succeed).
  virtual absl::StatusOr<Polled> Poll(size_t max, absl::Duration wait) = 0;

  // From the next poll on, `partition` is read from `offset`.
  virtual absl::Status Seek(int32_t partition, int64_t offset) = 0;

  // The partition's first offset and its end (the offset the next record will get), as now.
  virtual absl::StatusOr<std::pair<int64_t, int64_t>> Watermarks(int32_t partition,
                                                                 absl::Duration timeout) = 0;
};

// A reader of `topic` on Kafka, with `from` assigned (a partition at kFromBeginning starts at
// the earliest record still kept). `name` names its clients in logs and errors; `settings` are
// extra librdkafka settings (e.g. fetch.wait.max.ms). Watermarks are asked on a connection of
// their own: a broker answers one connection's requests in order, so behind a long-polling
// fetch they would wait for it.
inline constexpr int64_t kFromBeginning = -2;  // librdkafka's OFFSET_BEGINNING
absl::StatusOr<std::unique_ptr<TopicReader>> OpenKafkaTopicReader(
    const std::string& bootstrap_servers, const std::string& topic, const std::string& name,
    const Offsets& from, std::map<std::string, std::string> settings = {});

}  // namespace infobus::stream
