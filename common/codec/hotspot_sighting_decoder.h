#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/kafka/message.h"
#include "infobus/judgment/v1/hotspot_sighting.pb.h"

namespace infobus::codec {

// A record of judgment's repartition topic (infobus.hotspot-sightings.v1) as the
// HotspotSighting it must be: schema header "infobus.judgment.v1.HotspotSighting", a value that
// parses, and CheckHotspotSighting with the record's key. Pure. An error is INVALID_ARGUMENT
// whose message is the dead-letter reason.
absl::StatusOr<infobus::judgment::v1::HotspotSighting> DecodeHotspotSighting(
    const kafka::Record& record);

// What the event consumer writes: rule_id present; the evidence present (whether it parses is
// the engine's to say, which reads it anyway); time_ns after the epoch; origin present with
// origin_offset >= 0 (the counter's dedupe mark); and the record keyed "<rule id>\x1f<group
// key>", so the one partition that counts the group has it.
absl::Status CheckHotspotSighting(const infobus::judgment::v1::HotspotSighting& sighting,
                                  std::string_view key);

}  // namespace infobus::codec
