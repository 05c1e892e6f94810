#pragma once

#include <atomic>
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
// `cancelled`, when given, is looked at between requests of at most kMaxWatermarkSlice (the
// end's; slices start at kReadSlice) and kReadSlice (the polls'): once it is true the read ends
// with CANCELLED, so a service that stops while the broker is gone does not wait out `timeout`
// (a restore runs in the rebalance callback, on the loop's thread).
inline constexpr absl::Duration kReadSlice = absl::Milliseconds(500);
inline constexpr absl::Duration kMaxWatermarkSlice = absl::Seconds(2);
absl::Status ReadToEnd(TopicReader& reader, int32_t partition, absl::Duration timeout,
                       const std::function<void(const kafka::Record&)>& apply,
                       const std::atomic<bool>* cancelled = nullptr);

// The same on Kafka, with a reader of its own for the call (no group, nothing committed).
absl::Status ReadPartitionToEnd(const std::string& bootstrap_servers, const std::string& topic,
                                int32_t partition, absl::Duration timeout,
                                const std::function<void(const kafka::Record&)>& apply,
                                const std::atomic<bool>* cancelled = nullptr);

}  // namespace infobus::stream
