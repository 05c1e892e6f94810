#include "services/dispatch/dispatch_events.h"

#include "absl/strings/str_cat.h"
#include "common/util/ids.h"
#include "common/util/time.h"

namespace infobus::dispatch {

DispatchEvent MakeDispatchEvent(DispatchEventType type,
                                const infobus::common::v1::Delivery& delivery,
                                absl::Time occurred_at) {
  DispatchEvent event;
  const std::string& type_name = infobus::common::v1::DispatchEventType_Name(type);
  // After a send-back a delivery is signed off, reported on (and may escalate) again: those
  // changes of a later round have ids of their own. An approval happens once.
  const uint32_t round = delivery.sent_back_count();
  if (round == 0 || type == infobus::common::v1::DISPATCH_EVENT_TYPE_APPROVED) {
    event.set_event_id(
        StableId({type_name, delivery.unit_id(), delivery.judgment().judgment_id()}));
  } else {
    event.set_event_id(StableId({type_name, delivery.unit_id(), delivery.judgment().judgment_id(),
                                 "round", absl::StrCat(round)}));
  }
  event.set_sent_back_count(round);
  event.set_type(type);
  *event.mutable_occurred_at() = ToProtoTimestamp(occurred_at);
  event.set_judgment_id(delivery.judgment().judgment_id());
  event.set_severity(delivery.judgment().severity());
  event.set_jurisdiction_code(delivery.judgment().jurisdiction_code());
  event.set_unit_id(delivery.unit_id());
  event.set_seq(delivery.seq());
  event.set_delivery_id(delivery.delivery_id());
  event.set_escalation_level(delivery.escalation_level());
  event.set_escalated_from(delivery.escalated_from());
  event.set_rerouted_from_unit(delivery.rerouted_from_unit());
  event.set_reroute_reason(delivery.reroute_reason());
  if (delivery.has_deadline()) *event.mutable_deadline() = delivery.deadline();
  switch (type) {
    case infobus::common::v1::DISPATCH_EVENT_TYPE_ESCALATED:
      event.set_escalated_to(delivery.escalated_to());
      break;
    case infobus::common::v1::DISPATCH_EVENT_TYPE_ACKNOWLEDGED:
      event.set_acknowledged_by(delivery.acknowledged_by());
      break;
    case infobus::common::v1::DISPATCH_EVENT_TYPE_FEEDBACK:
      *event.mutable_feedback() = delivery.feedback();
      break;
    case infobus::common::v1::DISPATCH_EVENT_TYPE_APPROVED:
    case infobus::common::v1::DISPATCH_EVENT_TYPE_SENT_BACK:
      event.set_decided_by(delivery.approval().decided_by());
      event.set_note(delivery.approval().note());
      *event.mutable_feedback() = delivery.approval().feedback();  // the feedback decided on
      break;
    default:
      break;
  }
  return event;
}

kafka::OutgoingMessage DispatchEventMessage(const std::string& topic, const DispatchEvent& event,
                                            const infobus::common::v1::Delivery& delivery) {
  kafka::OutgoingMessage message;
  message.topic = topic;
  message.key = event.judgment_id();
  message.value = event.SerializeAsString();
  message.headers.push_back({kafka::kSchemaHeader, DispatchEvent::descriptor()->full_name()});
  if (delivery.judgment().evidence_size() > 0 &&
      !delivery.judgment().evidence(0).trace_id().empty()) {
    message.headers.push_back({kafka::kTraceIdHeader, delivery.judgment().evidence(0).trace_id()});
  }
  return message;
}

}  // namespace infobus::dispatch
