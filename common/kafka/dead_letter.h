#pragma once

#include <string>
#include <string_view>

#include "common/kafka/message.h"

namespace infobus::kafka {

// The message that sends `record` to `dead_letter_topic` because `consumer` (its consumer group,
// or the service's group for a reader outside a consumer loop) could not process it: an
// infobus.common.v1.DeadLetter with `reason`, the record's origin (topic, partition, offset),
// key and value and the time, keyed "<topic>/<partition>", with the schema header and the
// record's trace id. Also counts it (infobus_dead_letters_total, by source topic) and logs it;
// the caller produces it with the rest of its output, before it stores the offsets past it.
OutgoingMessage DeadLetterMessage(const Record& record, std::string_view reason,
                                  std::string_view consumer, const std::string& dead_letter_topic);

// Exports the dead-letter count of `topic` at 0, so dashboards and alerts see the series before
// its first dead letter; a reader calls it for each topic it reads when it starts.
void ExportDeadLetters(const std::string& topic);

}  // namespace infobus::kafka
