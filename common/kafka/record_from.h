#pragma once

#include <librdkafka/rdkafkacpp.h>

#include "common/kafka/message.h"

namespace infobus::kafka {

// A consumed message as a Record: topic, partition, offset, key, value (or null_value for a
// tombstone), timestamp and headers. `message` must not be an error.
Record RecordFrom(RdKafka::Message& message);

}  // namespace infobus::kafka
