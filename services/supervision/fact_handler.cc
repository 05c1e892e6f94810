#include "services/supervision/fact_handler.h"

#include "absl/strings/str_cat.h"
#include "common/codec/event_decoder.h"
#include "common/codec/judgment_decoder.h"
#include "common/codec/record_value.h"
#include "common/log/log.h"
#include "services/supervision/supervision_metrics.h"

namespace infobus::supervision {
namespace {

absl::StatusOr<infobus::common::v1::DispatchEvent> DecodeDispatchEvent(
    const kafka::Record& record) {
  infobus::common::v1::DispatchEvent event;
  if (absl::Status status = codec::ParseRecordValue(record, &event); !status.ok()) return status;
  if (event.judgment_id().empty()) return absl::InvalidArgumentError("judgment_id: is required");
  if (event.delivery_id().empty()) return absl::InvalidArgumentError("delivery_id: is required");
  if (event.type() == infobus::common::v1::DISPATCH_EVENT_TYPE_UNSPECIFIED ||
      !infobus::common::v1::DispatchEventType_IsValid(event.type())) {
    return absl::InvalidArgumentError("type: not a dispatch event type");
  }
  if (!event.has_occurred_at()) return absl::InvalidArgumentError("occurred_at: is required");
  return event;
}

}  // namespace

absl::Status FactHandler::Fold(const kafka::Record& record) {
  if (record.topic == topics_.events) {
    auto event = codec::DecodeEvent(record);
    if (!event.ok()) return event.status();
    ++folded_["event"];
    return ledger_->StageEvent(*event);
  }
  if (record.topic == topics_.judgments) {
    auto judgment = codec::DecodeJudgment(record);
    if (!judgment.ok()) return judgment.status();
    ++folded_["judgment"];
    return ledger_->StageJudgment(*judgment);
  }
  if (record.topic == topics_.dispatch_events) {
    auto event = DecodeDispatchEvent(record);
    if (!event.ok()) return event.status();
    ++folded_["dispatch_event"];
    return ledger_->StageDispatchEvent(*event);
  }
  if (record.topic == topics_.audit) {
    infobus::common::v1::AuditRecord audit;
    if (absl::Status status = codec::ParseRecordValue(record, &audit); !status.ok()) {
      return status;
    }
    if (!audit.has_at()) return absl::InvalidArgumentError("at: is required");
    auto kept = ledger_->StageAudit(audit);
    if (!kept.ok()) return kept.status();
    ++folded_[*kept ? "access" : "access_untraced"];
    return absl::OkStatus();
  }
  if (record.topic == topics_.dead_letters) {
    infobus::common::v1::DeadLetter dead_letter;
    if (absl::Status status = codec::ParseRecordValue(record, &dead_letter); !status.ok()) {
      ++bad_dead_letters_;
      INFOBUS_LOG(Warning) << "dead letter at " << record.topic << "/" << record.partition << "@"
                           << record.offset << " not counted: " << status.message();
      return absl::OkStatus();
    }
    ++folded_["dead_letter"];
    return ledger_->StageDeadLetter(dead_letter);
  }
  return absl::InternalError(absl::StrCat("record of topic ", record.topic, " not subscribed"));
}

void FactHandler::OnTick(kafka::BatchContext& /*context*/) {
  if (routing_ != nullptr) routing_->ReloadIfChanged(reload_interval_);
}

void FactHandler::OnBatchCommitted() {
  for (const auto& [kind, count] : folded_) SupervisionMetrics::Get().Folded(kind, count);
  if (bad_dead_letters_ > 0) SupervisionMetrics::Get().BadDeadLetters(bad_dead_letters_);
  folded_.clear();
  bad_dead_letters_ = 0;
}

void FactHandler::OnBatchAborted() {
  ledger_->Discard();
  folded_.clear();
  bad_dead_letters_ = 0;
}

void FactHandler::HandleBatch(const std::vector<kafka::Record>& records,
                              kafka::BatchContext& context) {
  for (const kafka::Record& record : records) {
    absl::Status status = Fold(record);
    if (absl::IsInvalidArgument(status)) {
      context.DeadLetter(record, std::string(status.message()));
    } else if (!status.ok()) {
      ledger_->Discard();
      context.Fail(status);
      return;
    }
  }
  if (absl::Status status = ledger_->Flush(&context.batch()); !status.ok()) {
    ledger_->Discard();
    context.Fail(status);
  }
}

}  // namespace infobus::supervision
