#include "services/judgment/event_handler.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace infobus::judgment {

using infobus::common::v1::Event;

void EventHandler::HandleBatch(const std::vector<kafka::Record>& records,
                               kafka::BatchContext& context) {
  const absl::Time now = clock_->Now();
  const std::string& event_schema = Event::descriptor()->full_name();
  for (const kafka::Record& record : records) {
    const std::string_view schema = record.HeaderValue(kafka::kSchemaHeader);
    if (!schema.empty() && schema != event_schema) {
      context.DeadLetter(record, absl::StrCat("schema header is '", std::string(schema), "', expected '",
                                              event_schema, "'"));
      continue;
    }
    Event event;
    if (!event.ParseFromString(record.value)) {
      context.DeadLetter(record, absl::StrCat("value is not a valid ", event_schema));
      continue;
    }
    if (event.event_id().empty() || event.source_id().empty()) {
      context.DeadLetter(record, "event has no event_id or source_id");
      continue;
    }
    auto judgments = judge_->Judge(event, now);
    if (!judgments.ok()) {
      // A store failure is not the record's fault: stop here and let the loop retry later.
      INFOBUS_LOG(Error) << "cannot judge event " << event.event_id() << ": "
                         << judgments.status();
      context.Fail(judgments.status());
      return;
    }
    for (const auto& judgment : *judgments) {
      kafka::OutgoingMessage message;
      message.topic = judgments_topic_;
      message.key = judgment.jurisdiction_code();
      message.value = judgment.SerializeAsString();
      message.headers = {{kafka::kTraceIdHeader, event.trace_id()},
                         {kafka::kSourceIdHeader, event.source_id()},
                         {kafka::kSchemaHeader, judgment.GetDescriptor()->full_name()}};
      INFOBUS_LOG(Debug) << "judgment " << judgment.judgment_id() << " for event "
                         << event.event_id();
      context.Produce(std::move(message));
    }
  }
}

}  // namespace infobus::judgment
