#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "common/kafka/message.h"
#include "google/protobuf/message.h"

namespace infobus::codec {

// Reads `record`'s value into `message` if the record says it is one: its schema header
// (kafka::kSchemaHeader) must be present and name `message`'s type in full (e.g.
// "infobus.common.v1.Event"), and the value must be a non-null, parseable serialisation of it.
// Every producer on the bus sets the header, so a record without one did not come from the bus
// (kcat, a misconfigured tool) and is refused like a wrong one: the bytes of one message type
// very often parse as another. Errors are INVALID_ARGUMENT with the dead-letter reason.
absl::Status ParseRecordValue(const kafka::Record& record, google::protobuf::Message* message);

// The schema header check alone; `required` false lets a record without the header pass (a
// tombstone, which has no value to name).
absl::Status CheckSchemaHeader(const kafka::Record& record, std::string_view expected,
                               bool required);

}  // namespace infobus::codec
