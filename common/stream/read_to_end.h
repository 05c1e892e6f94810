#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/kafka/message.h"
#include "common/stream/topic_reader.h"

namespace infobus::stream {

// Restoring a task's state from its changelog: reads `partition` from where `reader` stands
// (positioned at its beginning) to its end as it stood when the call began (the high watermark
// then), calling `apply` with each record in order. Records written after the call began belong
// to a later read. UNAVAILABLE when the end is not learnt or not reached within `timeout`.
absl::Status ReadToEnd(TopicReader& reader, int32_t partition, absl::Duration timeout,
                       const std::function<void(const kafka::Record&)>& apply);

// The same on Kafka, with a reader of its own for the call (no group, nothing committed).
absl::Status ReadPartitionToEnd(const std::string& bootstrap_servers, const std::string& topic,
                                int32_t partition, absl::Duration timeout,
                                const std::function<void(const kafka::Record&)>& apply);

}  // namespace infobus::stream
