#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/kafka/message.h"

namespace infobus::kafka {

// Reads one partition from its beginning to its end as it stood when the call began (the high
// watermark then), without joining a group or committing anything, and calls `apply` with each
// record in order. For rebuilding state from a compacted changelog. UNAVAILABLE when the broker
// cannot be reached, or the end not read, within `timeout`.
absl::Status ReadPartitionToEnd(const std::string& bootstrap_servers, const std::string& topic,
                                int32_t partition, absl::Duration timeout,
                                const std::function<void(const Record&)>& apply);

}  // namespace infobus::kafka
