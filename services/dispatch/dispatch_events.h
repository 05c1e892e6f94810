#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/kafka/message.h"
#include "infobus/common/v1/delivery.pb.h"
#include "infobus/common/v1/dispatch_event.pb.h"

namespace infobus::dispatch {

using infobus::common::v1::DispatchEvent;
using infobus::common::v1::DispatchEventType;

// The event for a state change of `delivery` (as it reads after the change). Its id is
// StableId(type, unit, judgment): each change happens once per unit and judgment, so a redo
// after a crash repeats the id and consumers can drop the repeat. After the delivery was sent
// back n times (closure by approval) a change is one of round n: StableId(type, unit,
// judgment, "round", n), APPROVED excepted (once). APPROVED and SENT_BACK carry decided_by,
// note and the feedback decided on; every event its sent_back_count.
DispatchEvent MakeDispatchEvent(DispatchEventType type,
                                const infobus::common::v1::Delivery& delivery,
                                absl::Time occurred_at);
// The Kafka message for `event` on `topic`: keyed by judgment id (one judgment's changes stay in
// order in one partition), headers schema and trace-id (of the judgment's first evidence).
kafka::OutgoingMessage DispatchEventMessage(const std::string& topic, const DispatchEvent& event,
                                            const infobus::common::v1::Delivery& delivery);

}  // namespace infobus::dispatch
