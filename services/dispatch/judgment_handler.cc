#include "services/dispatch/judgment_handler.h"

#include "absl/strings/str_cat.h"
#include "common/log/log.h"

namespace infobus::dispatch {

void JudgmentHandler::HandleBatch(const std::vector<kafka::Record>& records,
                                  kafka::BatchContext& context) {
  const std::string& judgment_schema = Judgment::descriptor()->full_name();
  std::vector<kafka::OutgoingMessage> events;
  for (const kafka::Record& record : records) {
    const std::string schema(record.HeaderValue(kafka::kSchemaHeader));
    if (!schema.empty() && schema != judgment_schema) {
      context.DeadLetter(record, absl::StrCat("schema header is '", schema, "', expected '",
                                              judgment_schema, "'"));
      continue;
    }
    Judgment judgment;
    if (!judgment.ParseFromString(record.value) || judgment.judgment_id().empty()) {
      context.DeadLetter(record, absl::StrCat("value is not a valid ", judgment_schema));
      continue;
    }
    if (absl::Status status = dispatcher_->StageJudgment(judgment, &context.batch(), &events);
        !status.ok()) {
      context.Fail(status);
      return;
    }
  }
  for (kafka::OutgoingMessage& event : events) context.Produce(std::move(event));
}

void JudgmentHandler::OnTick(kafka::BatchContext& context) {
  routing_->ReloadIfChanged(reload_interval_);
  std::vector<kafka::OutgoingMessage> events;
  if (absl::Status status = dispatcher_->StageDueEscalations(&context.batch(), &events);
      !status.ok()) {
    context.Fail(status);
    return;
  }
  for (kafka::OutgoingMessage& event : events) context.Produce(std::move(event));
}

void JudgmentHandler::OnBatchCommitted() {
  dispatcher_->Committed();
  notifier_->Notify(dispatcher_->TakeTouchedUnits());
}

void JudgmentHandler::OnBatchAborted() { dispatcher_->Aborted(); }

}  // namespace infobus::dispatch
