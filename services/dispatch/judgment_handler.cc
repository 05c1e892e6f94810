#include "services/dispatch/judgment_handler.h"

#include "common/codec/judgment_decoder.h"
#include "common/log/log.h"

namespace infobus::dispatch {

void JudgmentHandler::HandleBatch(const std::vector<kafka::Record>& records,
                                  stream::Transaction& context) {
  dispatcher_->EnlistIn(context);  // first: the streams are woken for deliveries made visible
  context.Enlist(this);
  for (const kafka::Record& record : records) {
    auto judgment = codec::DecodeJudgment(record);
    if (!judgment.ok()) {
      context.DeadLetter(record, std::string(judgment.status().message()));
      continue;
    }
    if (absl::Status status = dispatcher_->StageJudgment(*judgment, context); !status.ok()) {
      context.Fail(status);
      return;
    }
  }
}

void JudgmentHandler::OnTick(stream::Transaction& context) {
  dispatcher_->EnlistIn(context);  // first: the streams are woken for deliveries made visible
  context.Enlist(this);
  routing_->ReloadIfChanged(reload_interval_);
  if (absl::Status status = dispatcher_->StageDueEscalations(context); !status.ok()) {
    context.Fail(status);
  }
}

void JudgmentHandler::Committed() { notifier_->Notify(dispatcher_->TakeTouchedUnits()); }

void JudgmentHandler::Aborted() {}  // the dispatcher drops what it staged

}  // namespace infobus::dispatch
