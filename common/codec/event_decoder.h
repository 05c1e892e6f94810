#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/kafka/message.h"
#include "infobus/common/v1/event.pb.h"

namespace infobus::codec {

// A record of the events topic (infobus.events.v1) as the Event it must be: schema header
// "infobus.common.v1.Event", a value that parses, and CheckEvent. Pure. An error is
// INVALID_ARGUMENT whose message is the dead-letter reason.
absl::StatusOr<infobus::common::v1::Event> DecodeEvent(const kafka::Record& record);

// What every Event on the topic has, as collection publishes it: event_id, source_id and kind
// present; county_code a six-digit GB/T 2260 county code; occurred_at present and in range;
// location.jurisdiction_code empty or digits extending the county code; classification a known
// level; every subject of a known, specified type with a value.
absl::Status CheckEvent(const infobus::common::v1::Event& event);

}  // namespace infobus::codec
