#include "services/dispatch/judgment_handler.h"

#include "common/codec/judgment_decoder.h"
#include "common/log/log.h"

namespace infobus::dispatch {

void JudgmentHandler::HandleBatch(const std::vector<kafka::Record>& records,
                                  stream::Transaction& context) {
  context.Enlist(dispatcher_);  // first: the streams are woken for deliveries made visible
  context.Enlist(this);
  std::vector<kafka::OutgoingMessage> events;
  for (const kafka::Record& record : records) {
    auto judgment = codec::DecodeJudgment(record);
    if (!judgment.ok()) {
      context.DeadLetter(record, std::string(judgment.status().message()));
      continue;
    }
    if (absl::Status status = dispatcher_->StageJudgment(*judgment, &context.batch(), &events);
        !status.ok()) {
      context.Fail(status);
      return;
    }
  }
  for (kafka::OutgoingMessage& event : events) context.Produce(std::move(event));
}

void JudgmentHandler::OnTick(stream::Transaction& context) {
  context.Enlist(dispatcher_);  // first: the streams are woken for deliveries made visible
  context.Enlist(this);
  routing_->ReloadIfChanged(reload_interval_);
  std::vector<kafka::OutgoingMessage> events;
  if (absl::Status status = dispatcher_->StageDueEscalations(&context.batch(), &events);
      !status.ok()) {
    context.Fail(status);
    return;
  }
  for (kafka::OutgoingMessage& event : events) context.Produce(std::move(event));
}

void JudgmentHandler::Committed() { notifier_->Notify(dispatcher_->TakeTouchedUnits()); }

void JudgmentHandler::Aborted() {}  // the dispatcher drops what it staged

}  // namespace infobus::dispatch
