#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct rd_kafka_s;

namespace infobus::kafka {

// A partition's first offset and its end (the offset the next record will get), asked through
// `client` (any librdkafka handle). UNAVAILABLE when no answer came within `timeout`, which
// holds with the broker gone too: librdkafka's own rd_kafka_query_watermark_offsets waits for
// requests that a down broker never times out (librdkafka #2588, fixed in 2.3.0; Debian 12
// has 2.0.2), so this asks ListOffsets through rd_kafka_offsets_for_times, which keeps to it.
absl::StatusOr<std::pair<int64_t, int64_t>> QueryWatermarks(rd_kafka_s* client,
                                                            const std::string& topic,
                                                            int32_t partition,
                                                            absl::Duration timeout);
// The end alone, in one round trip.
absl::StatusOr<int64_t> QueryEndOffset(rd_kafka_s* client, const std::string& topic,
                                       int32_t partition, absl::Duration timeout);

// Asks the brokers for partitions' end offsets (high watermarks: the offset the next record
// will get) through one long-lived client, so each question is one round trip. E.g. how far a
// newly assigned partition must be replayed before its state is current. Implemented with the
// admin clients (admin.cc). Thread-safe.
class Watermarks {
 public:
  static absl::StatusOr<std::unique_ptr<Watermarks>> Create(const std::string& bootstrap_servers);
  ~Watermarks();

  // UNAVAILABLE when no broker answered within `timeout`.
  absl::StatusOr<int64_t> EndOffset(const std::string& topic, int32_t partition,
                                    absl::Duration timeout) const;

 private:
  explicit Watermarks(rd_kafka_s* client) : client_(client) {}
  rd_kafka_s* const client_;
};

}  // namespace infobus::kafka
